// Starts real immudb servers for tests: each on a free loopback port with its own data folder,
// with the web console, metrics, pgsql and reflection endpoints off so parallel tests never
// share a port. The binary comes from scripts/immudb/build.sh; tests fail when it is missing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before } from 'node:test';
import { ImmudbLedger, type ImmudbLedgerOptions } from '../../server/src/ledger/immudb';

const REPO = path.resolve(__dirname, '..', '..');
export const IMMUDB_VERSION = process.env.IMMUDB_VERSION ?? 'v1.11.1';
export const BUILD_COMMAND = 'bash scripts/immudb/build.sh';
/** The server's built-in administrator, as a fresh data folder creates it. */
export const ADMIN_USER = 'immudb';
export const ADMIN_PASSWORD = 'immudb';

/** Folder of the built immudb binaries; throws, naming the build command, when absent. */
export function immudbBinDir(): string {
  const dir =
    process.env.DEPTRUST_IMMUDB_BIN ?? path.join(REPO, '.cache', 'immudb', IMMUDB_VERSION, 'bin');
  if (!fs.existsSync(path.join(dir, 'immudb'))) {
    throw new Error(
      `no immudb server at ${dir}/immudb: build it with \`${BUILD_COMMAND}\` (about 3 minutes)`,
    );
  }
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export class ImmudbServer {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly port: number,
    /** The data folder the server runs on now. */
    public dataDir: string,
    /** Scratch folder of this server: data copies, logs, pid file. */
    readonly home: string,
    /** Extra command-line flags, e.g. `--signingKey FILE`. */
    private readonly extraArgs: string[] = [],
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  /**
   * Starts a server on a fresh data folder and waits until it accepts connections.
   * `signingKeyPem`: an ECDSA P-256 private key (SEC1 PEM) the server signs its states with.
   */
  static async start(options: { signingKeyPem?: string } = {}): Promise<ImmudbServer> {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-immudb-'));
    const extra: string[] = [];
    if (options.signingKeyPem) {
      const keyFile = path.join(home, 'signing.key');
      fs.writeFileSync(keyFile, options.signingKeyPem, { mode: 0o600 });
      extra.push('--signingKey', keyFile);
    }
    const server = new ImmudbServer(await freePort(), path.join(home, 'data'), home, extra);
    await server.launch();
    return server;
  }

  private async launch(): Promise<void> {
    const bin = path.join(immudbBinDir(), 'immudb');
    this.output = '';
    const child = spawn(
      bin,
      [
        '--dir',
        this.dataDir,
        '--address',
        '127.0.0.1',
        '--port',
        String(this.port),
        '--pidfile',
        path.join(this.home, 'immudb.pid'),
        '--logdir',
        path.join(this.home, 'log'),
        '--admin-password',
        ADMIN_PASSWORD,
        '--auth',
        '--web-server=false',
        '--metrics-server=false',
        '--pgsql-server=false',
        '--grpc-reflection=false',
        '--swaggerui=false',
        ...this.extraArgs,
      ],
      {
        cwd: this.home,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LOG_LEVEL: 'warning' },
      },
    );
    this.child = child;
    child.stdout?.on('data', (d) => (this.output += d));
    child.stderr?.on('data', (d) => (this.output += d));

    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(
          `immudb exited with ${child.exitCode} while starting:\n${this.output.slice(-2000)}`,
        );
      }
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.stop();
    throw new Error(
      `immudb did not accept connections on ${this.address} within 30 s:\n${this.output.slice(-2000)}`,
    );
  }

  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  /** Starts the server again on its current data folder and the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Copies the data folder (the server must be stopped) and returns the copy's path. */
  copyData(name: string): string {
    if (this.running) throw new Error('copyData needs a stopped server: call stop() first');
    const target = path.join(this.home, name);
    fs.cpSync(this.dataDir, target, { recursive: true });
    return target;
  }

  /** Restarts the server on another data folder, e.g. an older copy (a rollback). */
  async restartOn(dataDir: string): Promise<void> {
    await this.stop();
    this.dataDir = dataDir;
    await this.launch();
  }

  /** Stops the server and removes its folders. */
  async dispose(): Promise<void> {
    await this.stop();
    fs.rmSync(this.home, { recursive: true, force: true });
  }
}

/** Runs the build script (a no-op when the binaries exist) and returns the binaries' folder. */
export function buildImmudb(): string {
  const r = spawnSync('bash', [path.join(REPO, 'scripts', 'immudb', 'build.sh'), '--quiet'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`${BUILD_COMMAND} failed:\n${r.stderr}`);
  return r.stdout.trim();
}

const stateDirs: string[] = [];
process.once('exit', () => {
  for (const dir of stateDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder for kept ledger state, standing in for the per-user data folder. */
export function tempStateDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-immudb-state-'));
  stateDirs.push(dir);
  return dir;
}

/**
 * A real server for one suite, started before it and disposed after it, with the ledgers the
 * suite connected to it (each with a fresh state folder unless told otherwise) closed first.
 * Call it inside `describe`.
 */
export function immudbSuite(defaults: Partial<ImmudbLedgerOptions> = {}): {
  readonly server: ImmudbServer;
  ledger(extra?: Partial<ImmudbLedgerOptions>): ImmudbLedger;
} {
  let server: ImmudbServer | undefined;
  const opened: ImmudbLedger[] = [];
  before(async () => {
    server = await ImmudbServer.start();
  });
  after(async () => {
    for (const l of opened) await l.close();
    await server?.dispose();
  });
  return {
    get server(): ImmudbServer {
      if (!server) throw new Error('the immudb server starts in the suite\'s before hook');
      return server;
    },
    ledger(extra: Partial<ImmudbLedgerOptions> = {}): ImmudbLedger {
      const l = new ImmudbLedger({
        address: this.server.address,
        database: 'defaultdb',
        user: ADMIN_USER,
        password: ADMIN_PASSWORD,
        stateDir: tempStateDir(),
        ...defaults,
        ...extra,
      });
      opened.push(l);
      return l;
    },
  };
}
