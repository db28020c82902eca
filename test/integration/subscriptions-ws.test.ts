/**
 * Subscriptions over WebSocket with real clients (DESIGN.md §6, issue 14): the graphql-ws
 * client, Apollo Client's GraphQLWsLink, and subscriptions-transport-ws's client for the
 * legacy protocol; sessions from `connection_init`, JWT expiry, limits, shutdown codes.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ApolloClient, gql, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient, type Client } from 'graphql-ws';
import { SignJWT } from 'jose';
import { SubscriptionClient } from 'subscriptions-transport-ws';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serve, shutdown } from '../../runtime/server/serve.js';
import { startDemo, type DemoContext } from '../helpers/demo.js';
import { useFixture } from '../helpers/lifecycle.js';
import { Collected, sleep, sql } from '../helpers/live.js';

const KEY = 'a-very-long-test-signing-key-of-32+-bytes!';
const ADMIN = { 'x-hasura-admin-secret': 'sekret' };
const LIVE = 'subscription { orders(order_by: {id: asc}) { id user { name } } }';

interface Fixture { demo: DemoContext; server: Server; url: string }
const fixture = useFixture<Fixture>(async () => {
  const demo = await startDemo({
    adminSecret: 'sekret', jwt: JSON.stringify({ type: 'HS256', key: KEY }),
    liveQueries: { refetchIntervalMs: 50, maxSubscriptionsPerConnection: 3 },
  });
  const server = await serve(demo.engine, 0, '127.0.0.1');
  return { demo, server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/graphql` };
}, async ({ demo, server }) => {
  await shutdown(server, demo.engine, { drainTimeoutMs: 1000 });
  await demo.close();
});

function token(claims: Record<string, unknown>, expiresIn: string | number = '5m'): Promise<string> {
  return new SignJWT({ 'https://hasura.io/jwt/claims': claims })
    .setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(KEY));
}

function wsClient(headers: Record<string, string>, closes: { code: number; reason: string }[] = []): Client {
  return createClient({
    url: fixture().url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, onNonLazyError: () => undefined,
    connectionParams: { headers },
    on: { closed: (e) => closes.push({ code: (e as { code: number }).code, reason: String((e as { reason: unknown }).reason) }) },
  });
}

type Orders = { orders: { id: number; user: { name: string } | null }[] };

describe('graphql-transport-ws (graphql-ws client)', () => {
  it('pushes a live query with a remote relationship, and again after a change on the remote database', async () => {
    const client = wsClient(ADMIN);
    const live = new Collected(client.iterate<Orders>({ query: LIVE }));
    const first = await live.waitFor(() => true);
    expect(first.data?.orders.map((o) => o.user?.name ?? null)).toEqual(['Alice', 'Alice', 'Bob', 'Carol', null, null]);
    await sql(fixture().demo.databases.dbs.target_db!.url, `UPDATE "user" SET name = 'Carla' WHERE id = 3`);
    const next = await live.waitFor((r) => r.data?.orders[3]?.user?.name === 'Carla', 1);
    expect(next.data?.orders[3]).toEqual({ id: 4, user: { name: 'Carla' } });
    await live.stop();
    await sql(fixture().demo.databases.dbs.target_db!.url, `UPDATE "user" SET name = 'Carol' WHERE id = 3`);
    await client.dispose();
  });

  it('answers queries over the socket, and an invalid subscription with an error message', async () => {
    const client = wsClient(ADMIN);
    const q = new Collected(client.iterate({ query: '{ user_by_pk(id: 2) { name orders { id } } }' }));
    expect(await q.waitFor(() => true)).toEqual({ data: { user_by_pk: { name: 'Bob', orders: [{ id: 3 }] } } });
    await q.untilEnded();
    const bad = new Collected(client.iterate({ query: 'subscription { orders { nope } }' }));
    await bad.untilEnded();
    expect(JSON.stringify(bad.error)).toContain('validation-failed');
    await client.dispose();
  });

  it('reads the role and session from a JWT in connection_init, and applies its permissions', async () => {
    const jwt = await token({ 'x-hasura-default-role': 'user', 'x-hasura-allowed-roles': ['user'], 'x-hasura-user-id': '2' });
    const client = wsClient({ Authorization: `Bearer ${jwt}` });
    const live = new Collected(client.iterate<Orders>({ query: LIVE }));
    expect((await live.waitFor(() => true)).data).toEqual({ orders: [{ id: 3, user: { name: 'Bob' } }] });
    await live.stop();
    await client.dispose();
  });

  it('closes with 4403 when connection_init has a wrong admin secret, and when the JWT expires', async () => {
    const closes: { code: number; reason: string }[] = [];
    const wrong = wsClient({ 'x-hasura-admin-secret': 'nope' }, closes);
    await expect(new Promise((resolve, reject) => wrong.subscribe({ query: LIVE }, { next: resolve, error: reject, complete: () => resolve(undefined) }))).rejects.toBeTruthy();
    expect(closes[0]?.code).toBe(4403);

    const expiring = await token({ 'x-hasura-default-role': 'user', 'x-hasura-allowed-roles': ['user'], 'x-hasura-user-id': '1' }, Math.floor(Date.now() / 1000) + 2);
    const expClosed: { code: number; reason: string }[] = [];
    const client = wsClient({ Authorization: `Bearer ${expiring}` }, expClosed);
    const live = new Collected(client.iterate<Orders>({ query: LIVE }));
    expect((await live.waitFor(() => true)).data?.orders.map((o) => o.id)).toEqual([1, 2]);
    await live.untilEnded(5000);
    expect(expClosed[0]).toEqual({ code: 4403, reason: 'Could not verify JWT: JWTExpired' });
    await client.dispose();
  });

  it('limits subscriptions per connection with a clear error, and frees the place on unsubscribe', async () => {
    const client = wsClient(ADMIN);
    const subs = [1, 2, 3].map((id) => new Collected(client.iterate({ query: 'subscription ($id: Int!) { orders_by_pk(id: $id) { id } }', variables: { id } })));
    await Promise.all(subs.map((s) => s.waitFor(() => true)));
    const fourth = new Collected(client.iterate({ query: 'subscription { orders_by_pk(id: 4) { id } }' }));
    await fourth.untilEnded();
    expect(JSON.stringify(fourth.error)).toContain('too many subscriptions on this connection: the limit is 3');
    await subs[0]!.stop();
    await sleep(50);
    const again = new Collected(client.iterate({ query: 'subscription { orders_by_pk(id: 4) { id } }' }));
    expect(await again.waitFor(() => true)).toEqual({ data: { orders_by_pk: { id: 4 } } });
    await Promise.all([again.stop(), subs[1]!.stop(), subs[2]!.stop()]);
    await client.dispose();
    await sleep(50);
    expect(fixture().demo.engine.live.stats()).toMatchObject({ subscribers: 0, timers: 0 });
  });
});

describe("Apollo Client's GraphQLWsLink", () => {
  it('receives a live query and its update after an insert on the parent database', async () => {
    const ws = createClient({ url: fixture().url, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { headers: ADMIN } });
    const apollo = new ApolloClient({ link: new GraphQLWsLink(ws), cache: new InMemoryCache() });
    const seen: Orders[] = [];
    const sub = apollo.subscribe<Orders>({ query: gql(LIVE) }).subscribe({ next: (r) => r.data && seen.push(r.data as Orders) });
    const until = async (test: () => boolean) => {
      for (let i = 0; i < 200 && !test(); i++) await sleep(25);
      expect(test()).toBe(true);
    };
    await until(() => seen.length >= 1);
    expect(seen[0]!.orders).toHaveLength(6);
    await sql(fixture().demo.databases.dbs.source_db!.url, 'INSERT INTO orders (id, user_id) VALUES (20, 1)');
    await until(() => seen.some((r) => r.orders.some((o) => o.id === 20)));
    expect(seen.at(-1)!.orders.find((o) => o.id === 20)).toMatchObject({ id: 20, user: { name: 'Alice' } });
    sub.unsubscribe();
    await ws.dispose();
    await sql(fixture().demo.databases.dbs.source_db!.url, 'DELETE FROM orders WHERE id = 20');
  });
});

describe('legacy graphql-ws (subscriptions-transport-ws)', () => {
  it("serves the client's live query with the role from connection_init headers", async () => {
    const client = new SubscriptionClient(fixture().url, { connectionParams: { headers: { ...ADMIN, 'x-hasura-role': 'user', 'x-hasura-user-id': '1' } }, reconnect: false }, WebSocket);
    const seen: Orders[] = [];
    const sub = client.request({ query: LIVE }).subscribe({ next: (r) => seen.push(r.data as Orders) });
    for (let i = 0; i < 200 && seen.length === 0; i++) await sleep(25);
    expect(seen[0]).toEqual({ orders: [{ id: 1, user: { name: 'Alice' } }, { id: 2, user: { name: 'Alice' } }] });
    sub.unsubscribe();
    client.close();
  });

  it('refuses a frame that is JSON but not an object (null, a number, a list) with connection_error, and keeps serving', async () => {
    for (const frame of ['null', '42', '[]']) {
      const socket = new WebSocket(fixture().url, 'graphql-ws');
      const messages: { type: string; payload?: { message?: string } }[] = [];
      socket.on('message', (m) => messages.push(JSON.parse(String(m))));
      const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
      await new Promise((resolve) => socket.on('open', resolve));
      socket.send(frame);
      expect(await closed, frame).toBe(4400);
      expect(messages[0], frame).toEqual({ type: 'connection_error', payload: { message: 'Parsing client message failed: not an object' } });
    }
    // The server is still up: a new client is served.
    const client = new SubscriptionClient(fixture().url, { connectionParams: { headers: ADMIN }, reconnect: false }, WebSocket);
    const seen: unknown[] = [];
    const sub = client.request({ query: 'subscription { user_by_pk(id: 1) { name } }' }).subscribe({ next: (r) => seen.push(r.data) });
    for (let i = 0; i < 200 && seen.length === 0; i++) await sleep(25);
    expect(seen[0]).toEqual({ user_by_pk: { name: 'Alice' } });
    sub.unsubscribe();
    client.close();
  });

  it('speaks the protocol: ack and ka, data, error, stop → complete, connection_error on a bad secret, and JWT expiry', async () => {
    const raw = (headers: Record<string, string>) => {
      const socket = new WebSocket(fixture().url, 'graphql-ws');
      const messages: { type: string; id?: string; payload?: unknown }[] = [];
      const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
      socket.on('message', (m) => messages.push(JSON.parse(String(m))));
      const opened = new Promise((resolve) => socket.on('open', resolve)).then(() => socket.send(JSON.stringify({ type: 'connection_init', payload: { headers } })));
      const until = async (test: () => boolean) => {
        for (let i = 0; i < 200 && !test(); i++) await sleep(25);
        expect(test(), JSON.stringify(messages)).toBe(true);
      };
      return { socket, messages, closed, opened, until };
    };
    const c = raw(ADMIN);
    await c.opened;
    await c.until(() => c.messages.some((m) => m.type === 'ka'));
    expect(c.messages[0]).toEqual({ type: 'connection_ack' });
    c.socket.send(JSON.stringify({ type: 'start', id: '1', payload: { query: 'subscription { user_by_pk(id: 1) { name } }' } }));
    c.socket.send(JSON.stringify({ type: 'start', id: '2', payload: { query: 'subscription { nope }' } }));
    await c.until(() => c.messages.some((m) => m.id === '1' && m.type === 'data') && c.messages.some((m) => m.id === '2'));
    expect(c.messages.find((m) => m.id === '1')).toEqual({ type: 'data', id: '1', payload: { data: { user_by_pk: { name: 'Alice' } } } });
    expect(c.messages.find((m) => m.id === '2')).toMatchObject({ type: 'error', id: '2', payload: { extensions: { code: 'validation-failed' } } });
    c.socket.send(JSON.stringify({ type: 'stop', id: '1' }));
    await c.until(() => c.messages.some((m) => m.id === '1' && m.type === 'complete'));
    c.socket.send(JSON.stringify({ type: 'connection_terminate' }));
    expect(await c.closed).toBe(1000);

    const bad = raw({ 'x-hasura-admin-secret': 'nope' });
    expect(await bad.closed).toBe(4400);
    expect(bad.messages[0]).toMatchObject({ type: 'connection_error', payload: { message: expect.stringContaining('Connection initialization failed') } });

    const jwt = await token({ 'x-hasura-default-role': 'user', 'x-hasura-allowed-roles': ['user'], 'x-hasura-user-id': '1' }, Math.floor(Date.now() / 1000) + 2);
    const exp = raw({ Authorization: `Bearer ${jwt}` });
    await exp.opened;
    await exp.until(() => exp.messages.some((m) => m.type === 'connection_ack'));
    expect(await exp.closed).toBe(4400);
    expect(exp.messages.at(-1)).toEqual({ type: 'connection_error', payload: { message: 'Could not verify JWT: JWTExpired' } });
  });
});
