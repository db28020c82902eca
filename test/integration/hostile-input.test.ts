/**
 * Generated hostile input (issue 16): cases made from the demo schema by a seeded PRNG
 * (test/helpers/hostile.ts) — valid documents, mutated ones, oversized and deeply nested
 * ones, injection strings in values, variables and session variables — sent to every front
 * door of a served engine: queries, mutations, subscriptions over both WebSocket protocols,
 * the metadata API, explain, and malformed HTTP (bad content types and JSON, huge bodies,
 * batches with junk, odd header bytes on a raw socket). Every answer: no 5xx, no internal
 * error, no SQL text or stack to a non-admin, no row outside the role's permission, no hang;
 * valid queries answer the same data under every strategy, and a role's mutations change
 * only its own rows.
 *
 * The suite sends a few hundred cases per door; `FARJOIN_HOSTILE_CASES=10000 npx vitest run
 * test/integration/hostile-input.test.ts` is the large run (README "Tests").
 */
import { connect, type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { prng } from '../../fixtures/scale.js';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { readMetadataFile } from '../../runtime/metadata-file.js';
import { serve, shutdown } from '../../runtime/server/serve.js';
import { startDemo, type DemoContext } from '../helpers/demo.js';
import { casesPerDoor, Gen, leaks, rowsWith, type HttpCase } from '../helpers/hostile.js';
import { linkAllSources } from '../helpers/strategies.js';

/** The demo's metadata, with role user allowed to write its own orders and its own name. */
async function writableMetadata(path: string): Promise<unknown> {
  const metadata = structuredClone(await readMetadataFile(path)) as { sources: { tables: Record<string, unknown>[] }[] };
  const own = { user_id: { _eq: 'X-Hasura-User-Id' } };
  Object.assign(metadata.sources[0]!.tables[0]!, {
    insert_permissions: [{ role: 'user', permission: { check: own, columns: ['id', 'user_id'] } }],
    update_permissions: [{ role: 'user', permission: { filter: own, check: own, columns: ['id', 'user_id'] } }],
    delete_permissions: [{ role: 'user', permission: { filter: own } }],
  });
  Object.assign(metadata.sources[1]!.tables[0]!, {
    update_permissions: [{ role: 'user', permission: { filter: { id: { _eq: 'X-Hasura-User-Id' } }, check: {}, columns: ['name'] } }],
  });
  return metadata;
}

let demo: DemoContext;
let engine: Engine;
let metadataEngine: Engine;
let server: Server;
let metadataServer: Server;
let base: string;
let port: number;

beforeAll(async () => {
  demo = await startDemo();
  const env = { ...process.env, ...demo.env };
  await linkAllSources(await readMetadataFile(demo.metadataPath), env);
  const metadata = await writableMetadata(demo.metadataPath);
  // liveQueries: quick polls; the metadata API gets an engine of its own, whose schema it may change
  engine = await createEngine({ metadata, env, liveQueries: { refetchIntervalMs: 100 } });
  metadataEngine = await createEngine({ metadata, env });
  server = await serve(engine, 0, '127.0.0.1');
  metadataServer = await serve(metadataEngine, 0, '127.0.0.1');
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
}, 60_000);
afterAll(async () => {
  if (server) await shutdown(server, engine, { drainTimeoutMs: 500 });
  if (metadataServer) await shutdown(metadataServer, metadataEngine, { drainTimeoutMs: 500 });
  await demo?.close();
});

interface Answer {
  status: number;
  text: string;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } | undefined;
}

