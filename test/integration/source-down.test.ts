/**
 * A source down at start (issue 16): everything that does not need it is served, the
 * source is an inconsistent object (as Hasura marks it) in engine.inconsistencies(),
 * /healthz and `farjoin check`; it is retried with backoff and served once it answers,
 * without a restart. "Down" is a real port nobody listens on; "back" is a TCP proxy that
 * starts listening there and forwards to the real Postgres server.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { runCli } from '../helpers/cli.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { listen, type Listening } from '../helpers/http.js';
import { useFixture } from '../helpers/lifecycle.js';
import { freePort, proxyTo } from '../helpers/proxy.js';

/** Listens on `port` and forwards every connection to `target` (host:port of the real server). */
async function startProxy(port: number, target: URL): Promise<{ close(): Promise<void> }> {
  const proxy = proxyTo(port, target);
  await proxy.open();
  return proxy;
}

interface Fixture {
  databases: TestDatabases;
  engine: Engine;
  http: Listening;
  port: number;
  realUrl: URL;
  env: Record<string, string>;
  proxy?: { close(): Promise<void> };
}

const fixture = useFixture<Fixture>(async () => {
  const databases = await createDatabases({
    up: { server: 'a', sql: 'CREATE TABLE orders (id int PRIMARY KEY, user_id int); INSERT INTO orders VALUES (1, 1), (2, 2), (3, NULL);' },
    later: { server: 'b', sql: 'CREATE TABLE "user" (id int PRIMARY KEY, name text); INSERT INTO "user" VALUES (1, \'Alice\'), (2, \'Bob\');' },
  });
  const realUrl = new URL(databases.dbs.later!.url);
  const port = await freePort();
  const downUrl = new URL(realUrl);
  downUrl.hostname = '127.0.0.1';
  downUrl.port = String(port);
  const env = { UP_URL: databases.dbs.up!.url, LATER_URL: downUrl.toString() };
  const metadata = {
    version: 3,
    sources: [
      {
        name: 'up', kind: 'postgres', configuration: { connection_info: { database_url: { from_env: 'UP_URL' } } },
        tables: [{
          table: { schema: 'public', name: 'orders' },
          remote_relationships: [{ name: 'user', definition: { to_source: { relationship_type: 'object', source: 'later', table: { schema: 'public', name: 'user' }, field_mapping: { user_id: 'id' } } } }],
        }],
      },
      { name: 'later', kind: 'postgres', configuration: { connection_info: { database_url: { from_env: 'LATER_URL' } } }, tables: [{ table: { schema: 'public', name: 'user' } }] },
    ],
  };
  const engine = await createEngine({ metadata, env, sourceRetry: { initialMs: 100, maxMs: 400 }, limits: { connectTimeoutMs: 2000 } });
  const http = await listen(engine.handler);
  return { databases, engine, http, port, realUrl, env };
}, async (f) => {
  await f.http.close();
  await f.engine.close();
  await f.proxy?.close();
  await f.databases.drop();
});

describe('a source down at start', () => {
  it('is reported as an inconsistent source; what does not need it is served', async () => {
    const { engine } = fixture();
    const names = engine.inconsistencies().map((o) => o.name);
    expect(names).toEqual(['source later', 'remote_relationship user in table orders in source up']);
    expect(engine.inconsistencies()[0]).toMatchObject({ type: 'source', definition: 'later', path: '$.sources[1]', reason: expect.stringContaining('source "later" is unavailable') });
    expect(await engine.execute({ query: '{ orders(order_by: {id: asc}) { id } }' })).toEqual({ data: { orders: [{ id: 1 }, { id: 2 }, { id: 3 }] } });
    expect((await engine.execute({ query: '{ user { id } }' })).errors?.[0]?.message).toBe("field 'user' not found in type: 'query_root'");
  });

  it('/healthz answers 503 naming it; farjoin check lists it and exits 1', async () => {
    const { http, env } = fixture();
    const res = await fetch(`${http.url}/healthz`);
    expect(res.status).toBe(503);
    const body = await res.json() as { failing: { source: string; code: string }[]; inconsistent_objects: number };
    expect(body.failing).toEqual([expect.objectContaining({ source: 'later', code: 'source-unavailable' })]);
    expect(body.inconsistent_objects).toBe(2);
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'farjoin-down-')), 'metadata.json');
    writeFileSync(file, JSON.stringify(fixture().engine.metadata));
    const r = await runCli(['check', '--metadata', file], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('source later\n    at:     $.sources[1]\n    reason: source "later" is unavailable');
  });

  it('is served once it answers, without a restart', async () => {
    const f = fixture();
    const started = Date.now();
    f.proxy = await startProxy(f.port, f.realUrl);
    while (f.engine.inconsistencies().length > 0 && Date.now() - started < 15_000) await new Promise((r) => setTimeout(r, 50));
    expect(f.engine.inconsistencies()).toEqual([]);
    expect(await f.engine.execute({ query: '{ orders(order_by: {id: asc}) { id user { name } } }' })).toEqual({ data: { orders: [
      { id: 1, user: { name: 'Alice' } }, { id: 2, user: { name: 'Bob' } }, { id: 3, user: null },
    ] } });
    const res = await fetch(`${f.http.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('OK');
  });
});
