/**
 * Limits (issue 6, DESIGN.md §8), each configurable and each with a clear error: request
 * body size (HTTP 413), query depth (before lowering), rows per response, statement
 * timeout (the backend is cancelled: pg_stat_activity shows it gone), pool size per source.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { listen, type Listening } from '../helpers/http.js';

const SQL = `
CREATE TABLE items (id int PRIMARY KEY, parent_id int REFERENCES items(id));
INSERT INTO items SELECT g, CASE WHEN g > 1 THEN g - 1 END FROM generate_series(1, 20) g;
CREATE FUNCTION nap(seconds float8, v int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(seconds); RETURN v; END $$;
CREATE VIEW slow AS SELECT nap(30, 1) AS id;
CREATE VIEW short_nap AS SELECT nap(0.2, 1) AS id;
`;

let databases: TestDatabases;
let engine: Engine;
let http: Listening;

const metadata = (url: string, maxConnections?: number): unknown => ({
  version: 3,
  sources: [{
    name: 'lim', kind: 'postgres',
    configuration: { connection_info: { database_url: url, ...(maxConnections ? { pool_settings: { max_connections: maxConnections } } : {}) } },
    tables: [
      { table: { schema: 'public', name: 'items' }, object_relationships: [{ name: 'parent', using: { foreign_key_constraint_on: 'parent_id' } }] },
      { table: { schema: 'public', name: 'slow' } },
      { table: { schema: 'public', name: 'short_nap' } },
    ],
  }],
});

beforeAll(async () => {
  databases = await createDatabases({ lim: { server: 'a', sql: SQL } });
  engine = await createEngine({
    metadata: metadata(databases.dbs.lim!.url),
    limits: { maxBodyBytes: 2000, maxDepth: 3, maxRows: 10, statementTimeoutMs: 300 },
  });
  http = await listen(engine.handler);
});
afterAll(async () => {
  await http?.close();
  await engine?.close();
  await databases?.drop();
});

const post = (body: string): Promise<Response> =>
  fetch(`${http.url}/v1/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('limits', () => {
  it('request body size: HTTP 413 with a Hasura-shaped error', async () => {
    const padding = ' '.repeat(2500);
    const res = await post(`{"query": "{ items { id } }"${padding}}`);
    expect(res.status).toBe(413);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.message).toMatch(/request body exceeds the limit of 2000 bytes/);
    // a body under the limit is served
    expect((await post(JSON.stringify({ query: '{ items(limit: 1) { id } }' }))).status).toBe(200);
  });

  it('query depth: rejected before lowering, with the path of the first field too deep', async () => {
    const compile = vi.spyOn(engine.compiler, 'compile');
    try {
      const r = await engine.execute({ query: '{ items(limit: 1) { parent { parent { id } } } }' });
      expect(r.data).toBeUndefined();
      expect(r.errors).toEqual([{
        message: 'the query has depth 4, more than the limit of 3; request fewer nested levels, or raise it with --max-depth, FARJOIN_MAX_DEPTH or createEngine limits.maxDepth (0: no limit)',
        extensions: { code: 'validation-failed', path: '$.selectionSet.items.selectionSet.parent.selectionSet.parent.selectionSet.id' },
      }]);
      // through fragments too
      const f = await engine.execute({ query: 'query { items(limit: 1) { ...P } } fragment P on items { parent { ... on items { parent { id } } } }' });
      expect(f.errors?.[0]?.extensions.code).toBe('validation-failed');
      expect(compile).not.toHaveBeenCalled();
    } finally {
      compile.mockRestore();
    }
    const ok = await engine.execute({ query: '{ items(where: {id: {_eq: 3}}) { id parent { id } } }' });
    expect(ok).toEqual({ data: { items: [{ id: 3, parent: { id: 2 } }] } });
  });

  it('rows per response: an oversized response is an error, not data', async () => {
    const r = await engine.execute({ query: '{ items { id } }' });
    expect(r.data).toBeUndefined();
    expect(r.errors).toEqual([{
      message: 'the response has more than 10 rows; narrow the query with where or limit, or raise it with --max-rows, FARJOIN_MAX_ROWS or createEngine limits.maxRows (0: no limit)',
      extensions: { code: 'validation-failed', path: '$' },
    }]);
    const ok = await engine.execute({ query: '{ items(limit: 10, order_by: {id: asc}) { id } }' });
    expect((ok.data?.items as unknown[]).length).toBe(10);
  });

  it('statement timeout: the field fails with code timeout and the backend is no longer running it', async () => {
    const t0 = Date.now();
    const r = await engine.execute({ query: '{ slow { id } }' });
    expect(Date.now() - t0).toBeLessThan(10_000); // bounded: the view sleeps 30 s
    expect(r.errors?.[0]?.extensions.code).toBe('timeout');
    expect(r.errors?.[0]?.message).toMatch(/statement timeout/);
    const active = await databases.dbs.lim!.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'farjoin' AND state = 'active' AND pid <> pg_backend_pid()`);
    expect(active[0]!.n).toBe(0);
    // the connection is reusable and the engine keeps answering
    expect(await engine.execute({ query: '{ items(where: {id: {_eq: 1}}) { id } }' })).toEqual({ data: { items: [{ id: 1 }] } });
  });

  it('pool size per source comes from pool_settings.max_connections and bounds concurrency', async () => {
    const small = await createEngine({ metadata: metadata(databases.dbs.lim!.url, 2) });
    try {
      const pool = small.sources.get('lim').pool;
      expect(pool.options.max).toBe(2);
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, pool.totalCount)), 5);
      const results = await Promise.all(Array.from({ length: 6 }, () => small.execute({ query: '{ short_nap { id } }' })));
      clearInterval(sampler);
      for (const r of results) expect(r).toEqual({ data: { short_nap: [{ id: 1 }] } });
      expect(peak).toBe(2);
      expect(pool.waitingCount).toBe(0);
    } finally {
      await small.close();
    }
  });
});
