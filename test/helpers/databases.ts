/**
 * Per-file databases on the shared test servers. Names are unique per call so files can
 * run in parallel; everything created is dropped by `drop()`.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export type ServerName = 'a' | 'b';

function withDatabase(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
}

export interface TestDatabases {
  readonly dbs: Record<string, TestDatabase>;
  drop(): Promise<void>;
}

export async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Creates databases `{logical name: server}` and runs each one's setup SQL. */
export async function createDatabases(spec: Record<string, { server: ServerName; sql: string }>): Promise<TestDatabases> {
  const servers = inject('servers');
  const suffix = randomBytes(4).toString('hex');
  const dbs: Record<string, TestDatabase> = {};
  const created: { adminUrl: string; name: string }[] = [];
  for (const [logical, { server, sql }] of Object.entries(spec)) {
    const adminUrl = servers[server];
    const name = `t_${logical}_${suffix}`.toLowerCase();
    await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
    created.push({ adminUrl, name });
    const url = withDatabase(adminUrl, name);
    await admin(url, (c) => c.query(sql));
    dbs[logical] = {
      name,
      url,
      query: async <T extends pg.QueryResultRow>(text: string, values?: unknown[]) =>
        admin(url, async (c) => (await c.query<T>(text, values)).rows),
    };
  }
  return {
    dbs,
    drop: async () => {
      for (const { adminUrl, name } of created) {
        await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      }
    },
  };
}
