/**
 * A metadata database shared by two instances (issue 13): created on first start,
 * versioned; a change made on one instance is served by the other within a second
 * (NOTIFY/LISTEN); concurrent writers are serialised by resource_version (409), never
 * last-write-wins; a restarted instance serves what was stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { listen, type Listening } from '../helpers/http.js';
import { addSource, ADMIN_SECRET, demoDatabases, EXAMPLE_ANSWER, EXAMPLE_QUERY, metadataClient, ORDERS_USER, type MetadataClient } from '../helpers/metadata-api.js';

let demo: TestDatabases;
let meta: TestDatabases;
let env: Record<string, string>;
const running: { engine: Engine; http: Listening }[] = [];

async function instance(): Promise<MetadataClient & { engine: Engine; stop(): Promise<void> }> {
  const engine = await createEngine({ metadataDatabase: meta.dbs.meta!.url, adminSecret: ADMIN_SECRET, env: { ...process.env, ...env } });
  const http = await listen(engine.handler);
  const entry = { engine, http };
  running.push(entry);
  return {
    ...metadataClient(http.url), engine,
    stop: async () => {
      running.splice(running.indexOf(entry), 1);
      await http.close();
      await engine.close();
    },
  };
}

beforeAll(async () => {
  ({ databases: demo, env } = await demoDatabases());
  meta = await createDatabases({ meta: { server: 'a', sql: 'SELECT 1' } });
});
afterAll(async () => {
  for (const r of [...running]) {
    await r.http.close();
    await r.engine.close();
  }
  await demo?.drop();
  await meta?.drop();
});

const track = (source: string, name: string) => ({ type: 'pg_track_table', args: { source, table: { schema: 'public', name } } });

/** Polls until `fn` holds, returning the time it took (ms); fails after `limitMs`. */
async function within(limitMs: number, fn: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    if (await fn()) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`not within ${limitMs} ms`);
}

describe('metadata database shared by two instances', () => {
  it('creates its schema on first start and serves a change made on the other instance within a second', async () => {
    const a = await instance();
    const b = await instance();
    const tables = await meta.dbs.meta!.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'farjoin_metadata' ORDER BY 1");
    expect(tables.map((t) => t.table_name)).toEqual(['catalog_state', 'metadata', 'schema_version']);
    expect((await b.meta({ type: 'export_metadata', args: {} })).body).toEqual({ version: 3, sources: [] });
    for (const op of [addSource('source_db'), addSource('target_db'), track('source_db', 'orders'), track('target_db', 'user')]) {
      expect((await a.meta(op)).status).toBe(200);
    }
    // B has caught up with the changes so far; the next one is measured alone.
    const caughtUp = (await a.meta({ type: 'export_metadata', version: 2, args: {} })).body.resource_version;
    await within(5000, async () => (await b.meta({ type: 'export_metadata', version: 2, args: {} })).body.resource_version === caughtUp);
    const started = performance.now();
    expect((await a.meta(ORDERS_USER)).status).toBe(200);
    const ms = await within(1000, async () => JSON.stringify(await b.graphql(EXAMPLE_QUERY)) === JSON.stringify(EXAMPLE_ANSWER));
    expect(ms).toBeLessThan(1000);
    expect(performance.now() - started).toBeLessThan(1500);
    const va = (await a.meta({ type: 'export_metadata', version: 2, args: {} })).body;
    const vb = (await b.meta({ type: 'export_metadata', version: 2, args: {} })).body;
    expect(vb).toEqual(va);
    const [row] = await meta.dbs.meta!.query<{ resource_version: number }>('SELECT resource_version FROM farjoin_metadata.metadata');
    expect(row!.resource_version).toBe(va.resource_version);
  });

  it('serialises concurrent writers by resource_version: the second gets 409, nothing is lost', async () => {
    const [a, b] = running.map((r) => metadataClient(r.http.url));
    const version = (await a!.meta({ type: 'export_metadata', version: 2, args: {} })).body.resource_version as number;
    await within(1000, async () => (await b!.meta({ type: 'export_metadata', version: 2, args: {} })).body.resource_version === version);
    const customize = (name: string) => ({ type: 'pg_set_table_customization', resource_version: version, args: { source: 'target_db', table: 'user', configuration: { custom_name: name } } });
    const answers = await Promise.all([a!.meta(customize('people')), b!.meta(customize('persons'))]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(answers.find((r) => r.status === 409)!.body.code).toBe('conflict');
    // Without a resource_version, a writer behind the other catches up and applies its change on top.
    const both = await Promise.all([
      a!.meta({ type: 'pg_create_select_permission', args: { source: 'source_db', table: 'orders', role: 'r1', permission: { columns: ['id'], filter: {} } } }),
      b!.meta({ type: 'pg_create_select_permission', args: { source: 'source_db', table: 'orders', role: 'r2', permission: { columns: ['id'], filter: {} } } }),
    ]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    await within(1000, async () => {
      const md = (await b!.meta({ type: 'export_metadata', args: {} })).body;
      return md.sources[0].tables[0].select_permissions?.length === 2;
    });
    const stored = await meta.dbs.meta!.query<{ metadata: any }>('SELECT metadata FROM farjoin_metadata.metadata');
    expect(stored[0]!.metadata.sources[0].tables[0].select_permissions.map((p: { role: string }) => p.role).sort()).toEqual(['r1', 'r2']);
  });

  it('an instance whose LISTEN connection was cut reconnects and catches up', async () => {
    const [a, b] = running.map((r) => metadataClient(r.http.url));
    const cut = await meta.dbs.meta!.query<{ ok: boolean }>(
      "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'farjoin-metadata-listen' AND datname = current_database()");
    expect(cut.length).toBe(2);
    // A change made while B's listener is down (A's too) reaches B once it reconnects.
    expect((await a!.meta({ type: 'pg_create_select_permission', args: { source: 'source_db', table: 'orders', role: 'r3', permission: { columns: ['id'], filter: {} } } })).status).toBe(200);
    await within(3000, async () => {
      const md = (await b!.meta({ type: 'export_metadata', args: {} })).body;
      return md.sources[0].tables[0].select_permissions?.length === 3;
    });
  });

  it('a restarted instance serves what was stored, and catalog state is kept', async () => {
    const first = metadataClient(running[0]!.http.url);
    expect((await first.meta({ type: 'set_catalog_state', args: { type: 'console', state: { onboarding: 'done' } } })).body).toEqual({ message: 'success' });
    for (const r of [...running]) {
      running.splice(running.indexOf(r), 1);
      await r.http.close();
      await r.engine.close();
    }
    const c = await instance();
    const answer = await c.graphql('{ orders(order_by: {id: asc}, limit: 1) { id user { id } } }');
    expect(answer).toEqual({ data: { orders: [{ id: 1, user: { id: 1 } }] } });
    const state = (await c.meta({ type: 'get_catalog_state', args: {} })).body;
    expect(state.console_state).toEqual({ onboarding: 'done' });
    expect(state.id).toMatch(/^[0-9a-f-]{36}$/);
    await c.stop();
  });
});
