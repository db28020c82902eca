/**
 * Hasura's `@cached` response caching and `api_limits.time_limit` (issue 15). The demo's
 * databases; whether Postgres was reached is read from the engine's statement hook and
 * from `pg_stat_database.xact_commit` of the source database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { readMetadataFile } from '../../runtime/metadata-file.js';
import { startDemo, type DemoContext } from '../helpers/demo.js';
import { listen, type Listening } from '../helpers/http.js';
import { sleep } from '../helpers/live.js';

let demo: DemoContext;
let engine: Engine;
let http: Listening;
let statements = 0;

beforeAll(async () => {
  demo = await startDemo();
  const metadata: Record<string, unknown> = { ...(await readMetadataFile(demo.metadataPath) as Record<string, unknown>), api_limits: { time_limit: { per_role: { sleepy: 1 } } } };
  // 'sleepy' reads orders with a time limit of 1 s; the test makes its query slow by holding a lock on the table.
  const sources = (metadata.sources as { name: string; tables: { table: { name: string }; select_permissions?: unknown[] }[] }[]);
  const orders = sources.find((s) => s.name === 'source_db')!.tables.find((t) => t.table.name === 'orders')!;
  orders.select_permissions = [...(orders.select_permissions ?? []), { role: 'sleepy', permission: { columns: ['id', 'user_id'], filter: {} } }];
  engine = await createEngine({ metadata, env: { ...process.env, ...demo.env }, onStatement: () => { statements++; } });
  http = await listen(engine.handler);
});
afterAll(async () => {
  await http?.close();
  await engine?.close();
  await demo?.close();
});

async function post(query: string, headers: Record<string, string> = {}, variables?: unknown): Promise<{ headers: Headers; body: any }> {
  const res = await fetch(`${http.url}/v1/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { headers: res.headers, body: await res.json() };
}

const CACHED = 'query Orders @cached(ttl: 2) { orders(order_by: {id: asc}) { id user { name } } }';

describe('@cached', () => {
  it('answers a repeated query from the cache, with Hasura\'s headers, without reaching Postgres', async () => {
    const first = await post(CACHED);
    expect(first.body.data.orders).toHaveLength(6);
    expect(first.headers.get('cache-control')).toBe('max-age=2');
    const key = first.headers.get('x-hasura-query-cache-key');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(first.headers.get('x-hasura-query-family-cache-key')).toMatch(/^[0-9a-f]{64}$/);
    const before = statements;
    const second = await post(CACHED);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('x-hasura-query-cache-key')).toBe(key);
    expect(second.headers.get('cache-control')).toMatch(/^max-age=[12]$/);
    expect(statements).toBe(before);
  });

  it('expires an entry after its ttl, and refresh: true runs the query again', async () => {
    const query = 'query Once @cached(ttl: 1) { orders(where: {id: {_eq: 1}}) { id } }';
    await post(query);
    const before = statements;
    await post(query);
    expect(statements).toBe(before);
    await sleep(1100);
    await post(query);
    expect(statements).toBe(before + 1);
    await post('query Once @cached(ttl: 1, refresh: true) { orders(where: {id: {_eq: 1}}) { id } }');
    expect(statements).toBe(before + 2);
  });

  it('never shares an entry between two roles, or two users whose permission reads their id', async () => {
    const query = 'query Mine @cached { orders(order_by: {id: asc}) { id } }';
    const admin = await post(query);
    const one = await post(query, { 'x-hasura-role': 'user', 'x-hasura-user-id': '1' });
    const two = await post(query, { 'x-hasura-role': 'user', 'x-hasura-user-id': '2' });
    expect(admin.body.data.orders).toHaveLength(6);
    expect(one.body.data.orders.map((o: { id: number }) => o.id)).toEqual([1, 2]);
    expect(two.body.data.orders.map((o: { id: number }) => o.id)).toEqual([3]);
    expect(new Set([admin, one, two].map((r) => r.headers.get('x-hasura-query-cache-key'))).size).toBe(3);
    // An unrelated session variable does not split the entry of a role that does not read it.
    const before = statements;
    const again = await post(query, { 'x-hasura-role': 'user', 'x-hasura-user-id': '1', 'x-hasura-other': 'x' });
    expect(again.body).toEqual(one.body);
    expect(statements).toBe(before);
  });

  it('keys on variables; the family key ignores them; errors are not kept; uncached queries carry no header', async () => {
    const query = 'query ById($id: Int!) @cached { orders(where: {id: {_eq: $id}}) { id } }';
    const a = await post(query, {}, { id: 1 });
    const b = await post(query, {}, { id: 2 });
    expect(a.body.data.orders).toEqual([{ id: 1 }]);
    expect(b.body.data.orders).toEqual([{ id: 2 }]);
    expect(a.headers.get('x-hasura-query-cache-key')).not.toBe(b.headers.get('x-hasura-query-cache-key'));
    expect(a.headers.get('x-hasura-query-family-cache-key')).toBe(b.headers.get('x-hasura-query-family-cache-key'));
    const bad = await post('query Bad @cached { orders { nope } }');
    expect(bad.body.errors).toBeDefined();
    expect(bad.headers.get('cache-control')).toBeNull();
    expect((await post('{ orders { id } }')).headers.get('cache-control')).toBeNull();
    const text = await (await fetch(`${http.url}/v1/metrics`)).text();
    expect(text).toMatch(/^hasura_cache_request_count\{status="hit"\} [1-9]/m);
    expect(text).toMatch(/^hasura_cache_request_count\{status="miss"\} [1-9]/m);
  });
});

describe('api_limits.time_limit', () => {
  it("stops a role's request past its time limit and cancels its statement", async () => {
    // Hold a lock on orders so that the role's query waits in Postgres.
    const locker = new pg.Client({ connectionString: demo.databases.dbs.source_db!.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const slow = await post('{ orders { id } }', { 'x-hasura-role': 'sleepy' });
      const took = Date.now() - started;
      expect(slow.body.errors[0].extensions.code).toBe('timeout');
      expect(slow.body.errors[0].message).toContain('time limit of 1 s for role "sleepy"');
      expect(took).toBeLessThan(5000);
      // The statement was cancelled: soon nothing of farjoin's waits on the lock any more.
      const waiting = async (): Promise<string> => (await locker.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM pg_stat_activity WHERE application_name = 'farjoin' AND wait_event_type = 'Lock'")).rows[0]!.n;
      for (let i = 0; i < 40 && (await waiting()) !== '0'; i++) await sleep(50);
      expect(await waiting()).toBe('0');
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    // Admin is never limited.
    expect((await post('{ orders { id } }')).body.data.orders).toHaveLength(6);
  });
});