/** Collects what the cases found: the first few failures of each kind, and counts. */
class Findings {
  readonly failures: string[] = [];
  readonly counts: Record<string, number> = {};
  count(what: string): void {
    this.counts[what] = (this.counts[what] ?? 0) + 1;
  }
  check(what: string, ok: boolean): void {
    if (ok) return;
    this.count('failures');
    if (this.failures.length < 20) {
      this.failures.push(what);
      console.error(`hostile input failure: ${what.slice(0, 600)}`); // seen while a large run goes on
    }
  }
  /** The checks every answer gets: no 5xx, no internal error, nothing internal to a non-admin. */
  answer(label: string, a: Answer, nonAdmin: boolean): void {
    this.check(`5xx: ${label} → ${a.status} ${a.text.slice(0, 300)}`, a.status < 500);
    this.check(`internal error: ${label} → ${a.text.slice(0, 300)}`, !/"code":"unexpected"/.test(a.text));
    if (nonAdmin) this.check(`leak: ${label} → ${a.text.slice(0, 400)}`, !leaks(a.text) && !/"internal":/.test(a.text));
  }
}

const TIMEOUT_MS = 15_000;

async function send(url: string, c: HttpCase): Promise<Answer> {
  const res = await fetch(url + c.path, { method: c.method, headers: c.headers, ...(c.body !== undefined && c.method !== 'GET' && c.method !== 'HEAD' ? { body: c.body } : {}), signal: AbortSignal.timeout(TIMEOUT_MS) });
  const text = await res.text();
  let body: Answer['body'];
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    body = undefined;
  }
  return { status: res.status, text, body };
}

const post = (url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> =>
  send(url, { method: 'POST', path, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const nonAdminOf = (headers: Record<string, string>): boolean => Boolean(headers['x-hasura-role']) && headers['x-hasura-role'] !== 'admin';

/** Role user's rows in a query answer are its own. */
function checkRows(f: Findings, label: string, a: Answer, headers: Record<string, string>): void {
  if (!a.body?.data || headers['x-hasura-role'] !== 'user' || headers['x-hasura-admin-secret']) return;
  const id = headers['x-hasura-user-id'];
  for (const { list, row } of rowsWith(a.body.data)) {
    if (list.startsWith('orders') && list !== 'orders_aggregate' && 'user_id' in row) f.check(`permission: ${label} → order ${JSON.stringify(row)}`, String(row.user_id) === id);
    if (list === 'user' && 'name' in row) f.check(`permission: ${label} → user ${JSON.stringify(row)}`, String(row.id) === id);
  }
}

async function healthy(url: string): Promise<boolean> {
  return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(TIMEOUT_MS) })).status === 200;
}

