/**
 * HTTP (issue 6, DESIGN.md §6): the graphql-http server audit (every MUST, and the SHOULDs
 * we follow), Hasura's HTTP 200 for GraphQL errors on application/json, status codes for
 * graphql-response+json, 405/415/404, explain, healthz and the request log line.
 */
import type { IncomingMessage } from 'node:http';
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type DemoContext } from '../helpers/demo.js';
import { listen, type Listening } from '../helpers/http.js';

const lines: Record<string, unknown>[] = [];
const logger = {
  info: (obj: object) => lines.push(obj as Record<string, unknown>),
  warn: (obj: object) => lines.push(obj as Record<string, unknown>),
  error: (obj: object) => lines.push(obj as Record<string, unknown>),
};

let demo: DemoContext;
let http: Listening;
beforeAll(async () => {
  demo = await startDemo({ logger });
  http = await listen(demo.engine.handler);
});
afterAll(async () => {
  await http?.close();
  await demo?.close();
});

const gql = (body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${http.url}/v1/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('GraphQL over HTTP audit (graphql-http)', () => {
  it('passes every audit', async () => {
    const results = await Promise.all(serverAudits({ url: `${http.url}/v1/graphql`, fetchFn: fetch }).map((a) => a.fn()));
    const failed = results.filter((r) => r.status !== 'ok').map((r) => `${r.id} ${r.name}: ${'reason' in r ? r.reason : ''}`);
    expect(failed).toEqual([]);
    expect(results.filter((r) => r.name.startsWith('MUST')).length).toBeGreaterThan(10);
  });
});

describe('HTTP behaviour', () => {
  it('application/json: HTTP 200 with Hasura-shaped errors for GraphQL errors', async () => {
    const res = await gql({ query: '{ orders { nope } }' }, { accept: 'application/json' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await res.json()) as { errors: { extensions: { code: string; path: string } }[] };
    expect(body.errors[0]!.extensions).toEqual({ code: 'validation-failed', path: '$.selectionSet.orders.selectionSet.nope' });
  });

  it('application/graphql-response+json: 400 without data for request errors, 200 with data', async () => {
    const bad = await gql({ query: '{ orders { nope } }' }, { accept: 'application/graphql-response+json' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/graphql-response+json');
    expect(await bad.json()).not.toHaveProperty('data');
    const ok = await gql({ query: '{ orders(where: {id: {_eq: 1}}) { id user { name } } }' }, { accept: 'application/graphql-response+json, application/json;q=0.9' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('application/graphql-response+json');
    expect(await ok.json()).toEqual({ data: { orders: [{ id: 1, user: { name: 'Alice' } }] } });
  });

  it('GET queries run; GET mutations are 405; other methods 405; unknown paths 404', async () => {
    const q = encodeURIComponent('{ user(where: {id: {_eq: 2}}) { name } }');
    const get = await fetch(`${http.url}/v1/graphql?query=${q}`);
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { user: [{ name: 'Bob' }] } });
    const mutation = await fetch(`${http.url}/v1/graphql?query=${encodeURIComponent('mutation { __typename }')}`);
    expect(mutation.status).toBe(405);
    expect(mutation.headers.get('allow')).toBe('POST');
    const put = await fetch(`${http.url}/v1/graphql`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
    expect((await fetch(`${http.url}/nope`)).status).toBe(404);
  });

  it('POST without application/json is 415; malformed bodies are 400', async () => {
    const form = await fetch(`${http.url}/v1/graphql`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query={__typename}' });
    expect(form.status).toBe(415);
    expect(((await form.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('invalid-headers');
    const broken = await fetch(`${http.url}/v1/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(broken.status).toBe(400);
    expect((await gql({ query: '{ __typename }', variables: [1] })).status).toBe(400);
  });

  it('takes a body a framework parser already read (req.body), as behind express.json()', async () => {
    const framework = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        (req as IncomingMessage & { body?: unknown }).body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        demo.engine.handler(req, res);
      });
    });
    try {
      const res = await fetch(`${framework.url}/v1/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ user(where: {id: {_eq: 3}}) { name } }' }) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: { user: [{ name: 'Carol' }] } });
    } finally {
      await framework.close();
    }
  });

  it('forces a strategy with the x-farjoin-strategy header, and names an unknown one', async () => {
    const query = '{ orders(where: {user: {name: {_eq: "Alice"}}}, order_by: {id: asc}) { id user { name } } }';
    const expected = { data: { orders: [{ id: 1, user: { name: 'Alice' } }, { id: 2, user: { name: 'Alice' } }] } };
    for (const strategy of ['two-phase', 'semi-join']) expect(await (await gql({ query }, { 'x-farjoin-strategy': strategy })).json()).toEqual(expected);
    // This demo has no postgres_fdw link: forcing fdw is refused with the fix.
    const fdw = (await (await gql({ query }, { 'x-farjoin-strategy': 'fdw' })).json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(fdw.errors[0]).toMatchObject({ extensions: { code: 'not-supported' } });
    expect(fdw.errors[0]!.message).toContain('farjoin fdw setup');
    const bad = (await (await gql({ query }, { 'x-farjoin-strategy': 'fastest' })).json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(bad.errors[0]).toMatchObject({ message: 'unknown strategy "fastest"; use one of auto, two-phase, fdw, semi-join', extensions: { code: 'validation-failed' } });
  });

  it('serves GraphiQL to browsers', async () => {
    const res = await fetch(`${http.url}/`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('farjoin GraphiQL');
  });

  it('POST /v1/graphql/explain takes Hasura\'s request shape and answers the explain JSON', async () => {
    const res = await fetch(`${http.url}/v1/graphql/explain`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: { query: '{ orders { id user { name } } }' }, user: {} }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { version: number; steps: { kind: string }[] };
    expect(body.version).toBe(1);
    expect(body.steps.map((s) => s.kind)).toEqual(['fetch', 'remote-join']);
  });

  it('GET /healthz is 200 when every source answers', async () => {
    const res = await fetch(`${http.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('OK');
  });

  it('logs one structured line per request with the timing of every plan step', async () => {
    lines.length = 0;
    await gql({ query: 'query Q { orders { id user { name } } }', operationName: 'Q' });
    await new Promise((r) => setTimeout(r, 20));
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).toMatchObject({ method: 'POST', path: '/v1/graphql', status: 200, operationName: 'Q', cache: expect.stringMatching(/hit|miss/) });
    expect(typeof line.ms).toBe('number');
    const steps = line.steps as { id: number; kind: string; source: string; ms: number; rows: number }[];
    expect(steps.map((s) => [s.id, s.kind, s.source])).toEqual([[1, 'fetch', 'source_db'], [2, 'remote-join', 'target_db']]);
    for (const s of steps) expect(typeof s.ms).toBe('number');
    expect(steps[0]!.rows).toBe(6);
  });
});
