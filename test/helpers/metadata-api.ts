/**
 * The demo databases (DESIGN.md §2) behind an engine that starts from empty metadata, on
 * HTTP, with helpers to call `/v1/metadata` and `/v1/graphql` as a client would.
 */
import { readFileSync } from 'node:fs';
import { createEngine, type Engine, type EngineOptions } from '../../runtime/engine.js';
import { packageFile } from '../../runtime/paths.js';
import { createDatabases, type TestDatabases } from './databases.js';
import { listen, type Listening } from './http.js';

export const ADMIN_SECRET = 'metadata-test-secret';
export const ADMIN = { 'x-hasura-admin-secret': ADMIN_SECRET };

export interface MetadataClient {
  readonly url: string;
  /** POST /v1/metadata as admin (or with `headers`): the HTTP status and the JSON body. */
  meta(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** POST /v1/graphql as admin. */
  graphql(query: string, headers?: Record<string, string>): Promise<any>;
}

export function metadataClient(url: string): MetadataClient {
  return {
    url,
    meta: async (body, headers = ADMIN) => {
      const r = await fetch(`${url}/v1/metadata`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      return { status: r.status, body: await r.json() };
    },
    graphql: async (query, headers = ADMIN) => {
      const r = await fetch(`${url}/v1/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
      return r.json();
    },
  };
}

export interface MetadataFixture extends MetadataClient {
  readonly engine: Engine;
  readonly databases: TestDatabases;
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

export async function demoDatabases(extra: { source?: string; target?: string } = {}): Promise<{ databases: TestDatabases; env: Record<string, string> }> {
  const databases = await createDatabases({
    source_db: { server: 'a', sql: readFileSync(packageFile('fixtures', 'demo', 'source_db.sql'), 'utf8') + (extra.source ?? '') },
    target_db: { server: 'b', sql: readFileSync(packageFile('fixtures', 'demo', 'target_db.sql'), 'utf8') + (extra.target ?? '') },
  });
  return { databases, env: { SOURCE_DB_URL: databases.dbs.source_db!.url, TARGET_DB_URL: databases.dbs.target_db!.url } };
}

/** Starts an engine on the demo databases with `options` (default: empty metadata in memory). */
export async function startMetadataFixture(options: Partial<EngineOptions> = {}, extra: { source?: string; target?: string } = {}): Promise<MetadataFixture> {
  const { databases, env } = await demoDatabases(extra);
  let engine: Engine | undefined;
  let http: Listening | undefined;
  try {
    engine = await createEngine({ adminSecret: ADMIN_SECRET, ...options, env: { ...process.env, ...env, ...options.env } });
    http = await listen(engine.handler);
  } catch (e) {
    await engine?.close();
    await databases.drop();
    throw e;
  }
  const client = metadataClient(http.url);
  return {
    ...client, engine, databases, env,
    close: async () => {
      await http?.close();
      await engine?.close();
      await databases.drop();
    },
  };
}

/** Hasura's pg_add_source for a demo database, its URL from the environment. */
export function addSource(name: 'source_db' | 'target_db'): unknown {
  return {
    type: 'pg_add_source',
    args: { name, configuration: { connection_info: { database_url: { from_env: name === 'source_db' ? 'SOURCE_DB_URL' : 'TARGET_DB_URL' } } } },
  };
}

/** The documentation's remote relationship orders.user (user_id → id). */
export const ORDERS_USER = {
  type: 'pg_create_remote_relationship',
  args: {
    source: 'source_db', table: { schema: 'public', name: 'orders' }, name: 'user',
    definition: { to_source: { relationship_type: 'object', source: 'target_db', table: { schema: 'public', name: 'user' }, field_mapping: { user_id: 'id' } } },
  },
};

export { EXAMPLE_ANSWER, EXAMPLE_QUERY } from './demo.js';
