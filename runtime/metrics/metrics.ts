/**
 * Prometheus metrics of one engine (DESIGN.md §6 "metrics", `GET /v1/metrics`), on
 * prom-client with a registry of the engine's own, so that two engines in one process
 * never mix their counts.
 *
 * Where Hasura EE publishes a metric for the same thing its name, type, buckets and labels
 * are used (docs: observability/enterprise-edition/prometheus/metrics), so existing
 * dashboards keep working: `hasura_graphql_requests_total`,
 * `hasura_graphql_execution_time_seconds`, `hasura_http_connections`,
 * `hasura_websocket_connections`, `hasura_active_subscriptions`,
 * `hasura_active_subscription_pollers`, `hasura_postgres_connections`,
 * `hasura_source_health`, `hasura_http_request_bytes_total`,
 * `hasura_http_response_bytes_total`. What Hasura has no metric for is `farjoin_*`.
 *
 * Gauges that mirror live state (pools, sockets, subscriptions) are read when scraped,
 * not kept up to date on every change.
 */
import client from 'prom-client';
import { stallReader, type StallReader } from './event-loop.js';

export type OperationType = 'query' | 'mutation' | 'subscription' | 'unknown';

/** What one finished request contributes (a subset of the engine's RequestTrace). */
export interface RequestObservation {
  readonly operationType: OperationType;
  readonly seconds: number;
  readonly failed: boolean;
  readonly cache?: 'hit' | 'miss';
  readonly errorCodes?: readonly string[];
  readonly steps?: readonly { kind: string; strategy?: string; source: string; ms: number; keys?: number; statements: number }[];
}

