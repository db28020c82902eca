/**
 * `GET /v1/metrics` (issue 15, DESIGN.md §6 "metrics"): after known requests on the demo,
 * the Prometheus text shows the known counts under Hasura EE's names where Hasura has
 * them, and farjoin's own for steps, remote-join keys, plan cache and pools.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serve, shutdown } from '../../runtime/server/serve.js';
import { startDemo, type DemoContext } from '../helpers/demo.js';
import { sleep } from '../helpers/live.js';

const SECRET = 'metrics-secret';
const ORDERS_WITH_USER = '{ orders(order_by: {id: asc}) { id user { name } } }';

let demo: DemoContext;
let server: Server;
let http: { url: string };
beforeAll(async () => {
  demo = await startDemo({ adminSecret: SECRET, liveQueries: { refetchIntervalMs: 50 } });
  server = await serve(demo.engine, 0, '127.0.0.1');
  http = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
});
afterAll(async () => {
  if (server) await shutdown(server, demo.engine, { drainTimeoutMs: 1000 });
  await demo?.close();
});

const gql = (query: string, headers: Record<string, string> = { 'x-hasura-admin-secret': SECRET }): Promise<Response> =>
  fetch(`${http.url}/v1/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });

async function scrape(): Promise<string> {
  const res = await fetch(`${http.url}/v1/metrics`, { headers: { 'x-hasura-admin-secret': SECRET } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

/** The value of one sample, `name{labels}` exactly as exposed (labels in declaration order). */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

