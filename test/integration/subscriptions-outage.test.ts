/**
 * A source that goes down under a live query (issue 14): the remote database of a live
 * query's remote relationship becomes unreachable — a TCP proxy in front of it stops
 * listening and drops its connections — and every subscriber is sent the rows of the
 * database that still answers with `source-unavailable` for the remote field; when the
 * proxy listens again the next poll sends the joined data again, without resubscribing.
 * A live query that needs only the database that stays up is sent nothing new. When the
 * root field's own database goes down the subscription is kept too (`orders: null` and the
 * error), and resumes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine, type GraphQLResponse } from '../../runtime/engine.js';
import { packageFile } from '../../runtime/paths.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { useFixture } from '../helpers/lifecycle.js';
import { Collected, sql } from '../helpers/live.js';
import { freePort, proxyTo, viaPort, type Proxy } from '../helpers/proxy.js';

interface Fixture { databases: TestDatabases; engine: Engine; proxy: Proxy; parentProxy: Proxy }
const fixture = useFixture<Fixture>(async () => {
  const databases = await createDatabases({
    source_db: { server: 'a', sql: readFileSync(packageFile('fixtures', 'demo', 'source_db.sql'), 'utf8') },
    target_db: { server: 'b', sql: readFileSync(packageFile('fixtures', 'demo', 'target_db.sql'), 'utf8') },
  });
  const [port, parentPort] = [await freePort(), await freePort()];
  const proxy = proxyTo(port, new URL(databases.dbs.target_db!.url));
  const parentProxy = proxyTo(parentPort, new URL(databases.dbs.source_db!.url));
  await Promise.all([proxy.open(), parentProxy.open()]);
  const env = { ...process.env, SOURCE_DB_URL: viaPort(databases.dbs.source_db!.url, parentPort), TARGET_DB_URL: viaPort(databases.dbs.target_db!.url, port) };
  const engine = await createEngine({
    metadataPath: packageFile('fixtures', 'demo', 'metadata.yaml'), env,
    liveQueries: { refetchIntervalMs: 50 }, limits: { connectTimeoutMs: 1000 },
  });
  return { databases, engine, proxy, parentProxy };
}, async ({ databases, engine, proxy, parentProxy }) => {
  await engine.close();
  await Promise.all([proxy.close(), parentProxy.close()]);
  await databases.drop();
});

type Orders = { orders: { id: number; user: { name: string } | null }[] };
const LIVE = 'subscription { orders(order_by: {id: asc}) { id user { name } } }';
const names = (r: GraphQLResponse) => (r.data as Orders | undefined)?.orders.map((o) => o.user?.name ?? null);

describe('a remote source that goes down under a live query', () => {
  it('sends source-unavailable for the remote field to every subscriber, and the data again when it returns', async () => {
    const { engine, proxy, databases } = fixture();
    const a = new Collected(engine.subscribe({ query: LIVE }));
    const b = new Collected(engine.subscribe({ query: LIVE }));
    // Not affected: a live query on the database that stays up.
    const local = new Collected(engine.subscribe({ query: 'subscription { orders(order_by: {id: asc}) { id user_id } }' }));
    const [a0, b0] = await Promise.all([a.waitFor(() => true), b.waitFor(() => true), local.waitFor(() => true)]);
    expect(names(a0)).toEqual(['Alice', 'Alice', 'Bob', 'Carol', null, null]);
    expect(b0).toEqual(a0);
    expect(a0.errors).toBeUndefined();

    await proxy.close();
    const down = (r: GraphQLResponse) => (r.errors ?? []).length > 0;
    const [aDown, bDown] = await Promise.all([a.waitFor(down, 1), b.waitFor(down, 1)]);
    expect(aDown.errors).toHaveLength(1);
    expect(aDown.errors![0]).toMatchObject({
      message: 'source "target_db" is unavailable',
      extensions: { code: 'source-unavailable', path: '$.selectionSet.orders.selectionSet.user' },
    });
    // The parent's database still answers: its rows are there, the remote field is null.
    expect((aDown.data as Orders).orders.map((o) => o.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(names(aDown)).toEqual([null, null, null, null, null, null]);
    expect(bDown).toEqual(aDown);
    expect(engine.live.stats()).toMatchObject({ pollers: 2, subscribers: 3 });

    // Pushed once: the same error is not sent again while the source stays down.
    const seen = a.items.length;
    const polls = engine.live.stats().polls;
    while (engine.live.stats().polls < polls + 3) await new Promise((r) => setTimeout(r, 20));
    expect(a.items.length).toBe(seen);
    expect(local.items).toHaveLength(1);
    expect(local.items[0]!.errors).toBeUndefined();

    // A change made while it is down arrives with the recovery.
    await sql(databases.dbs.target_db!.url, `UPDATE "user" SET name = 'Bobby' WHERE id = 2`);
    await proxy.open();
    const up = (r: GraphQLResponse) => r.errors === undefined;
    const [aUp, bUp] = await Promise.all([a.waitFor(up, seen), b.waitFor(up, b.items.length)]);
    expect(names(aUp)).toEqual(['Alice', 'Alice', 'Bobby', 'Carol', null, null]);
    expect(bUp).toEqual(aUp);
    expect(local.items).toHaveLength(1);
    await Promise.all([a.stop(), b.stop(), local.stop()]);
    await sql(databases.dbs.target_db!.url, `UPDATE "user" SET name = 'Bob' WHERE id = 2`);
    expect(engine.live.stats()).toMatchObject({ subscribers: 0, timers: 0 });
  }, 20_000);

  it("keeps a live query whose root field's database goes down, sends the error, and the data when it returns", async () => {
    const { engine, parentProxy } = fixture();
    const a = new Collected(engine.subscribe({ query: LIVE }));
    expect(names(await a.waitFor(() => true))).toEqual(['Alice', 'Alice', 'Bob', 'Carol', null, null]);
    await parentProxy.close();
    const down = await a.waitFor((r) => (r.errors ?? []).length > 0, 1);
    expect(down.data).toEqual({ orders: null });
    expect(down.errors).toHaveLength(1);
    expect(down.errors![0]).toMatchObject({ message: 'source "source_db" is unavailable', extensions: { code: 'source-unavailable', path: '$.selectionSet.orders' } });
    expect(a.ended).toBe(false);
    await parentProxy.open();
    const up = await a.waitFor((r) => r.errors === undefined, a.items.length);
    expect(names(up)).toEqual(['Alice', 'Alice', 'Bob', 'Carol', null, null]);
    await a.stop();
    expect(engine.live.stats()).toMatchObject({ subscribers: 0, timers: 0 });
  }, 15_000);
});