export interface PoolReading {
  readonly source: string;
  /** The connection as Hasura's `conn_info` label shows it: URL without password, or the env variable's name. */
  readonly connInfo: string;
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

/** Live readings the engine provides at scrape time. */
export interface MetricsReadings {
  pools(): readonly PoolReading[];
  /** `source → 0 OK | 1 TIMEOUT | 2 FAILED | 3 ERROR`, Hasura's `hasura_source_health` values. */
  sourceHealth(): Promise<ReadonlyMap<string, number>>;
  live(): { readonly pollers: number; readonly subscribers: number; readonly streaming: number };
}

const EXECUTION_BUCKETS = [0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const STEP_BUCKETS = [0.0005, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];

export class EngineMetrics {
  readonly registry = new client.Registry();
  private readonly requests: client.Counter<'operation_type' | 'response_status'>;
  private readonly execution: client.Histogram<'operation_type'>;
  private readonly steps: client.Histogram<'kind' | 'strategy' | 'source_name'>;
  private readonly remoteKeys: client.Counter<'strategy' | 'source_name'>;
  private readonly remoteChunks: client.Counter<'strategy' | 'source_name'>;
  private readonly planCache: client.Counter<'status'>;
  private readonly errors: client.Counter<'code'>;
  private readonly cache: client.Counter<'status'>;
  private readonly requestBytes: client.Counter;
  private readonly responseBytes: client.Counter;
  private httpConnections = 0;
  private readonly socketCounters = new Set<() => number>();
  private readonly stalls: StallReader | undefined;

  /** `enabled: false` (createEngine `metrics: false`): nothing is counted and `/v1/metrics` is not served. */
  readonly enabled: boolean;

  constructor(readings: MetricsReadings, options: { enabled?: boolean } = {}) {
    this.enabled = options.enabled ?? true;
    const registers = [this.registry];
    this.requests = new client.Counter({
      name: 'hasura_graphql_requests_total', help: 'Number of GraphQL requests received, by operation type and outcome',
      labelNames: ['operation_type', 'response_status'], registers,
    });
    this.execution = new client.Histogram({
      name: 'hasura_graphql_execution_time_seconds', help: 'Execution time of successful GraphQL requests (excluding subscriptions)',
      labelNames: ['operation_type'], buckets: EXECUTION_BUCKETS, registers,
    });
    this.steps = new client.Histogram({
      name: 'farjoin_step_duration_seconds', help: 'Duration of one plan step (fetch, remote join, semi-join), by kind, strategy and the source it ran on',
      labelNames: ['kind', 'strategy', 'source_name'], buckets: STEP_BUCKETS, registers,
    });
    this.remoteKeys = new client.Counter({
      name: 'farjoin_remote_join_keys_total', help: 'Distinct join keys sent by remote joins and semi-joins',
      labelNames: ['strategy', 'source_name'], registers,
    });
    this.remoteChunks = new client.Counter({
      name: 'farjoin_remote_join_chunks_total', help: 'Statements (key chunks) run by remote joins and semi-joins',
      labelNames: ['strategy', 'source_name'], registers,
    });
    this.planCache = new client.Counter({
      name: 'farjoin_plan_cache_requests_total', help: 'Plan cache lookups, by hit or miss', labelNames: ['status'], registers,
    });
    this.errors = new client.Counter({
      name: 'farjoin_errors_total', help: 'Errors in GraphQL responses, by error code', labelNames: ['code'], registers,
    });
    this.cache = new client.Counter({
      name: 'hasura_cache_request_count', help: 'Response cache lookups of @cached queries, by hit or miss', labelNames: ['status'], registers,
    });
    this.requestBytes = new client.Counter({
      name: 'hasura_http_request_bytes_total', help: 'Total size of HTTP request bodies received on the GraphQL endpoints', registers,
    });
    this.responseBytes = new client.Counter({
      name: 'hasura_http_response_bytes_total', help: 'Total size of HTTP response bodies sent by the GraphQL endpoints', registers,
    });
    const self = this;
    new client.Gauge({
      name: 'hasura_http_connections', help: 'Current number of active HTTP requests (excluding WebSocket connections)', registers,
      collect() { this.set(self.httpConnections); },
    });
    new client.Gauge({
      name: 'hasura_websocket_connections', help: 'Current number of active WebSocket connections', registers,
      collect() { let n = 0; for (const count of self.socketCounters) n += count(); this.set(n); },
    });
    new client.Gauge({
      name: 'hasura_active_subscriptions', help: 'Current number of active subscriptions', labelNames: ['subscription_kind'], registers,
      collect() {
        const live = readings.live();
        this.set({ subscription_kind: 'live-query' }, live.subscribers - live.streaming);
        this.set({ subscription_kind: 'streaming' }, live.streaming);
      },
    });
    new client.Gauge({
      name: 'hasura_active_subscription_pollers', help: 'Current number of active subscription pollers (one per query text and role)', registers,
      collect() { this.set(readings.live().pollers); },
    });
    new client.Gauge({
      name: 'hasura_postgres_connections', help: 'Current number of open PostgreSQL connections per source',
      labelNames: ['source_name', 'conn_info', 'role'], registers,
      collect() {
        this.reset();
        for (const p of readings.pools()) this.set({ source_name: p.source, conn_info: p.connInfo, role: 'primary' }, p.total);
      },
    });
    new client.Gauge({
      name: 'farjoin_postgres_pool_connections', help: 'Pool connections per source: in use, idle, and requests waiting for one',
      labelNames: ['source_name', 'state'], registers,
      collect() {
        this.reset();
        for (const p of readings.pools()) {
          this.set({ source_name: p.source, state: 'in_use' }, p.total - p.idle);
          this.set({ source_name: p.source, state: 'idle' }, p.idle);
          this.set({ source_name: p.source, state: 'waiting' }, p.waiting);
        }
      },
    });
    const stalls = this.enabled ? stallReader() : undefined;
    this.stalls = stalls;
    new client.Gauge({
      name: 'farjoin_event_loop_stall_max_seconds',
      help: 'Longest time the event loop did not turn while the process was on the CPU, since the previous scrape',
      registers,
      collect() { this.set(stalls?.read() ?? 0); },
    });
    new client.Gauge({
      name: 'hasura_source_health', help: 'Health of each source: 0 OK, 1 TIMEOUT, 2 FAILED, 3 ERROR', labelNames: ['source_name'], registers,
      async collect() {
        this.reset();
        for (const [source, value] of await readings.sourceHealth()) this.set({ source_name: source }, value);
      },
    });
  }

  /** Counts one finished GraphQL request (HTTP, WebSocket or library). */
  observeRequest(o: RequestObservation): void {
    if (!this.enabled) return;
    this.requests.inc({ operation_type: o.operationType, response_status: o.failed ? 'failed' : 'success' });
    if (!o.failed && (o.operationType === 'query' || o.operationType === 'mutation')) {
      this.execution.observe({ operation_type: o.operationType }, o.seconds);
    }
    if (o.cache) this.planCache.inc({ status: o.cache });
    for (const code of o.errorCodes ?? []) this.errors.inc({ code });
    for (const s of o.steps ?? []) {
      const strategy = s.strategy ?? 'local';
      this.steps.observe({ kind: s.kind, strategy, source_name: s.source }, s.ms / 1000);
      if (s.kind !== 'fetch') {
        if (s.keys !== undefined) this.remoteKeys.inc({ strategy, source_name: s.source }, s.keys);
        this.remoteChunks.inc({ strategy, source_name: s.source }, s.statements);
      }
    }
  }

  /** One lookup of a `@cached` query in the response cache. */
  observeCache(status: 'hit' | 'miss'): void {
    if (!this.enabled) return;
    this.cache.inc({ status });
  }

  /** An HTTP request on a GraphQL endpoint started; the returned function ends it with the byte counts. */
  httpRequestStarted(): (requestBytes: number, responseBytes: number) => void {
    this.httpConnections++;
    let ended = false;
    return (requestBytes, responseBytes) => {
      if (ended) return;
      ended = true;
      this.httpConnections--;
      this.requestBytes.inc(requestBytes);
      this.responseBytes.inc(responseBytes);
    };
  }

  /** A WebSocket server whose open sockets `hasura_websocket_connections` counts; returns its removal. */
  countSockets(count: () => number): () => void {
    this.socketCounters.add(count);
    return () => this.socketCounters.delete(count);
  }

  /** Stops the event-loop stall timer's reading for this engine. */
  close(): void {
    this.stalls?.close();
  }

  /** The Prometheus text exposition. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