function report(door: string, f: Findings, started: number): void {
  console.log(`hostile input, ${door}: ${JSON.stringify(f.counts)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

type Snapshot = { orders: Map<number, string>; users: Map<number, string> };
async function snapshot(): Promise<Snapshot> {
  const [orders, users] = await Promise.all([
    demo.databases.dbs.source_db!.query<{ id: number; user_id: number | null }>('SELECT id, user_id FROM orders'),
    demo.databases.dbs.target_db!.query<{ id: number; name: string }>('SELECT id, name FROM "user"'),
  ]);
  return { orders: new Map(orders.map((o) => [o.id, String(o.user_id)])), users: new Map(users.map((u) => [u.id, u.name])) };
}

describe('hostile input generated from the demo schema', () => {
  it('queries: no 5xx, nothing internal to non-admins, no row outside the permission, the same data under every strategy', async () => {
    const g = new Gen(prng(16_2026));
    const f = new Findings();
    const started = performance.now();
    for (let i = 0, n = casesPerDoor(400); i < n; i++) {
      const { kind, request } = g.queryRequest();
      f.count(kind);
      const headers = g.session();
      const a = await post(base, '/v1/graphql', request, headers);
      const label = `query #${i} ${JSON.stringify(headers)} ${request.query.slice(0, 200)}`;
      f.answer(label, a, nonAdminOf(headers));
      if (a.body?.data) f.count('withData');
      checkRows(f, label, a, headers);
      // every fifth valid query: the same data under each strategy (admin, so every row is seen)
      if (kind === 'valid' && i % 5 === 0) {
        const answers = await Promise.all(['two-phase', 'semi-join', 'fdw', 'auto'].map((s) => post(base, '/v1/graphql', request, { 'x-farjoin-strategy': s })));
        const ok = answers.filter((x) => x.body?.data !== undefined && !x.body.errors);
        // fdw and semi-join may refuse a shape they cannot run (not-supported): compare those that answered
        for (const x of answers) f.answer(`strategies: ${label}`, x, false);
        for (const x of ok) f.check(`strategies differ: ${label}\n${ok[0]!.text}\n${x.text}`, JSON.stringify(x.body!.data) === JSON.stringify(ok[0]!.body!.data));
        if (ok.length > 1) f.count('compared');
      }
    }
    report('queries', f, started);
    expect(f.failures).toEqual([]);
    expect(f.counts.withData).toBeGreaterThan(casesPerDoor(400) / 8); // answered with data (values of the wrong type are validation errors)
    expect(f.counts.compared).toBeGreaterThan(casesPerDoor(400) / 40);
  }, 300_000 + casesPerDoor(0) * 300);

  it('a permission check that is NULL for a row fails it, as in Hasura (found by the mutation cases)', async () => {
    const user2 = { 'x-hasura-role': 'user', 'x-hasura-user-id': '2' };
    const refused = { message: 'check constraint of an insert/update permission has failed', extensions: { code: 'permission-error' } };
    // user_id NULL: `user_id = 2` is NULL, not true; bool_and skipped such rows before
    const inserted = await post(base, '/v1/graphql', { query: 'mutation { insert_orders_one(object: {id: 40, user_id: null}) { id } }' }, user2);
    expect(inserted.body?.errors).toEqual([{ ...refused, extensions: { ...refused.extensions, path: '$.selectionSet.insert_orders_one' } }]);
    const updated = await post(base, '/v1/graphql', { query: 'mutation { update_orders(where: {id: {_eq: 3}}, _set: {user_id: null}) { affected_rows } }' }, user2);
    expect(updated.body?.errors).toEqual([{ ...refused, extensions: { ...refused.extensions, path: '$.selectionSet.update_orders' } }]);
    expect(await demo.databases.dbs.source_db!.query('SELECT id, user_id FROM orders WHERE id IN (3, 40)')).toEqual([{ id: 3, user_id: 2 }]);
  });

  it('mutations: no 5xx or internal error, and role user changes only its own rows', async () => {
    const g = new Gen(prng(16_2027));
    const f = new Findings();
    const started = performance.now();
    for (let i = 0, n = casesPerDoor(150); i < n; i++) {
      const { kind, request } = g.mutationRequest();
      f.count(kind);
      const headers = g.chance(0.8) ? g.session() : {};
      const asUser = headers['x-hasura-role'] === 'user' && !headers['x-hasura-admin-secret'];
      const before = asUser ? await snapshot() : undefined;
      const a = await post(base, '/v1/graphql', request, headers);
      const label = `mutation #${i} ${JSON.stringify(headers)} ${request.query.slice(0, 300)} ${JSON.stringify(request.variables ?? null).slice(0, 200)}`;
      f.answer(label, a, nonAdminOf(headers));
      if (a.body?.data && !a.body.errors) f.count('applied');
      if (before) {
        const after = await snapshot();
        const id = headers['x-hasura-user-id'];
        for (const key of new Set([...before.orders.keys(), ...after.orders.keys()])) {
          const [b, x] = [before.orders.get(key), after.orders.get(key)];
          if (b === x) continue;
          f.check(`permission: ${label} → order ${key}: ${b} → ${x}`, (b === undefined || b === id) && (x === undefined || x === id));
        }
        for (const key of new Set([...before.users.keys(), ...after.users.keys()])) {
          const [b, x] = [before.users.get(key), after.users.get(key)];
          if (b === x) continue;
          f.check(`permission: ${label} → user ${key}: ${b} → ${x}`, b !== undefined && x !== undefined && String(key) === id);
        }
      }
    }
    report('mutations', f, started);
    expect(f.failures).toEqual([]);
    expect(f.counts.applied).toBeGreaterThan(casesPerDoor(150) / 20);
    expect(await healthy(base)).toBe(true);
  }, 300_000 + casesPerDoor(0) * 300);

  it('found by the subscription cases: a `null` frame on the legacy protocol is refused; it ended the process before', async () => {
    for (const protocol of ['graphql-ws', undefined]) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/graphql`, protocol);
      const frames: string[] = [];
      ws.on('message', (d) => frames.push(d.toString()));
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      await new Promise((r) => ws.once('open', r));
      ws.send(JSON.stringify({ type: 'connection_init', payload: {} }));
      ws.send('null');
      expect(await closed).toBe(4400);
      expect(frames).toContain(JSON.stringify({ type: 'connection_error', payload: { message: 'Parsing client message failed: not an object' } }));
    }
    expect(await healthy(base)).toBe(true);
  });

  it('found by the subscription cases: a subscription whose directive names an undefined variable is a validation error, not internal', async () => {
    for (const query of ['subscription { orders @include(if: $x) { id } }', 'subscription S { ...F } fragment F on subscription_root { orders @skip(if: $y) { id } }']) {
      const a = await post(base, '/v1/graphql', { query }, { 'x-hasura-role': 'user', 'x-hasura-user-id': '1' });
      expect(a.body?.errors?.[0]?.extensions?.code).toBe('validation-failed');
      expect(a.body?.errors?.[0]?.message).toMatch(/^Variable "\$[xy]" is not defined/);
    }
  });

  it('subscriptions over graphql-transport-ws and legacy graphql-ws: an answer or an error for each, never internal, never a hang', async () => {
    const g = new Gen(prng(16_2028));
    const f = new Findings();
    const started = performance.now();
    const n = casesPerDoor(300);
    for (let batch = 0; batch * 10 < n; batch++) {
      const legacy = batch % 2 === 1;
      const sent = g.session();
      // a connection_init without headers (a junk payload) is an admin session: judged as one
      const junkInit = g.chance(0.1);
      let headers = junkInit ? {} : sent;
      const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/graphql`, legacy ? 'graphql-ws' : 'graphql-transport-ws');
      const frames: string[] = [];
      let closed: { code: number; reason: string } | undefined;
      const waiters = new Set<() => void>();
      const wake = (): void => { for (const w of waiters) w(); };
      ws.on('message', (d) => { frames.push(d.toString()); wake(); });
      ws.on('close', (code, reason) => { closed = { code, reason: reason.toString() }; wake(); });
      ws.on('error', () => undefined);
      /** Waits for a frame matching `test` (from index `from`), or the close. */
      const frame = async (test: (m: { type?: string; id?: string }) => boolean, from: number): Promise<string | undefined> => {
        const deadline = Date.now() + TIMEOUT_MS;
        for (;;) {
          const hit = frames.slice(from).find((t) => { try { return test(JSON.parse(t) as { type?: string; id?: string }); } catch { return false; } });
          if (hit !== undefined || closed) return hit;
          if (Date.now() > deadline) throw new Error('timeout');
          await new Promise<void>((resolve) => { const w = (): void => { waiters.delete(w); clearTimeout(t); resolve(); }; const t = setTimeout(w, 200); waiters.add(w); });
        }
      };
      await new Promise<void>((resolve) => { ws.once('open', () => resolve()); ws.once('close', () => resolve()); });
      ws.send(JSON.stringify({ type: 'connection_init', payload: junkInit ? g.value() : { headers } }));
      const ack = await frame((m) => m.type === 'connection_ack' || m.type === 'connection_error', 0).catch(() => 'hang');
      f.check(`ws hang at connection_init ${JSON.stringify(headers)}`, ack !== 'hang');
      for (let i = batch * 10; i < Math.min(n, batch * 10 + 10) && !closed; i++) {
        const id = String(i);
        const from = frames.length;
        if (g.chance(0.08)) {
          f.count('junk frame');
          const junk = g.junkFrame(id);
          // a second connection_init without headers makes the legacy session admin (no admin secret here)
          if (legacy && junk.includes('"connection_init"')) headers = {};
          ws.send(junk);
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        const { kind, request } = g.subscriptionRequest();
        f.count(kind);
        ws.send(JSON.stringify({ type: legacy ? 'start' : 'subscribe', id, payload: request }));
        const label = `${legacy ? 'legacy' : 'transport'} #${i} ${JSON.stringify(headers)} ${String(request.query).slice(0, 200)}`;
        const first = await frame((m) => m.id === id && ['next', 'data', 'error', 'complete'].includes(m.type ?? ''), from).catch(() => 'hang');
        f.check(`ws hang: ${label}`, first !== 'hang');
        if (first && first !== 'hang') {
          const m = JSON.parse(first) as { type: string; payload?: { data?: unknown; errors?: unknown } | unknown[] };
          f.count(m.type);
          f.answer(label, { status: 200, text: first, body: m.type === 'error' ? undefined : (m.payload as Answer['body']) }, nonAdminOf(headers));
          if (m.type === 'next' || m.type === 'data') checkRows(f, label, { status: 200, text: first, body: m.payload as Answer['body'] }, headers);
          ws.send(JSON.stringify({ type: legacy ? 'stop' : 'complete', id }));
        }
      }
      // 1011 is "internal error"; 4400/4403/4409/4429/1000/1005 are the protocol's answers to bad input
      f.check(`ws closed with an internal error: ${JSON.stringify(closed)}`, closed?.code !== 1011);
      if (closed) f.count(`closed ${closed.code}`);
      ws.close();
    }
    report('subscriptions', f, started);
    expect(f.failures).toEqual([]);
    expect((f.counts.next ?? 0) + (f.counts.data ?? 0)).toBeGreaterThan(n / 20);
    expect(await healthy(base)).toBe(true);
  }, 300_000 + casesPerDoor(0) * 300);

  it('found by the metadata and explain cases: a command named like an Object key is unknown; explain asks who is asking', async () => {
    const metadataBase = `http://127.0.0.1:${(metadataServer.address() as AddressInfo).port}`;
    for (const type of ['constructor', '__proto__', 'toString']) {
      const a = await post(metadataBase, '/v1/metadata', { type, args: {} });
      expect([a.status, a.body]).toEqual([400, { path: '$.type', error: `unknown metadata command "${type}"`, code: 'parse-failed' }]);
      const bulk = await post(metadataBase, '/v1/metadata', { type: 'bulk', args: [{ type, args: {} }] });
      expect(bulk.status).toBe(400);
    }
    // a source named "__proto__" was looked up on a plain object's prototype: a 500
    const proto = await post(metadataBase, '/v1/metadata', { type: 'pg_add_source', args: { name: '__proto__', configuration: { connection_info: { database_url: { from_env: 'SOURCE_DB_URL' } } } } });
    expect([proto.status, proto.body]).toEqual([200, { message: 'success' }]);
    expect((await post(metadataBase, '/v1/metadata', { type: 'pg_drop_source', args: { name: '__proto__' } })).status).toBe(200);
    // role user asks, and names admin as the session to explain for: refused, no SQL
    const e = await post(base, '/v1/graphql/explain', { query: { query: '{ orders { id } }' }, user: { 'x-hasura-role': 'admin' } }, { 'x-hasura-role': 'user', 'x-hasura-user-id': '1' });
    expect(e.body).toEqual({ errors: [{ message: 'explain is allowed for the admin role only', extensions: { path: '$', code: 'access-denied' } }] });
    // an admin still explains (as the role in user, where it is admin too)
    const ok = await post(base, '/v1/graphql/explain', { query: { query: '{ orders { id } }' }, user: { 'x-hasura-role': 'admin' } });
    expect(ok.text).toMatch(/"sql":"SELECT /);
  });

  it('the metadata API and explain: no 5xx or internal error; non-admins are refused and see no SQL', async () => {
    const g = new Gen(prng(16_2029));
    const f = new Findings();
    const started = performance.now();
    const metadataBase = `http://127.0.0.1:${(metadataServer.address() as AddressInfo).port}`;
    for (let i = 0, n = casesPerDoor(200); i < n; i++) {
      const asUser = g.chance(0.2);
      const headers: Record<string, string> = asUser ? { 'x-hasura-role': 'user', 'x-hasura-user-id': '1' } : {};
      const call = g.metadataRequest();
      const a = await post(metadataBase, '/v1/metadata', call, headers);
      const label = `metadata #${i} ${JSON.stringify(headers)} ${JSON.stringify(call)?.slice(0, 300)}`;
      f.answer(label, a, asUser);
      f.count(a.status < 300 ? 'metadata ok' : 'metadata refused');
      if (asUser) f.check(`non-admin metadata call not refused: ${label} → ${a.status}`, a.status >= 400);
      const explain = g.explainRequest();
      const e = await post(base, '/v1/graphql/explain', explain, headers);
      const eLabel = `explain #${i} ${JSON.stringify(headers)} ${JSON.stringify(explain)?.slice(0, 300)}`;
      f.answer(eLabel, e, asUser);
      f.count(e.status < 300 && !e.body?.errors ? 'explain ok' : 'explain refused');
      // refused as a GraphQL error (HTTP 200, as farjoin answers every explain) or with a 4xx
      if (asUser) f.check(`non-admin explain not refused: ${eLabel} → ${e.status} ${e.text.slice(0, 200)}`, e.status >= 400 || /"code":"access-denied"/.test(e.text));
    }
    report('metadata and explain', f, started);
    expect(f.failures).toEqual([]);
    expect(f.counts['explain ok']).toBeGreaterThan(casesPerDoor(200) / 20);
    expect(await healthy(metadataBase)).toBe(true);
  }, 300_000 + casesPerDoor(0) * 300);

  it('malformed HTTP: bad content types and JSON, huge bodies, junk batches, odd header bytes: a 4xx answer, never 5xx', async () => {
    const g = new Gen(prng(16_2030));
    const f = new Findings();
    const started = performance.now();
    for (let i = 0, n = casesPerDoor(300); i < n; i++) {
      if (g.chance(0.25)) {
        const { raw } = g.rawHttp(port);
        const head = await new Promise<string>((resolve) => {
          const socket = connect(port, '127.0.0.1');
          let got = '';
          const timer = setTimeout(() => { socket.destroy(); resolve('hang'); }, TIMEOUT_MS);
          socket.on('data', (d) => (got += d.toString('latin1')));
          socket.on('error', () => undefined);
          socket.on('close', () => { clearTimeout(timer); resolve(got); });
          socket.end(raw);
        });
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
        const label = `raw #${i} ${JSON.stringify(raw.toString('latin1').split('\r\n\r\n')[0]!.slice(0, 300))}`;
        f.count(`raw ${status || 'closed'}`);
        f.check(`raw hang: ${label}`, head !== 'hang');
        const body = head.slice(head.indexOf('\r\n\r\n') + 4);
        f.answer(label, { status, text: body, body: undefined }, true);
        continue;
      }
      const c = g.malformedHttp();
      const a = await send(base, c).catch((e: unknown) => ({ status: 0, text: String(e), body: undefined }));
      const label = `http #${i} ${c.method} ${c.path} ${JSON.stringify(c.headers)} ${(c.body ?? '').slice(0, 200)}`;
      f.count(`http ${a.status}`);
      f.check(`http failed: ${label} → ${a.text.slice(0, 200)}`, a.status !== 0);
      f.answer(label, a, nonAdminOf(c.headers));
    }
    report('malformed HTTP', f, started);
    expect(f.failures).toEqual([]);
    expect(await healthy(base)).toBe(true);
    // nothing the injections carried ran: the tables are there
    expect(await demo.databases.dbs.source_db!.query('SELECT count(*) >= 0 AS ok FROM orders')).toEqual([{ ok: true }]);
    expect(await demo.databases.dbs.target_db!.query('SELECT count(*) >= 0 AS ok FROM "user"')).toEqual([{ ok: true }]);
  }, 300_000 + casesPerDoor(0) * 300);
});
