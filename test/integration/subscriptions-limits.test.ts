/**
 * Subscription limits and leaks (issue 14, DESIGN.md §9): the engine-wide limit
 * (`liveQueries.maxSubscriptions`) refuses one more subscription over graphql-ws with a
 * clear error; a consumer that does not read is dropped after `maxBufferedResponses`
 * undelivered responses while the others of its cohort go on; and once everybody has
 * unsubscribed no timer is armed and the pools have nothing in use or waiting.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createClient, type Client } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { GraphQLResponse } from '../../runtime/engine.js';
import { serve, shutdown } from '../../runtime/server/serve.js';
import { startDemo, type DemoContext } from '../helpers/demo.js';
import { useFixture } from '../helpers/lifecycle.js';
import { Collected, sleep, sql } from '../helpers/live.js';

const ADMIN = { 'x-hasura-admin-secret': 'sekret' };
const MAX = 3;
const BUFFER = 2;

interface Fixture { demo: DemoContext; server: Server; port: number }
const fixture = useFixture<Fixture>(async () => {
  const demo = await startDemo({ adminSecret: 'sekret', liveQueries: { refetchIntervalMs: 30, maxSubscriptions: MAX, maxBufferedResponses: BUFFER } });
  const server = await serve(demo.engine, 0, '127.0.0.1');
  return { demo, server, port: (server.address() as AddressInfo).port };
}, async ({ demo, server }) => {
  await shutdown(server, demo.engine, { drainTimeoutMs: 1000 });
  await demo.close();
});

function wsClient(): Client {
  return createClient({
    url: `ws://127.0.0.1:${fixture().port}/v1/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false,
    onNonLazyError: () => undefined, connectionParams: { headers: ADMIN },
  });
}

/** The pools' connections in use and requests waiting, per source, from GET /v1/metrics. */
async function busyConnections(): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${fixture().port}/v1/metrics`, { headers: ADMIN })).text();
  const busy: Record<string, number> = {};
  for (const m of text.matchAll(/^farjoin_postgres_pool_connections\{source_name="([^"]+)",state="(in_use|waiting)"\} (\d+)$/gm)) {
    busy[m[1]!] = (busy[m[1]!] ?? 0) + Number(m[3]);
  }
  return busy;
}

const BY_PK = 'subscription ($id: Int!) { orders_by_pk(id: $id) { id user { name } } }';

describe('subscription limits', () => {
  it('refuses a subscription beyond the engine-wide limit over graphql-ws with a clear error, and takes it once one ends', async () => {
    const [one, two] = [wsClient(), wsClient()];
    const subs = [
      new Collected(one.iterate({ query: BY_PK, variables: { id: 1 } })),
      new Collected(one.iterate({ query: BY_PK, variables: { id: 2 } })),
      new Collected(two.iterate({ query: BY_PK, variables: { id: 3 } })),
    ];
    const first = await Promise.all(subs.map((s) => s.waitFor(() => true)));
    expect(first[2]).toEqual({ data: { orders_by_pk: { id: 3, user: { name: 'Bob' } } } });
    expect(fixture().demo.engine.live.stats().subscribers).toBe(MAX);

    const over = new Collected(two.iterate({ query: BY_PK, variables: { id: 4 } }));
    await over.untilEnded();
    // The protocol's `error` message, as for the per-connection limit: no `next` at all.
    expect(over.items).toEqual([]);
    expect(JSON.parse(JSON.stringify(over.error))).toEqual([
      { message: `too many subscriptions: the server holds its limit of ${MAX}; retry later`, extensions: { path: '$', code: 'validation-failed' } },
    ]);
    expect(fixture().demo.engine.live.stats().subscribers).toBe(MAX);

    // The legacy protocol sends its `error` message with the same payload.
    const legacy = new WebSocket(`ws://127.0.0.1:${fixture().port}/v1/graphql`, 'graphql-ws');
    const messages: { type: string; id?: string; payload?: unknown }[] = [];
    legacy.on('message', (m) => messages.push(JSON.parse(String(m))));
    await new Promise((r) => legacy.on('open', r));
    legacy.send(JSON.stringify({ type: 'connection_init', payload: { headers: ADMIN } }));
    legacy.send(JSON.stringify({ type: 'start', id: '1', payload: { query: BY_PK, variables: { id: 5 } } }));
    for (let i = 0; i < 200 && !messages.some((m) => m.id === '1'); i++) await sleep(25);
    expect(messages.find((m) => m.id === '1')).toEqual({
      type: 'error', id: '1', payload: { message: `too many subscriptions: the server holds its limit of ${MAX}; retry later`, extensions: { path: '$', code: 'validation-failed' } },
    });
    legacy.close();

    await subs[0]!.stop();
    await sleep(50);
    const again = new Collected(two.iterate({ query: BY_PK, variables: { id: 4 } }));
    expect(await again.waitFor(() => true)).toEqual({ data: { orders_by_pk: { id: 4, user: { name: 'Carol' } } } });
    await Promise.all([again.stop(), subs[1]!.stop(), subs[2]!.stop()]);
    await Promise.all([one.dispose(), two.dispose()]);
    for (let i = 0; i < 40 && fixture().demo.engine.live.stats().subscribers > 0; i++) await sleep(25);
    expect(fixture().demo.engine.live.stats()).toMatchObject({ subscribers: 0, timers: 0 });
  });

  it('drops a consumer that does not read after its bounded buffer; the others of its cohort go on', async () => {
    const { engine, databases } = fixture().demo;
    const query = 'subscription { user_by_pk(id: 1) { name } }';
    const slow = engine.subscribe({ query, headers: ADMIN }); // never read until the end
    const fast = new Collected(engine.subscribe({ query, headers: ADMIN }));
    await fast.waitFor(() => true);
    expect(engine.live.stats()).toMatchObject({ cohorts: 1, subscribers: 2 });
    const name = (r: GraphQLResponse) => (r.data as { user_by_pk: { name: string } } | undefined)?.user_by_pk.name;
    const target = databases.dbs.target_db!.url;
    try {
      // Each change is seen by a poll before the next: the slow one is pushed 1 + n responses.
      for (let n = 1; n <= BUFFER + 1; n++) {
        await sql(target, 'UPDATE "user" SET name = $1 WHERE id = 1', [`Alice ${n}`]);
        await fast.waitFor((r) => name(r) === `Alice ${n}`);
      }
      expect(engine.live.stats()).toMatchObject({ cohorts: 1, subscribers: 1 });
      const rest: GraphQLResponse[] = [];
      for await (const r of slow) rest.push(r);
      expect(rest).toEqual([{
        errors: [{ message: `the subscriber did not read its results: more than ${BUFFER} responses were waiting, so the subscription was stopped`, extensions: { path: '$', code: 'unexpected' } }],
      }]);
      // The fast one still gets changes.
      await sql(target, 'UPDATE "user" SET name = $1 WHERE id = 1', ['Alice again']);
      expect(name(await fast.waitFor((r) => name(r) === 'Alice again'))).toBe('Alice again');
      expect(fast.ended).toBe(false);
    } finally {
      await sql(target, 'UPDATE "user" SET name = $1 WHERE id = 1', ['Alice']);
    }
    await fast.stop();
    expect(engine.live.stats()).toMatchObject({ pollers: 0, cohorts: 0, subscribers: 0, timers: 0 });
  });

  it('leaves no timer and no pool connection in use after every subscriber unsubscribes', async () => {
    const { engine } = fixture().demo;
    const client = wsClient();
    const subs = [1, 2, 3].map((id) => new Collected(client.iterate({ query: BY_PK, variables: { id } })));
    await Promise.all(subs.map((s) => s.waitFor(() => true)));
    expect(engine.live.stats()).toMatchObject({ pollers: 1, cohorts: 3, subscribers: 3 });
    const polls = engine.live.stats().polls;
    await Promise.all(subs.map((s) => s.stop()));
    await client.dispose();
    for (let i = 0; i < 40 && engine.live.stats().subscribers > 0; i++) await sleep(25);
    expect(engine.live.stats()).toMatchObject({ pollers: 0, cohorts: 0, subscribers: 0, timers: 0 });
    await sleep(200); // several intervals: nothing polls any more
    expect(engine.live.stats().polls).toBeLessThanOrEqual(polls + 1);
    expect(await busyConnections()).toEqual({ source_db: 0, target_db: 0 });
  });
});
