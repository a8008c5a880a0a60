// What the parse benchmark bundles (see shipped.ts): reading a lockfile's bytes as the CLI does.
export { decodeLockfile } from '../server/src/app/lockfiles';
export { parseLockfile } from '../server/src/parsers/index';
