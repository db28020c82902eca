/**
 * Request policies before any SQL runs (issue 15): Hasura's allow-list (query_collections +
 * allowlist, `enableAllowlist`), `api_limits` (depth, node, rate, batch), batched requests,
 * and automatic persisted queries through Apollo Client's PersistedQueryLink. The demo's
 * databases and metadata, with the policies added; statements are counted to show that a
 * refused request reaches no database.
 */
import { createHash } from 'node:crypto';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { readMetadataFile } from '../../runtime/metadata-file.js';
import { startDemo, type DemoContext } from '../helpers/demo.js';
import { listen, type Listening } from '../helpers/http.js';

const ALLOWED = 'query Orders { orders(order_by: {id: asc}) { id user { name } } }';
const SCOPED = 'query Few { orders(limit: 1) { id } }';

let demo: DemoContext;
const engines: Engine[] = [];
const servers: Listening[] = [];
let statements = 0;

async function engineWith(extra: Record<string, unknown>, options: { enableAllowlist?: boolean } = {}): Promise<Listening> {
  const metadata = { ...(await readMetadataFile(demo.metadataPath) as Record<string, unknown>), ...extra };
  const engine = await createEngine({ metadata, env: { ...process.env, ...demo.env }, onStatement: () => { statements++; }, ...options });
  engines.push(engine);
  const http = await listen(engine.handler);
  servers.push(http);
  return http;
}

beforeAll(async () => {
  demo = await startDemo();
});
afterAll(async () => {
  for (const s of servers) await s.close();
  for (const e of engines) await e.close();
  await demo?.close();
});

const USER = { 'x-hasura-role': 'user', 'x-hasura-user-id': '1' };

