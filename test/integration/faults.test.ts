/**
 * Faults (DESIGN.md §8, issue 6): the target database of the demo runs on a dedicated
 * embedded server that the test stops and restarts. A source that is down, restarted or
 * slow fails only the fields that need it (`source-unavailable` / `timeout`, with the
 * field's path); other fields and requests keep working; the engine reconnects by itself;
 * /healthz names the failing source; pools return to their baseline.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../runtime/embedded/cluster.js';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { packageFile } from '../../runtime/paths.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { listen, type Listening } from '../helpers/http.js';
import pg from 'pg';

const TARGET_SQL = `${readFileSync(packageFile('fixtures', 'demo', 'target_db.sql'), 'utf8')}
CREATE FUNCTION nap(seconds float8, v int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(seconds); RETURN v; END $$;
CREATE VIEW napping AS SELECT nap(3, 1) AS id;
`;

const METADATA = {
  version: 3,
  sources: [
    {
      name: 'source_db', kind: 'postgres',
      configuration: { connection_info: { database_url: { from_env: 'SOURCE_DB_URL' }, pool_settings: { max_connections: 5 } } },
      tables: [{
        table: { schema: 'public', name: 'orders' },
        remote_relationships: [{ name: 'user', definition: { to_source: {
          relationship_type: 'object', source: 'target_db', table: { schema: 'public', name: 'user' }, field_mapping: { user_id: 'id' } } } }],
        select_permissions: [{ role: 'user', permission: { columns: ['id', 'user_id'], filter: {} } }],
      }],
    },
    {
      name: 'target_db', kind: 'postgres',
      configuration: { connection_info: { database_url: { from_env: 'TARGET_DB_URL' }, pool_settings: { max_connections: 5 } } },
      tables: [
        { table: { schema: 'public', name: 'user' }, select_permissions: [{ role: 'user', permission: { columns: ['id', 'name'], filter: {} } }] },
        { table: { schema: 'public', name: 'napping' } },
      ],
    },
  ],
};

let cluster: EmbeddedCluster;
let databases: TestDatabases;
let targetUrl: string;
let engine: Engine;
let http: Listening;

beforeAll(async () => {
  [cluster, databases] = await Promise.all([
    EmbeddedCluster.start(['target']),
    createDatabases({ source_db: { server: 'a', sql: readFileSync(packageFile('fixtures', 'demo', 'source_db.sql'), 'utf8') } }),
  ]);
  targetUrl = await cluster.createDatabase('target', 'target_db');
  const c = new pg.Client({ connectionString: targetUrl });
  await c.connect();
  await c.query(TARGET_SQL);
  await c.end();
  engine = await createEngine({
    metadata: METADATA,
    env: { SOURCE_DB_URL: databases.dbs.source_db!.url, TARGET_DB_URL: targetUrl },
    limits: { statementTimeoutMs: 1500, connectTimeoutMs: 2000 },
  });
  http = await listen(engine.handler);
}, 120_000);

afterAll(async () => {
  await http?.close();
  await engine?.close();
  await databases?.drop();
  await cluster?.stop();
});

const ORDERS_WITH_USER = '{ orders(order_by: {id: asc}) { id user { name } } }';
const ALL_USERS = [
  { id: 1, user: { name: 'Alice' } }, { id: 2, user: { name: 'Alice' } }, { id: 3, user: { name: 'Bob' } },
  { id: 4, user: { name: 'Carol' } }, { id: 5, user: null }, { id: 6, user: null },
];
const NO_USERS = ALL_USERS.map(({ id }) => ({ id, user: null }));

async function targetBackends(): Promise<number> {
  const c = new pg.Client({ connectionString: targetUrl });
  await c.connect();
  try {
    const r = await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'target_db' AND application_name = 'farjoin'`);
    return r.rows[0]!.n;
  } finally {
    await c.end();
  }
}

function expectPoolsAtBaseline(): void {
  for (const name of ['source_db', 'target_db']) {
    const pool = engine.sources.get(name).pool;
    expect({ name, waiting: pool.waitingCount, checkedOut: pool.totalCount - pool.idleCount }).toEqual({ name, waiting: 0, checkedOut: 0 });
    expect(pool.totalCount).toBeLessThanOrEqual(5);
  }
}

describe('faults: the target database goes away and comes back', () => {
  it('serves everything while both sources are up', async () => {
    expect(await engine.execute({ query: ORDERS_WITH_USER })).toEqual({ data: { orders: ALL_USERS } });
    expect((await fetch(`${http.url}/healthz`)).status).toBe(200);
    expectPoolsAtBaseline();
  });

  it('a slow target times out only the field on it (code timeout); the rest is data', async () => {
    const r = await engine.execute({ query: '{ orders(order_by: {id: asc}, limit: 1) { id } napping { id } }' });
    expect(r.data).toEqual({ orders: [{ id: 1 }], napping: null });
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]!.extensions).toMatchObject({ path: '$.selectionSet.napping', code: 'timeout' });
    expectPoolsAtBaseline();
  });

  it('a target stopped mid-statement fails that field with source-unavailable', async () => {
    const pending = engine.execute({ query: '{ orders(order_by: {id: asc}, limit: 1) { id } napping { id } }' });
    await new Promise((r) => setTimeout(r, 300));
    await cluster.stopServer('target');
    const r = await pending;
    expect(r.data).toEqual({ orders: [{ id: 1 }], napping: null });
    expect(r.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ path: '$.selectionSet.napping', code: 'source-unavailable' })]);
  });

  it('while the target is down, its fields are null with errors and the other source still answers', async () => {
    const r = await engine.execute({ query: `{ orders(order_by: {id: asc}) { id user { name } } user { id } }` });
    expect(r.data).toEqual({ orders: NO_USERS, user: null });
    expect(r.errors).toEqual([
      { message: 'source "target_db" is unavailable', extensions: expect.objectContaining({ path: '$.selectionSet.orders.selectionSet.user', code: 'source-unavailable' }) },
      { message: 'source "target_db" is unavailable', extensions: expect.objectContaining({ path: '$.selectionSet.user', code: 'source-unavailable' }) },
    ]);
    // requests that do not need the target are untouched
    expect(await engine.execute({ query: '{ orders(order_by: {id: asc}) { id } }' })).toEqual({ data: { orders: ALL_USERS.map(({ id }) => ({ id })) } });
    // over HTTP: 200, data and errors together
    const res = await fetch(`${http.url}/v1/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: ORDERS_WITH_USER }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: unknown; errors: unknown[] };
    expect(body.data).toEqual({ orders: NO_USERS });
    expect(body.errors).toHaveLength(1);
  });

  it('shows the driver detail to admins only', async () => {
    const asUser = await engine.execute({ query: ORDERS_WITH_USER, headers: { 'x-hasura-role': 'user' } });
    expect(asUser.data).toEqual({ orders: NO_USERS });
    expect(asUser.errors).toEqual([{ message: 'source "target_db" is unavailable', extensions: { path: '$.selectionSet.orders.selectionSet.user', code: 'source-unavailable' } }]);
    expect(JSON.stringify(asUser)).not.toMatch(/ECONN|127\.0\.0\.1|"internal"|select\s/i);
    const asAdmin = await engine.execute({ query: ORDERS_WITH_USER });
    expect(asAdmin.errors?.[0]?.extensions.internal).toMatchObject({ source: 'target_db', code: 'ECONNREFUSED' });
  });

  it('/healthz answers 503 naming the failing source', async () => {
    const res = await fetch(`${http.url}/healthz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; failing: { source: string; code: string; error: string }[] };
    expect(body.status).toBe('unavailable');
    expect(body.failing).toEqual([{ source: 'target_db', code: 'source-unavailable', error: 'source "target_db" is unavailable' }]);
  });

  it('reconnects by itself once the target is back, and the pools return to baseline', async () => {
    await cluster.startServer('target');
    expect(await engine.execute({ query: ORDERS_WITH_USER })).toEqual({ data: { orders: ALL_USERS } });
    expect((await fetch(`${http.url}/healthz`)).status).toBe(200);
    // a burst of concurrent requests, then nothing is left checked out or waiting
    const burst = await Promise.all(Array.from({ length: 20 }, () => engine.execute({ query: ORDERS_WITH_USER })));
    for (const r of burst) expect(r).toEqual({ data: { orders: ALL_USERS } });
    expectPoolsAtBaseline();
    // and the target has exactly the pool's connections open: none leaked
    expect(await targetBackends()).toBe(engine.sources.get('target_db').pool.totalCount);
  });

  it('survives a restart with idle pooled connections (stale clients are replaced)', async () => {
    expect(engine.sources.get('target_db').pool.idleCount).toBeGreaterThan(0);
    await cluster.stopServer('target');
    await cluster.startServer('target');
    expect(await engine.execute({ query: ORDERS_WITH_USER })).toEqual({ data: { orders: ALL_USERS } });
    expectPoolsAtBaseline();
  });
});