describe('GET /v1/metrics', () => {
  it('needs the admin secret when one is set', async () => {
    expect((await fetch(`${http.url}/v1/metrics`)).status).toBe(401);
    const asRole = await fetch(`${http.url}/v1/metrics`, { headers: { 'x-hasura-admin-secret': 'wrong' } });
    expect(asRole.status).toBe(401);
  });

  it('counts requests by operation type and outcome, errors by code, plan-cache hits and misses', async () => {
    const before = await scrape();
    const ok = (series: string): number => sample(before, series) ?? 0;
    for (let i = 0; i < 3; i++) expect((await gql(ORDERS_WITH_USER)).status).toBe(200);
    await gql('{ orders { nope } }');
    await gql('{ orders { id } }', {}); // no secret: access-denied
    const after = await scrape();
    const delta = (series: string): number => (sample(after, series) ?? 0) - ok(series);
    expect(delta('hasura_graphql_requests_total{operation_type="query",response_status="success"}')).toBe(3);
    expect(delta('hasura_graphql_requests_total{operation_type="unknown",response_status="failed"}')).toBe(2);
    expect(delta('farjoin_errors_total{code="validation-failed"}')).toBe(1);
    expect(delta('farjoin_errors_total{code="access-denied"}')).toBe(1);
    // The first text is compiled and cached; the invalid one is looked up, missed and refused.
    expect(delta('farjoin_plan_cache_requests_total{status="miss"}')).toBe(2);
    expect(delta('farjoin_plan_cache_requests_total{status="hit"}')).toBe(2);
    expect(delta('hasura_graphql_execution_time_seconds_count{operation_type="query"}')).toBe(3);
  });

  it('times each step by kind and strategy, and counts the keys and statements of remote joins', async () => {
    const before = await scrape();
    const response = await (await gql(ORDERS_WITH_USER, { 'x-hasura-admin-secret': SECRET, 'x-farjoin-strategy': 'two-phase' })).json() as { data: { orders: { user: unknown }[] } };
    const keys = new Set((await demo.databases.dbs.source_db!.query<{ user_id: number }>('SELECT user_id FROM orders WHERE user_id IS NOT NULL')).map((r) => r.user_id));
    expect(response.data.orders.length).toBeGreaterThan(0);
    const after = await scrape();
    const delta = (series: string): number => (sample(after, series) ?? 0) - (sample(before, series) ?? 0);
    expect(delta('farjoin_step_duration_seconds_count{kind="fetch",strategy="local",source_name="source_db"}')).toBe(1);
    expect(delta('farjoin_step_duration_seconds_count{kind="remote-join",strategy="two-phase",source_name="target_db"}')).toBe(1);
    expect(delta('farjoin_remote_join_keys_total{strategy="two-phase",source_name="target_db"}')).toBe(keys.size);
    expect(delta('farjoin_remote_join_chunks_total{strategy="two-phase",source_name="target_db"}')).toBe(1);
  });

  it('reports pools, source health and HTTP traffic under Hasura\'s names', async () => {
    await gql(ORDERS_WITH_USER);
    const text = await scrape();
    expect(text).toMatch(/^hasura_postgres_connections\{source_name="source_db",conn_info="postgres[^"]*",role="primary"\} [1-9]/m);
    expect(sample(text, 'farjoin_postgres_pool_connections{source_name="target_db",state="waiting"}')).toBe(0);
    expect(sample(text, 'hasura_source_health{source_name="source_db"}')).toBe(0);
    expect(sample(text, 'hasura_source_health{source_name="target_db"}')).toBe(0);
    expect(sample(text, 'hasura_http_request_bytes_total')).toBeGreaterThan(0);
    expect(sample(text, 'hasura_http_response_bytes_total')).toBeGreaterThan(0);
    expect(text).not.toContain(`:${SECRET}@`);
  });

  it('counts WebSocket connections, active subscriptions and pollers while a live query runs, and none after it ends', async () => {
    const before = await scrape();
    const client = createClient({
      url: `${http.url.replace('http', 'ws')}/v1/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false,
      onNonLazyError: () => undefined, connectionParams: { headers: { 'x-hasura-admin-secret': SECRET } },
    });
    const received: unknown[] = [];
    const unsubscribe = client.subscribe({ query: `subscription ${ORDERS_WITH_USER}` }, { next: (v) => received.push(v), error: () => undefined, complete: () => undefined });
    for (let i = 0; i < 200 && received.length === 0; i++) await sleep(10);
    expect(received.length).toBeGreaterThan(0);
    const during = await scrape();
    expect(sample(during, 'hasura_websocket_connections')).toBe(1);
    expect(sample(during, 'hasura_active_subscriptions{subscription_kind="live-query"}')).toBe(1);
    expect(sample(during, 'hasura_active_subscriptions{subscription_kind="streaming"}')).toBe(0);
    expect(sample(during, 'hasura_active_subscription_pollers')).toBe(1);
    const started = 'hasura_graphql_requests_total{operation_type="subscription",response_status="success"}';
    expect((sample(during, started) ?? 0) - (sample(before, started) ?? 0)).toBe(1);
    unsubscribe();
    await client.dispose();
    let after = await scrape();
    for (let i = 0; i < 100 && sample(after, 'hasura_websocket_connections') !== 0; i++) {
      await sleep(10);
      after = await scrape();
    }
    expect(sample(after, 'hasura_websocket_connections')).toBe(0);
    expect(sample(after, 'hasura_active_subscriptions{subscription_kind="live-query"}')).toBe(0);
    expect(sample(after, 'hasura_active_subscription_pollers')).toBe(0);
  });

  it('counts nothing and serves no /v1/metrics with metrics: false', async () => {
    const { createEngine } = await import('../../runtime/engine.js');
    const engine = await createEngine({ metadataPath: demo.metadataPath, env: { ...process.env, ...demo.env }, metrics: false });
    try {
      expect((await engine.execute({ query: ORDERS_WITH_USER })).errors).toBeUndefined();
      const text = (await engine.metrics.text()).body;
      expect(sample(text, 'hasura_graphql_requests_total{operation_type="query",response_status="success"}')).toBeUndefined();
      const { listen } = await import('../helpers/http.js');
      const served = await listen(engine.handler);
      const res = (await fetch(`${served.url}/v1/metrics`)).status;
      await served.close();
      expect(res).toBe(404);
    } finally {
      await engine.close();
    }
  });
});