async function post(http: Listening, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${http.url}/v1/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

describe('allow-list', () => {
  let http: Listening;
  beforeAll(async () => {
    http = await engineWith({
      query_collections: [
        { name: 'allowed-queries', definition: { queries: [{ name: 'orders', query: ALLOWED }] } },
        { name: 'analysts', definition: { queries: [{ name: 'few', query: SCOPED }] } },
      ],
      allowlist: [{ collection: 'allowed-queries' }, { collection: 'analysts', scope: { global: false, roles: ['analyst'] } }],
    }, { enableAllowlist: true });
  });

  it('runs a listed query for a role, whatever its whitespace, comments and __typename fields', async () => {
    const { body } = await post(http, { query: `# the app's query\nquery Orders {\n  orders(order_by: {id: asc}) { __typename id user { name __typename } }\n}` }, USER);
    expect(body.errors).toBeUndefined();
    expect(body.data.orders.map((o: { id: number }) => o.id)).toEqual([1, 2]);
  });

  it("refuses any other query with Hasura's error, before any SQL, and lets admin run it", async () => {
    const before = statements;
    const refused = await post(http, { query: 'query Orders { orders(order_by: {id: asc}) { user { name } id } }' }, USER);
    expect(refused.body).toEqual({ errors: [{ message: 'query is not allowed', extensions: { path: '$', code: 'validation-failed' } }] });
    expect(statements).toBe(before);
    const admin = await post(http, { query: '{ orders(order_by: {id: asc}) { id } }' });
    expect(admin.body.data.orders).toHaveLength(6);
    expect((await post(http, { query: '{ orders(order_by: {id: asc}) { id } }' }, { 'x-hasura-role': 'admin' })).body.errors).toBeUndefined();
  });

  it('applies a role-scoped collection to its roles only', async () => {
    expect((await post(http, { query: SCOPED }, USER)).body.errors[0].message).toBe('query is not allowed');
    // The analyst role may send it; it has no select permission, so the query itself is then invalid for it.
    const analyst = await post(http, { query: SCOPED }, { 'x-hasura-role': 'analyst' });
    expect(analyst.body.errors[0].message).not.toBe('query is not allowed');
  });
});

describe('api_limits', () => {
  let http: Listening;
  beforeAll(async () => {
    http = await engineWith({
      api_limits: {
        depth_limit: { global: 1, per_role: { reporter: 3 } },
        node_limit: { global: 5 },
        rate_limit: { per_role: { user: { max_reqs_per_min: 3, unique_params: ['x-hasura-user-id'] } } },
        batch_limit: { global: 2 },
      },
    });
  });

  it('refuses a query deeper than the role\'s depth limit, but not introspection or admin', async () => {
    const before = statements;
    const deep = await post(http, { query: '{ orders { id user { name } } }' }, { 'x-hasura-role': 'user', 'x-hasura-user-id': '10' });
    expect(deep.body.errors[0].extensions.code).toBe('validation-failed');
    expect(deep.body.errors[0].message).toContain('depth of 2 exceeds the depth limit of 1');
    expect(statements).toBe(before);
    expect((await post(http, { query: '{ orders { id } }' }, { 'x-hasura-role': 'user', 'x-hasura-user-id': '10' })).body.data.orders).toEqual([]);
    expect((await post(http, { query: '{ __schema { types { name } } }' }, { 'x-hasura-role': 'user', 'x-hasura-user-id': '11' })).body.errors).toBeUndefined();
    expect((await post(http, { query: '{ orders { id user { name } } }' })).body.errors).toBeUndefined();
  });

  it('counts nodes (fields with a selection set), fragments expanded', async () => {
    const many = '{ a: orders { id } b: orders { id } c: orders { id } ...more } fragment more on query_root { d: orders { id } e: orders { id } f: orders { id } }';
    const refused = await post(http, { query: many }, { 'x-hasura-role': 'user', 'x-hasura-user-id': '12' });
    expect(refused.body.errors[0].message).toContain('6 nodes');
    expect((await post(http, { query: many.replace('f: orders { id } ', '') }, { 'x-hasura-role': 'user', 'x-hasura-user-id': '12' })).body.errors).toBeUndefined();
  });

  it('limits the requests per minute of a role and session variable, with its own error code', async () => {
    const asUser = (id: string) => post(http, { query: '{ orders { id } }' }, { 'x-hasura-role': 'user', 'x-hasura-user-id': id });
    for (let i = 0; i < 3; i++) expect((await asUser('1')).body.errors).toBeUndefined();
    const fourth = await asUser('1');
    expect(fourth.body.errors[0].extensions.code).toBe('rate-limit-exceeded');
    expect(fourth.body.errors[0].message).toContain('3 per minute');
    expect((await asUser('2')).body.errors).toBeUndefined(); // another user id counts apart
  });

  it('answers a batch with an array in order, up to the batch limit', async () => {
    const { status, body } = await post(http, [{ query: '{ orders(where: {id: {_eq: 1}}) { id } }' }, { query: 'query ($id: Int!) { orders(where: {id: {_eq: $id}}) { id } }', variables: { id: 3 } }]);
    expect(status).toBe(200);
    expect(body).toEqual([{ data: { orders: [{ id: 1 }] } }, { data: { orders: [{ id: 3 }] } }]);
    const before = statements;
    const three = await post(http, [{ query: '{ orders { id } }' }, { query: '{ orders { id } }' }, { query: '{ orders { id } }' }], { 'x-hasura-role': 'user', 'x-hasura-user-id': '13' });
    expect(three.body.errors[0].message).toContain('more than the batch limit of 2');
    expect(statements).toBe(before);
  });
});

describe('automatic persisted queries (Apollo PersistedQueryLink)', () => {
  it('registers a query on the miss, then runs it from its hash alone', async () => {
    const http = await engineWith({});
    const sent: unknown[] = [];
    const recording: typeof fetch = async (input, init) => {
      sent.push(JSON.parse(String(init?.body)));
      return fetch(input, init);
    };
    const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
    const apollo = new ApolloClient({
      link: new PersistedQueryLink({ sha256 }).concat(new HttpLink({ uri: `${http.url}/v1/graphql`, fetch: recording })),
      cache: new InMemoryCache(),
    });
    const query = gql('query Orders { orders(order_by: {id: asc}) { id user { name } } }');
    const first = await apollo.query({ query, fetchPolicy: 'network-only' });
    expect((first.data as { orders: unknown[] }).orders).toHaveLength(6);
    // Apollo's protocol: the hash alone (PersistedQueryNotFound), then the hash with the query.
    expect(sent).toHaveLength(2);
    expect((sent[0] as { query?: string }).query).toBeUndefined();
    expect((sent[1] as { query?: string }).query).toContain('orders');
    const second = await apollo.query({ query, fetchPolicy: 'network-only' });
    expect(second.data).toEqual(first.data);
    expect(sent).toHaveLength(3);
    expect((sent[2] as { query?: string }).query).toBeUndefined();

    const unknown = await post(http, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ nope }') } } });
    expect(unknown.body.errors[0]).toMatchObject({ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
    const mismatch = await post(http, { query: '{ orders { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ other }') } } });
    expect(mismatch.body.errors[0].message).toBe('provided sha256Hash does not match the query');
  });
});
