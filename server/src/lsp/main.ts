// Entry point of dist/server.js, the process the VS Code client starts.
import { startServer } from './server';

startServer();
