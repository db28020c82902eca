/**
 * The embeddable engine (DESIGN.md §6 "library"): metadata + live catalogs → compiler;
 * `execute` compiles (or takes the plan from the cache) and runs a request; `explain`
 * shows the plan (optionally analysed); `handler` serves HTTP; `reload` re-reads metadata
 * and catalogs; `close` drains and closes the pools. All I/O lives here and below; the
 * compiler stays pure.
 *
 * Reload swaps one immutable `EngineState` (metadata, compiler, sources, plan cache) for a
 * new one. A request takes the state current when it starts and keeps it to the end; a
 * retired state's pools close once its last in-flight request is done, so a reload never
 * drops a request and never mixes two metadata versions in one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getDirectiveValues, getOperationAST } from 'graphql';
import { createCompiler, type Compiler, type GraphQLRequest } from '../compiler/index.js';
import { checkDocumentText, checkVariables, type InputBounds } from '../compiler/input-bounds.js';
import { FarjoinError } from '../compiler/errors.js';
import { explainPlan, type ExplainJson } from '../compiler/explain/json.js';
import { parseMetadata } from '../compiler/metadata/parse.js';
import type { Metadata } from '../compiler/metadata/types.js';
import type { StrategyRequest } from '../compiler/plan/strategy.js';
import type { MutationStep, Plan } from '../compiler/plan/types.js';
import { DEFAULT_MAX_KEYS_PER_STATEMENT, executePlan, executePlanJson, type StatementRunner, type StepStats } from './execute/execute.js';
import { JsonSink } from './join/json-writer.js';
import { checkQueryDepth, resolveWorkLimits, type WorkLimits } from './limits.js';
import { RequestBudget } from './execute/budget.js';
import { serializeResponse } from './execute/serialize.js';
import { MetadataApi } from './metadata/api.js';
import { openMetadataStore } from './metadata/open.js';
import type { MetadataStore, StoredMetadata } from './metadata/store.js';
import { boundedPlanCacheKey, DEFAULT_PLAN_CACHE_ENTRIES, PlanCache, type PlanCacheStats } from './plan-cache.js';
import { toErrorJson, type GraphQLErrorJson } from './server/errors.js';
import { createHandler } from './server/http.js';
import { logRequestErrors } from './server/error-log.js';
import { silentLogger, type EngineLogger } from './server/log.js';
import { requestIdOf } from './server/request-id.js';
import { parseJwtConfig, resolveSession, type JwtConfig, type Session } from './server/session.js';
import { sessionValueError } from './sources/session-cast.js';
import { Sources, type SourceHealth } from './sources/sources.js';
import { SourceRecovery, type RetryOptions } from './sources/recovery.js';
import type { InconsistentObject } from '../compiler/metadata/inconsistent.js';
import { DEFAULT_MAX_BUFFERED, DEFAULT_MAX_SUBSCRIBERS, DEFAULT_REFETCH_INTERVAL_MS, LiveQueries, type StatementBatchFactory } from './live/poller.js';
import { lazyIterator, openSubscription, operationOf, streamKeyOf } from './live/subscribe.js';
import { explainSubscription } from './live/explain.js';
import type { PersistedQueries } from './policies/persisted-queries.js';
import { RequestPolicies } from './policies/policies.js';
import { Tracing, type TracingOptions } from './tracing/tracing.js';
import { DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, ResponseCache, sessionVariablesRead, type CacheKeys } from './cache/response-cache.js';
import { CACHED_DIRECTIVE } from '../compiler/schema/cached-directive.js';
import { EngineMetrics, type OperationType } from './metrics/metrics.js';
import type { StreamCursor } from '../compiler/index.js';
import type { Catalog } from '../compiler/catalog/types.js';
import { mutationSteps, runMutations } from './execute/mutate.js';
import { TwoPhaseCommit } from './execute/two-phase-commit.js';
import { DecisionLog } from './execute/decision-log.js';
import { CommitRetrier, type CommitRetrySettings } from './execute/commit-retry.js';
import { resolve as resolvePath } from 'node:path';
import { isNamingConvention, type NamingConvention } from '../compiler/schema/naming.js';

export interface EngineLimits {
  /** Key tuples per remote-join statement before chunking (default 50,000): more keys are sent in several statements, never rejected. */
  readonly maxKeysPerStatement?: number;
  /**
   * Statement timeout on every source, in ms (default 30,000; `FARJOIN_STATEMENT_TIMEOUT_MS`; 0: none).
   * The server cancels the statement; the field fails with code `timeout`.
   */
  readonly statementTimeoutMs?: number;
  /** How long to wait for a new connection to a source, in ms (default 10,000). */
  readonly connectTimeoutMs?: number;
  /** Largest accepted HTTP request body, in bytes (default 1 MiB): larger bodies get HTTP 413. */
  readonly maxBodyBytes?: number;
  /** Deepest accepted query, in field levels (default 15; `FARJOIN_MAX_DEPTH`; 0: none); checked before lowering. */
  readonly maxDepth?: number;
  /**
   * Most rows (objects in lists, at any level, as often as they appear) in one response
   * (default 100,000; `FARJOIN_MAX_ROWS`; 0: none); counted while the response is built.
   */
  readonly maxRows?: number;
  /**
   * Largest response, in bytes of JSON, and largest answer the sources may send for one
   * request (default 16 MiB; `FARJOIN_MAX_RESPONSE_BYTES`; 0: none); counted while it is read and written.
   */
  readonly maxResponseBytes?: number;
  /** Most fields (aliases counted, fragments expanded) in one document (default 2,000). */
  readonly maxFields?: number;
  /** Deepest nesting of `{ [ (` in a document, fragments expanded (default 128). */
  readonly maxNesting?: number;
  /** Deepest nesting of the variables (default 64). */
  readonly maxVariableDepth?: number;
  /** Most rows one mutation field may insert, nested rows included (default 10,000). */
  readonly maxMutationRows?: number;
}

/** Subscriptions (DESIGN.md §9, runtime/live/). */
export interface LiveQueryOptions {
  /** Time between polls, in ms (default `HASURA_GRAPHQL_LIVE_QUERIES_MULTIPLEXED_REFETCH_INTERVAL`, else 1000). */
  readonly refetchIntervalMs?: number;
  /** Undelivered responses per subscriber before it is dropped as too slow (default 100). */
  readonly maxBufferedResponses?: number;
  /** Subscriptions on the whole engine (default 100,000). */
  readonly maxSubscriptions?: number;
  /** Subscriptions on one WebSocket connection (default 200). */
  readonly maxSubscriptionsPerConnection?: number;
}

export interface EngineOptions {
  /** Prometheus metrics at `/v1/metrics` (default true; false counts nothing). */
  readonly metrics?: boolean;
  /** OpenTelemetry traces (default: on when OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT is set; runtime/tracing/). */
  readonly tracing?: TracingOptions;
  /** Runs only the operations of the metadata's allow-list for non-admin roles (default: env `HASURA_GRAPHQL_ENABLE_ALLOWLIST=true`). */
  readonly enableAllowlist?: boolean;
  /** Metadata as an object (Hasura v2 export_metadata shape) … */
  readonly metadata?: unknown;
  /** … or a YAML/JSON file or exported directory to read it from (re-read by `reload()`; `/v1/metadata` changes are written back). */
  readonly metadataPath?: string;
  /** A Postgres database holding the metadata (schema `farjoin_metadata`), shared by several instances; default `HASURA_GRAPHQL_METADATA_DATABASE_URL`. */
  readonly metadataDatabase?: string;
  /** Requires `x-hasura-admin-secret` on every request. */
  readonly adminSecret?: string;
  readonly limits?: EngineLimits;
  /** Where request logs go (a pino logger fits); default: nowhere. */
  readonly logger?: EngineLogger;
  /**
   * Background retries of a `COMMIT PREPARED` that failed after a two-phase commit's
   * decision (execute/commit-retry.ts; default: 100 ms doubling to 10 s, 70 attempts).
   */
  readonly twoPhaseCommitRetry?: CommitRetrySettings;
  /** Compiled plans kept for reuse (default 1000; 0 disables the cache). */
  readonly planCacheSize?: number;
  /** Environment for `from_env` database URLs (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Hasura's JWT config (JSON text or parsed); default `FARJOIN_JWT_SECRET`. Needs `adminSecret`. */
  readonly jwt?: string | JwtConfig;
  /** The role of requests without credentials (Hasura's unauthorized role); default `FARJOIN_UNAUTHORIZED_ROLE`. */
  readonly unauthorizedRole?: string;
  /**
   * bigint, numeric and double precision as JSON strings, through remote joins too
   * (default: `HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES=true` in the environment).
   */
  readonly stringifyNumericTypes?: boolean;
  readonly liveQueries?: LiveQueryOptions;
  /**
   * Where two-phase commits keep their decision records (runtime/execute/decision-log.ts);
   * default `FARJOIN_STATE_DIR`, else `.farjoin` in the working directory. One per instance.
   */
  readonly stateDir?: string;
  /** Called with every statement sent to a source (metrics, tests counting statements per poll). */
  readonly onStatement?: (source: string, text: string) => void;
  /**
   * Refuse to start (throw) when any metadata object is inconsistent or a source is down,
   * instead of leaving it out (default `FARJOIN_STRICT_METADATA=true`; `serve --strict`).
   */
  readonly strictMetadata?: boolean;
  /** Backoff for sources down at load: retried until they answer, then the engine reloads. */
  readonly sourceRetry?: RetryOptions;
}

export interface ExecuteRequest extends GraphQLRequest {
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** `extensions.persistedQuery` (automatic persisted queries) is read from here. */
  readonly extensions?: Readonly<Record<string, unknown>> | null;
  /** The client's address, for rate limits with `unique_params: IP` (the HTTP handler sets it). */
  readonly clientAddress?: string;
  /** The id written on the request's log lines (default: header `x-request-id`, else a new UUID). */
  readonly requestId?: string;
  /** Forces a join strategy (same as header `x-farjoin-strategy`). */
  readonly strategy?: StrategyRequest;
}

export interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: GraphQLErrorJson[];
}

export type ExplainResponse = ExplainJson | { errors: GraphQLErrorJson[] };

/** What `run` returns: the response, its trace, and (when it was executed) its JSON text. */
export interface RunResult {
  readonly response: GraphQLResponse;
  readonly trace: RequestTrace;
  /** `JSON.stringify(response)`, in chunks, written within the response limits. */
  readonly body?: readonly string[];
  /** The text path (`output: 'json'`): `response` has no `data`; it is only in `body`. */
  readonly dataInBody?: boolean;
}

export interface RunOptions {
  /** The live-query poller's subscriber session (resolved once, at subscribe). */
  readonly session?: Session;
  readonly streamCursor?: StreamCursor;
  /** Aborts when the client goes away: the request's statements are cancelled. */
  readonly signal?: AbortSignal;
  /** `json`: the response only as text in `body`, written from the columns (executeJson, HTTP). */
  readonly output?: 'objects' | 'json';
}

/** What one request did, for the request log line. */
export interface RequestTrace {
  requestId?: string;
  /** performance.now() when planning and execution began (traces). */
  planStartedAt?: number;
  executeStartedAt?: number;
  /** The session's role, once known. */
  role?: string;
  /** `@cached` queries: answered from the response cache (`hit`), or run and kept (`miss`, `refresh`). */
  responseCache?: { status: 'hit' | 'miss' | 'refresh'; maxAgeSeconds: number } & CacheKeys;
  /** `hit` when the plan came from the cache. */
  cache?: 'hit' | 'miss';
  compileMs?: number;
  executeMs?: number;
  steps?: { id: number; kind: 'fetch' | 'remote-join' | 'semi-join' | 'mutation'; strategy?: string; startedAt?: number; source: string; rows: number; keys?: number; statements: number; ms: number; error?: string }[];
  /** The request failed before execution (bad query, denied): no `data`. */
  requestError?: boolean;
  /** Codes of the errors in the response. */
  errorCodes?: string[];
  /** The operation's type once the document is known. */
  operationType?: OperationType;
}

const STRATEGIES: readonly StrategyRequest[] = ['auto', 'two-phase', 'fdw', 'semi-join'];

/** One metadata version: everything a request needs, swapped as a whole by `reload`. */
class EngineState {
  inflight = 0;
  retired = false;
  private drained: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    readonly metadata: Metadata,
    readonly catalog: Catalog,
    readonly compiler: Compiler,
    readonly sources: Sources,
    readonly plans: PlanCache,
    /** Cross-database commits and their recovery (per version: it caches per-source settings). */
    readonly twoPhase: TwoPhaseCommit,
    /** Persisted queries, allow-list and API limits of this metadata version (runtime/policies/). */
    readonly policies: RequestPolicies,
    /** `@cached` responses of this version (a new version may change what a role reads). */
    readonly responses: ResponseCache,
    /** Session variables each role's select permissions read: the response cache keys on their values. */
    readonly sessionRead: (role: string) => ReadonlySet<string> | 'all',
    /** Sources that did not answer at load (they have pools; retried by SourceRecovery). */
    readonly down: readonly string[] = [],
  ) {}

  release(): void {
    this.inflight--;
    if (this.inflight === 0) this.drained?.();
  }

  /** Closes the pools once the last in-flight request on this state is done. */
  retire(): Promise<void> {
    this.retired = true;
    this.closing ??= (async () => {
      if (this.inflight > 0) await new Promise<void>((r) => (this.drained = r));
      await this.sources.close();
    })();
    return this.closing;
  }
}

export class Engine {
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  readonly logger: EngineLogger;
  private state: EngineState;
  private reloading: Promise<void> = Promise.resolve();
  private closed: Promise<void> | undefined;
  /** Versions replaced by `reload` whose pools are still draining. */
  private readonly retiring = new Set<Promise<void>>();

  private readonly jwt: JwtConfig | undefined;
  /** `POST /v1/metadata` (runtime/metadata/). */
  readonly metadataApi: MetadataApi;
  private recovery: SourceRecovery | undefined;
  /** Depth, rows, bytes and statement timeout in force (0 given → Infinity). */
  readonly limits: WorkLimits;
  /** The budgets of the requests in flight, stopped by `cancelRequests()`. */
  private readonly active = new Set<RequestBudget>();
  /** Set by `cancelRequests()`: requests starting later stop at once with it. */
  private stopping: FarjoinError | undefined;
  /** Live queries and streams: pollers, cohorts, subscribers (runtime/live/). */
  readonly live: LiveQueries;
  /** Prometheus metrics (`GET /v1/metrics`, runtime/metrics/). */
  readonly metrics: EngineMetrics;
  /** OpenTelemetry traces, off unless configured (runtime/tracing/). */
  readonly tracing: Tracing;

  get liveOptions(): LiveQueryOptions {
    return this.options.liveQueries ?? {};
  }

  private constructor(state: EngineState, private readonly options: EngineOptions, store: MetadataStore, stored: StoredMetadata, private readonly commitRetries: CommitRetrier) {
    this.state = state;
    const env = options.env ?? process.env;
    this.limits = workLimits(options);
    this.jwt = typeof options.jwt === 'object' ? options.jwt : parseJwtConfig(options.jwt ?? env.FARJOIN_JWT_SECRET);
    this.logger = options.logger ?? silentLogger;
    const live = options.liveQueries ?? {};
    const envInterval = Number(env.HASURA_GRAPHQL_LIVE_QUERIES_MULTIPLEXED_REFETCH_INTERVAL);
    this.live = new LiveQueries(
      // Polls are not requests: they are not counted in the request metrics.
      async (request, session, streamCursor, batch) => (await this.runUnmetered(request, { session, ...(streamCursor ? { streamCursor } : {}), ...(batch ? { batch } : {}) })).response,
      {
        intervalMs: live.refetchIntervalMs ?? (envInterval > 0 ? envInterval : DEFAULT_REFETCH_INTERVAL_MS),
        maxBuffered: live.maxBufferedResponses ?? DEFAULT_MAX_BUFFERED,
        maxSubscribers: live.maxSubscriptions ?? DEFAULT_MAX_SUBSCRIBERS,
        // Each subscription counts once as a request, when it is asked for.
        onSubscription: (started) => this.metrics.observeRequest({ operationType: 'subscription', seconds: 0, failed: !started }),
      },
    );
    this.tracing = new Tracing(options.tracing, env);
    this.metrics = new EngineMetrics({
      pools: () => this.state.sources.poolReadings(),
      sourceHealth: async () => new Map(Object.entries(await this.health()).map(([name, h]) => [name, healthValue(h)])),
      live: () => this.live.stats(),
    }, { enabled: options.metrics ?? true });
    this.metadataApi = new MetadataApi({
      session: (headers) => this.session(headers),
      install: (metadata, o) => this.install(metadata, o),
      inconsistencies: () => this.state.compiler.inconsistencies,
      catalog: () => this.state.catalog,
      introspect: (source) => this.state.sources.get(source).introspect(),
      logger: this.logger,
    }, store, stored);
    store.watch?.((version) => void this.metadataApi.onStoreChanged(version));
    this.handler = createHandler(this, { maxBodyBytes: options.limits?.maxBodyBytes ?? 1024 * 1024, logger: this.logger });
    this.adopted(state);
  }

  static async create(options: EngineOptions): Promise<Engine> {
    checkAuthConfiguration(options);
    const store = await openMetadataStore(options);
    // One retrier for every metadata version: retries outlive a reload (commit-retry.ts).
    const retries = new CommitRetrier(options.twoPhaseCommitRetry, options.logger ?? silentLogger);
    try {
      const stored = await store.load();
      return new Engine(await Engine.load(options, retries, stored.metadata), options, store, stored, retries);
    } catch (e) {
      await store.close();
      throw e;
    }
  }

  private static async load(options: EngineOptions, retries: CommitRetrier, raw: unknown, strictOverride?: boolean, persisted?: PersistedQueries): Promise<EngineState> {
    const metadata = parseMetadata(raw);
    const limits = options.limits ?? {};
    const env = options.env ?? process.env;
    const policies = RequestPolicies.fromMetadata(raw, {
      enableAllowlist: options.enableAllowlist ?? env.HASURA_GRAPHQL_ENABLE_ALLOWLIST === 'true',
      ...(limits.maxNesting !== undefined ? { maxNesting: limits.maxNesting } : {}),
    }, persisted);
    const { statementTimeoutMs } = workLimits(options);
    const sources = new Sources(metadata, {
      env,
      ...(Number.isFinite(statementTimeoutMs) ? { statementTimeoutMs } : {}),
      ...(limits.connectTimeoutMs ? { connectTimeoutMs: limits.connectTimeoutMs } : {}),
    });
    try {
      const { catalog, failed } = await sources.introspectAll();
      const strict = strictOverride ?? options.strictMetadata ?? env.FARJOIN_STRICT_METADATA === 'true';
      const firstFailure = Object.values(failed)[0];
      if (strict && firstFailure) throw firstFailure;
      const stringifyNumericTypes = options.stringifyNumericTypes ?? env.HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES === 'true';
      const sourceErrors = Object.fromEntries(Object.entries(failed).map(([name, e]) => [name, e.message]));
      const defaultNamingConvention = namingConventionFromEnv(env.HASURA_GRAPHQL_DEFAULT_NAMING_CONVENTION);
      const compiler = createCompiler(metadata, catalog, {
        stringifyNumericTypes, bounds: inputBounds(limits), strict, sourceErrors,
        ...(limits.maxMutationRows ? { maxMutationRows: limits.maxMutationRows } : {}),
        ...(defaultNamingConvention ? { defaultNamingConvention } : {}),
      });
      const down = sources.names().filter((name) => failed[name]);
      const twoPhase = new TwoPhaseCommit(new DecisionLog(resolvePath(options.stateDir ?? env.FARJOIN_STATE_DIR ?? '.farjoin')), retries);
      // In-doubt transactions of an earlier run (a crash mid-commit) are resolved before any request.
      const recovered = await twoPhase.recover(sources, new Set(Object.keys(failed)));
      if (recovered.committed.length + recovered.rolledBack.length > 0) {
        options.logger?.info?.({ twoPhaseRecovery: recovered }, 'resolved in-doubt prepared transactions');
      }
      return new EngineState(metadata, catalog, compiler, sources, new PlanCache(options.planCacheSize ?? DEFAULT_PLAN_CACHE_ENTRIES), twoPhase, policies, new ResponseCache(), sessionVariablesRead(raw), down);
    } catch (e) {
      await sources.close();
      throw e;
    }
  }

  /** The compiler of the current metadata version. */
  get compiler(): Compiler {
    return this.state.compiler;
  }

  get sources(): Sources {
    return this.state.sources;
  }

  get metadata(): Metadata {
    return this.state.metadata;
  }

  /**
   * The metadata objects left out of the schema because they cannot be served (DESIGN.md
   * §3), in Hasura's `get_inconsistent_metadata` shape (`type`, `name`, `reason`,
   * `definition`) plus farjoin's `path` and `fix`. Empty when the metadata is consistent.
   */
  inconsistencies(): readonly InconsistentObject[] {
    // Objects the metadata API left out before installing (replace_metadata with allow_inconsistent_metadata).
    const api = this.metadataApi.inconsistentObjects.map((o): InconsistentObject => ({
      type: o.type as InconsistentObject['type'], name: o.name, definition: o.definition, path: o.path,
      reason: o.reason.startsWith('Inconsistent object: ') ? o.reason : `Inconsistent object: ${o.reason}`, fix: '',
    }));
    return [...this.state.compiler.inconsistencies, ...api];
  }

  /**
   * After a metadata version takes over: logs its inconsistent objects, and retries the
   * sources that were down (a reload when one answers).
   */
  private adopted(state: EngineState): void {
    for (const o of state.compiler.inconsistencies) {
      this.logger.warn({ inconsistent: { type: o.type, name: o.name, path: o.path, reason: o.reason, fix: o.fix } }, 'inconsistent metadata object left out of the schema');
    }
    this.recovery?.stop();
    this.recovery = undefined;
    if (state.down.length === 0 || this.closed) return;
    this.recovery = new SourceRecovery(
      () => Promise.any(state.down.map((name) => state.sources.get(name).query('SELECT 1', []))).then(() => true, () => false),
      async () => {
        if (this.state !== state) return; // a newer version took over already
        await this.install(state.metadata);
        this.logger.info({ recovered: state.down.filter((n) => !this.state.down.includes(n)) }, 'source answered again: metadata reloaded');
      },
      this.options.sourceRetry,
    );
  }

  planCacheStats(): PlanCacheStats {
    return this.state.plans.stats();
  }

  /** The catalogs of the metadata version being served. */
  get catalog(): Catalog {
    return this.state.catalog;
  }

  /**
   * Re-reads the metadata (from its store: `metadataPath`, the metadata database, or the
   * last version applied; or `metadata` given here) and every source's catalog, then swaps
   * compiler, pools and plan cache at once. Requests already running finish on the old
   * version; the old pools close after them. Inconsistent objects and sources that do not
   * answer are left out, as at start (with `strictMetadata` they throw). If the new
   * metadata cannot be parsed at all, the engine keeps the old version and the error is
   * thrown.
   */
  reload(options: { metadata?: unknown } = {}): Promise<void> {
    return this.metadataApi.reload(options.metadata);
  }

  /**
   * Builds the state for `metadata` and swaps it in (the metadata API's path; `reload`
   * goes through it). `beforeSwap` runs once the new state is built — the API persists
   * there — and, if it throws, the new state is discarded and the old one kept.
   */
  install(metadata: unknown, options: { beforeSwap?: (() => Promise<void>) | undefined; strict?: boolean } = {}): Promise<void> {
    const next = this.reloading.then(async () => {
      if (this.closed) throw new FarjoinError('invalid-configuration', 'the engine is closed');
      const state = await Engine.load(this.options, this.commitRetries, metadata, options.strict, this.state.policies.persisted);
      try {
        await options.beforeSwap?.();
      } catch (e) {
        await state.retire();
        throw e;
      }
      const previous = this.state;
      this.state = state;
      this.adopted(state);
      const retired = previous.retire().finally(() => this.retiring.delete(retired));
      this.retiring.add(retired);
    });
    this.reloading = next.catch(() => undefined);
    return next;
  }

  /** Who is asking (DESIGN.md §6 headers): admin secret, JWT, role headers, unauthorized role. */
  session(headers: ExecuteRequest['headers']): Promise<Session> {
    return resolveSession(headers ?? {}, {
      adminSecret: this.options.adminSecret,
      jwt: this.jwt,
      unauthorizedRole: this.options.unauthorizedRole ?? (this.options.env ?? process.env).FARJOIN_UNAUTHORIZED_ROLE,
    });
  }

  /**
   * Runs statements on `sources`; a data exception caused by one of `session`'s values names
   * that variable. With a budget, each statement is counted and cancelled with it.
   */
  private runner(sources: Sources, session: Session, budget?: RequestBudget): StatementRunner {
    // Plan statements repeat (the plan cache): named prepared statements (sources/prepared.ts).
    const control = budget ? { signal: budget.signal, onBytes: (n: number) => budget.takeWireBytes(n), prepare: true } : undefined;
    return {
      run: async (source, text, values) => {
        this.options.onStatement?.(source, text);
        let result;
        try {
          result = await sources.get(source).query(text, values, control);
        } catch (e) {
          throw sessionValueError(e, values, session.variables) ?? e;
        }
        const row = result.rows[0] as Record<string, unknown> | undefined;
        return row ? Object.values(row)[0] : null;
      },
    };
  }

  private strategyOf(request: ExecuteRequest): StrategyRequest {
    const header = request.headers?.['x-farjoin-strategy'];
    const value = request.strategy ?? (Array.isArray(header) ? header[0] : header) ?? 'auto';
    if (!STRATEGIES.includes(value as StrategyRequest)) {
      throw new FarjoinError('validation-failed', `unknown strategy "${value}"; use one of ${STRATEGIES.join(', ')}`, { path: '$' });
    }
    return value as StrategyRequest;
  }

  /** Takes the current state for one request; `release` must follow. */
  private acquire(): EngineState {
    if (this.closed) throw new FarjoinError('source-unavailable', 'the engine is shutting down', { path: '$' });
    const state = this.state;
    state.inflight++;
    return state;
  }

  /** The plan for a request: from the cache, or compiled (depth limit first) and cached. */
  private plan(state: EngineState, request: ExecuteRequest, session: Session, trace: RequestTrace, streamCursor?: StreamCursor): { ok: true; plan: Plan } | { ok: false; errors: readonly unknown[] } {
    const started = performance.now();
    trace.planStartedAt = started;
    const strategy = this.strategyOf(request);
    // Bounded before the cache key, which walks the variables, and before any parse.
    if (typeof request.query === 'string') checkDocumentText(request.query, state.compiler.bounds.maxNesting);
    checkVariables(request.variables, state.compiler.bounds);
    if (streamCursor) {
      // A stream's next batch: its cursor is baked into the plan, which is used once.
      const compiled = state.compiler.compile(request, { strategy, session: { role: session.role, variables: session.variables }, streamCursor });
      trace.compileMs = performance.now() - started;
      return compiled;
    }
    // Undefined for a key too large to cache, which is not built in full.
    const key = boundedPlanCacheKey({
      query: request.query, operationName: request.operationName, role: session.role,
      session: session.variables, strategy, variables: request.variables,
    }, state.plans.maxKeyChars);
    const cached = key === undefined ? undefined : state.plans.get(key);
    if (cached) {
      trace.cache = 'hit';
      trace.compileMs = performance.now() - started;
      return { ok: true, plan: cached };
    }
    trace.cache = 'miss';
    const maxDepth = this.limits.maxDepth;
    if (Number.isFinite(maxDepth)) checkQueryDepth(request.query, request.operationName, maxDepth, state.compiler.bounds);
    const compiled = state.compiler.compile(request, { strategy, session: { role: session.role, variables: session.variables } });
    trace.compileMs = performance.now() - started;
    if (!compiled.ok) return compiled;
    if (key !== undefined) state.plans.set(key, compiled.plan);
    return compiled;
  }

  async execute(request: ExecuteRequest): Promise<GraphQLResponse> {
    return (await this.run(request)).response;
  }

  /**
   * `execute`, plus what the request did (cache hit, per-step timings) for logging, and
   * the response as JSON text chunks (`body`, written within the limits). The live-query
   * poller passes the subscriber's `session` (resolved once, at subscribe) and a stream's
   * cursor; the HTTP handler passes a `signal` that aborts when the client goes away, which
   * cancels the request's statements.
   */
  async run(request: ExecuteRequest, given: RunOptions = {}): Promise<RunResult> {
    const started = performance.now();
    const result = await this.runUnmetered(request, given);
    const { trace, response } = result;
    this.metrics.observeRequest({
      operationType: trace.operationType ?? 'unknown', seconds: (performance.now() - started) / 1000,
      failed: response.errors !== undefined && response.errors.length > 0,
      ...(trace.cache ? { cache: trace.cache } : {}), ...(trace.errorCodes ? { errorCodes: trace.errorCodes } : {}),
      ...(trace.steps ? { steps: trace.steps } : {}),
    });
    if (this.tracing.enabled) {
      this.tracing.record({
        headers: request.headers, operationType: trace.operationType, operationName: request.operationName, requestId: trace.requestId,
        role: trace.role, planCache: trace.cache, errorCodes: trace.errorCodes, steps: trace.steps,
      }, {
        startedAt: started, endedAt: performance.now(), planStartedAt: trace.planStartedAt, planMs: trace.compileMs,
        executeStartedAt: trace.executeStartedAt, executeMs: trace.executeMs,
      });
    }
    return result;
  }

  /**
   * The response as JSON text (DESIGN.md §6 library, issue 17): the same text as
   * `JSON.stringify(await execute(request))`, written straight from the statements'
   * columns (runtime/join/json-writer.ts), without building the response's objects.
   */
  async executeJson(request: ExecuteRequest): Promise<string> {
    const { response, body } = await this.run(request, { output: 'json' });
    return body ? body.join('') : JSON.stringify(response);
  }

  private async runUnmetered(request: ExecuteRequest, given: RunOptions & { batch?: StatementBatchFactory }): Promise<RunResult> {
    const requestId = request.requestId ?? requestIdOf(request.headers);
    const trace: RequestTrace = { requestId };
    let admin = false;
    let state: EngineState | undefined;
    let budget: RequestBudget | undefined;
    let timer: NodeJS.Timeout | undefined;
    const fail = (errors: readonly unknown[], requestError: boolean): RunResult => {
      logRequestErrors(this.logger, requestId, errors);
      const json = errors.map((e) => toErrorJson(e, admin));
      trace.requestError = requestError;
      trace.errorCodes = json.map((e) => e.extensions.code);
      return { response: { errors: json }, trace };
    };
    try {
      const session = given.session ?? await this.session(request.headers);
      admin = session.admin;
      trace.role = session.role;
      state = this.acquire();
      // Polls of a live query were admitted when it was subscribed.
      const admitted = given.batch || given.streamCursor ? request : state.policies.admit(request, { ...session, clientAddress: request.clientAddress });
      const caching = given.batch || given.streamCursor ? undefined : cachingOf(state, admitted, session);
      if (caching && !caching.refresh) {
        const hit = state.responses.get(caching.keys.key);
        this.metrics.observeCache(hit ? 'hit' : 'miss');
        if (hit) {
          trace.operationType = 'query';
          trace.responseCache = { status: 'hit', maxAgeSeconds: hit.maxAgeSeconds, ...caching.keys };
          return { response: hit.response, trace };
        }
      }
      const planned = this.plan(state, admitted, session, trace, given.streamCursor);
      if (!planned.ok) return fail(planned.errors, true);
      if (planned.plan.operation) trace.operationType = planned.plan.operation;
      const started = performance.now();
      trace.executeStartedAt = started;
      budget = new RequestBudget(this.limits, given.signal);
      const timeLimit = state.policies.limits.timeLimitSeconds(session);
      if (timeLimit !== undefined) {
        const stopping = budget;
        timer = setTimeout(() => stopping.stop(timeLimitError(timeLimit, session.role)), timeLimit * 1000);
      }
      this.active.add(budget);
      if (this.stopping) budget.stop(this.stopping);
      // Mutations run and commit first; remote joins under `returning` then read committed data.
      // A cancellation before the commit rolls them back (mutate.ts).
      const writes = mutationSteps(planned.plan);
      const mutated = writes.length > 0 ? await this.mutate(writes, state, session, budget.signal) : undefined;
      // A poll's multiplexed statements answer many cohorts: not counted against one cohort's bytes.
      const runner = given.batch ? given.batch(this.runner(state.sources, session)) : this.runner(state.sources, session, budget);
      const executeOptions = {
        maxKeysPerStatement: this.options.limits?.maxKeysPerStatement ?? DEFAULT_MAX_KEYS_PER_STATEMENT,
        ...(mutated ? { mutated } : {}),
        budget,
      };
      if (given.output === 'json' && !caching) {
        // The text path: `data` written as JSON text as the rows are stitched, no objects.
        const stopping = budget;
        const sink = new JsonSink(budget.limits.maxResponseBytes, (e) => stopping.stop(e as FarjoinError));
        sink.write('{"data":');
        const { stats, errors } = await executePlanJson(planned.plan, runner, { ...executeOptions, sink });
        trace.executeMs = performance.now() - started;
        trace.steps = stepTrace(planned.plan, stats);
        const response: GraphQLResponse = {};
        if (errors.length > 0) {
          logRequestErrors(this.logger, requestId, errors);
          response.errors = errors.map((e) => toErrorJson(e, admin));
          trace.errorCodes = response.errors.map((e) => e.extensions.code);
          sink.write(`,"errors":${JSON.stringify(response.errors)}`);
        }
        sink.write('}');
        return { response, trace, body: sink.end(), dataInBody: true };
      }
      const { data, stats, errors } = await executePlan(planned.plan, runner, executeOptions);
      trace.executeMs = performance.now() - started;
      trace.steps = stepTrace(planned.plan, stats);
      const response: GraphQLResponse = { data };
      if (errors.length > 0) {
        // Partial success: the fields whose source failed are null, each with its error.
        logRequestErrors(this.logger, requestId, errors);
        response.errors = errors.map((e) => toErrorJson(e, admin));
        trace.errorCodes = response.errors.map((e) => e.extensions.code);
      }
      // Rows and bytes as they appear in the text (shared objects once per parent): past a
      // limit, the request fails. Without limits nothing is to be counted, and `execute` needs no text.
      const limited = Number.isFinite(budget.limits.maxRows) || Number.isFinite(budget.limits.maxResponseBytes);
      const body = limited || given.output === 'json' ? await serializeResponse(response, budget) : undefined;
      if (caching && errors.length === 0) {
        state.responses.set(caching.keys, response, caching.ttlSeconds);
        trace.responseCache = { status: caching.refresh ? 'refresh' : 'miss', maxAgeSeconds: caching.ttlSeconds, ...caching.keys };
      }
      return { response, trace, body };
    } catch (e) {
      return fail([e], trace.cache === undefined);
    } finally {
      if (timer) clearTimeout(timer);
      if (budget) this.active.delete(budget);
      state?.release();
    }
  }

  /** The plan for a request; with `analyze`, runs it and adds rows, keys and timings per step. */
  async explain(request: ExecuteRequest, options: { analyze?: boolean } = {}): Promise<ExplainResponse> {
    let admin = false;
    let state: EngineState | undefined;
    try {
      const session = await this.session(request.headers);
      admin = session.admin;
      // Explain shows SQL text: admins only (DESIGN.md §8), as Hasura's explain endpoint.
      if (!admin) throw new FarjoinError('access-denied', 'explain is allowed for the admin role only', { path: '$' });
      state = this.acquire();
      const planned = this.plan(state, request, session, {});
      if (!planned.ok) return { errors: this.report(request, planned.errors, admin) };
      const explain = explainPlan(planned.plan);
      const operation = operationOf(request);
      if (operation?.operation === 'subscription') {
        explain.subscription = explainSubscription(explain, {
          stream: streamKeyOf(operation, session.role, (role, field, inner) => this.rootFieldKind(role, field, inner)) !== undefined,
          intervalMs: this.live.intervalMs,
        });
      }
      if (options.analyze && mutationSteps(planned.plan).length > 0) {
        throw new FarjoinError('not-supported', 'explain --analyze would run the mutation; explain it without --analyze', { path: '$' });
      }
      if (options.analyze) {
        const { stats } = await executePlan(planned.plan, this.runner(state.sources, session), {
          maxKeysPerStatement: this.options.limits?.maxKeysPerStatement ?? DEFAULT_MAX_KEYS_PER_STATEMENT,
        });
        for (const step of explain.steps) {
          const s = stats.get(step.id);
          if (s) step.analyze = s;
        }
      }
      return explain;
    } catch (e) {
      return { errors: this.report(request, [e], admin) };
    } finally {
      state?.release();
    }
  }

  /** Runs the plan's mutations; a data exception caused by one of `session`'s values (a preset, a check) names that variable. */
  private async mutate(writes: MutationStep[], state: EngineState, session: Session, signal: AbortSignal): Promise<Awaited<ReturnType<typeof runMutations>>> {
    try {
      return await runMutations(writes, state.sources, state.twoPhase, { ...(this.options.onStatement ? { onStatement: this.options.onStatement } : {}), signal });
    } catch (e) {
      throw sessionValueError(e, writes.flatMap((w) => w.statements.flatMap((s) => [...s.write.values, ...(s.read?.values ?? [])])), session.variables) ?? e;
    }
  }

  /** Logs `errors` (internal ones and source failures, server/error-log.ts) and shapes them for the caller. */
  private report(request: ExecuteRequest, errors: readonly unknown[], admin: boolean): GraphQLErrorJson[] {
    logRequestErrors(this.logger, request.requestId ?? requestIdOf(request.headers), errors);
    return errors.map((e) => toErrorJson(e, admin));
  }

  /**
   * A subscription (live query or `T_stream`) as an async iterator of responses; a query or
   * mutation yields its one response. `return()` unsubscribes.
   */
  subscribe(request: ExecuteRequest): AsyncIterableIterator<GraphQLResponse> {
    return lazyIterator(
      this.session(request.headers).then((session) => this.subscribeAs(request, session)),
      (e) => ({ errors: this.report(request, [e], false) }),
    );
  }

  /**
   * The request's errors if it cannot compile for `session` (no I/O), else undefined: the
   * WebSocket protocols answer such a subscription with an `error` message at once.
   */
  check(request: ExecuteRequest, session: Session): GraphQLErrorJson[] | undefined {
    try {
      // The rate limit counts the subscription once, when it is subscribed.
      const admitted = this.state.policies.admit(request, { ...session, clientAddress: request.clientAddress }, { countRate: false });
      const compiled = this.state.compiler.compile(admitted, { strategy: this.strategyOf(request), session: { role: session.role, variables: session.variables } });
      return compiled.ok ? undefined : this.report(request, compiled.errors, session.admin);
    } catch (e) {
      return this.report(request, [e], session.admin);
    }
  }

  /** `subscribe` with a session already resolved (the WebSocket server's, from `connection_init`). */
  subscribeAs(request: ExecuteRequest, session: Session): AsyncIterableIterator<GraphQLResponse> {
    let admitted: ExecuteRequest;
    try {
      admitted = this.state.policies.admit(request, { ...session, clientAddress: request.clientAddress });
    } catch (e) {
      return lazyIterator(Promise.reject(e), (error) => ({ errors: [toErrorJson(error, session.admin)] }));
    }
    return openSubscription({
      live: this.live,
      execute: async (r, s) => (await this.run(r, { session: s })).response,
      rootFieldKind: (role, field, inner) => this.rootFieldKind(role, field, inner),
    }, admitted, session);
  }

  /** A root field's kind in `role`'s schema; with `inner`, the kind of field `inner` of the namespace `field`. */
  private rootFieldKind(role: string, field: string, inner?: string): string | undefined {
    const info = this.state.compiler.schemaFor(role).info;
    return inner === undefined ? info.rootFields.get(field)?.kind : info.namespaces?.get(field)?.rootFields.get(inner)?.kind;
  }

  /** Operations a batched request from these headers may hold (api_limits.batch_limit); undefined when unlimited or unauthenticated (each operation then fails on its own). */
  async batchLimit(headers: ExecuteRequest['headers']): Promise<number | undefined> {
    const session = await this.session(headers).catch(() => undefined);
    return session ? this.state.policies.limits.batchLimit(session) : undefined;
  }

  /** Which sources answer `SELECT 1` right now (for `/healthz`). */
  health(): Promise<Record<string, SourceHealth>> {
    return this.state.sources.health();
  }

  /**
   * Stops every request in flight: its statements are cancelled, and it answers
   * `source-unavailable` "the server is shutting down" (graceful shutdown, after its grace period).
   */
  cancelRequests(): void {
    this.stopping ??= new FarjoinError('source-unavailable', 'the server is shutting down; retry on another instance or after the restart', { path: '$' });
    for (const budget of this.active) budget.stop(this.stopping);
  }

  /** Stops taking requests, waits for in-flight ones, closes every pool. Idempotent. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.recovery?.stop();
      this.commitRetries.stop(); // what is left is recovery's, at the next start
      await this.live.close();
      await this.metadataApi.close();
      this.metrics.close();
      await this.reloading;
      await Promise.all([this.state.retire(), ...this.retiring]);
      await this.tracing.shutdown();
    })();
    return this.closed;
  }
}

/** createEngine limits, else the environment (FARJOIN_MAX_DEPTH, …), else the defaults (runtime/limits.ts). */
function workLimits(options: EngineOptions): WorkLimits {
  const l = options.limits ?? {};
  return resolveWorkLimits({
    ...(l.maxDepth !== undefined ? { maxDepth: l.maxDepth } : {}),
    ...(l.maxRows !== undefined ? { maxRows: l.maxRows } : {}),
    ...(l.maxResponseBytes !== undefined ? { maxResponseBytes: l.maxResponseBytes } : {}),
    ...(l.statementTimeoutMs !== undefined ? { statementTimeoutMs: l.statementTimeoutMs } : {}),
  }, options.env ?? process.env);
}

function inputBounds(limits: EngineLimits): Partial<InputBounds> {
  const out: { -readonly [K in keyof InputBounds]?: number } = {};
  if (limits.maxFields !== undefined) out.maxFields = limits.maxFields;
  if (limits.maxNesting !== undefined) out.maxNesting = limits.maxNesting;
  if (limits.maxVariableDepth !== undefined) out.maxVariableDepth = limits.maxVariableDepth;
  return out;
}

function stepTrace(plan: Plan, stats: ReadonlyMap<number, StepStats>): NonNullable<RequestTrace['steps']> {
  const out: NonNullable<RequestTrace['steps']> = [];
  for (const step of plan.steps) {
    const s = stats.get(step.id);
    if (!s) continue;
    out.push({
      id: step.id, kind: step.kind, ...(step.kind === 'fetch' || step.kind === 'mutation' ? {} : { strategy: step.strategy }), source: step.source, rows: s.rows, ...(s.keys !== undefined ? { keys: s.keys } : {}),
      statements: s.statements, ms: round(s.ms), ...(s.startedAt !== undefined ? { startedAt: s.startedAt } : {}), ...(s.error ? { error: s.error } : {}),
    });
  }
  return out;
}

/** Hasura's `hasura_source_health` values: 0 OK, 1 TIMEOUT, 2 FAILED (cannot connect), 3 ERROR. */
function healthValue(h: SourceHealth): number {
  if (h.ok) return 0;
  if (h.code === 'timeout') return 1;
  return h.code === 'source-unavailable' ? 2 : 3;
}

/**
 * A query's `@cached(ttl, refresh)` and its cache keys, or undefined when the operation is
 * not a cached query (or its text does not parse: the compiler reports that).
 */
function cachingOf(state: EngineState, request: ExecuteRequest, session: Session): { keys: CacheKeys; ttlSeconds: number; refresh: boolean } | undefined {
  if (typeof request.query !== 'string' || !request.query.includes('@cached')) return undefined;
  // Bounded before they are hashed; documentOf bounds the text before it parses it.
  checkVariables(request.variables, state.compiler.bounds);
  const document = state.policies.documentOf(request.query);
  const operation = document ? getOperationAST(document, request.operationName ?? undefined) : undefined;
  if (!operation || operation.operation !== 'query') return undefined;
  let args: { ttl?: unknown; refresh?: unknown } | undefined;
  try {
    args = getDirectiveValues(CACHED_DIRECTIVE, operation, request.variables ?? {});
  } catch {
    return undefined; // invalid arguments: validation reports them
  }
  if (!args) return undefined;
  const ttl = typeof args.ttl === 'number' ? args.ttl : DEFAULT_TTL_SECONDS;
  const read = state.sessionRead(session.role);
  const sessionValues = Object.fromEntries(Object.entries(session.variables).filter(([k]) => k !== 'x-hasura-role' && (read === 'all' || read.has(k))));
  return {
    keys: ResponseCache.keys({ query: request.query, operationName: request.operationName, variables: request.variables, role: session.role, session: sessionValues }),
    ttlSeconds: Math.max(0, Math.min(MAX_TTL_SECONDS, ttl)),
    refresh: args.refresh === true,
  };
}

function timeLimitError(seconds: number, role: string): FarjoinError {
  return new FarjoinError('timeout', `the request took longer than the time limit of ${seconds} s for role "${role}" (api_limits.time_limit); its statements were cancelled`, { path: '$' });
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/**
 * Hasura refuses to start with JWT or an unauthorized role but no admin secret (every
 * request would otherwise be admin); so does farjoin, before opening any connection.
 */
function checkAuthConfiguration(options: EngineOptions): void {
  const env = options.env ?? process.env;
  const jwt = options.jwt ?? env.FARJOIN_JWT_SECRET;
  const unauthorizedRole = options.unauthorizedRole ?? env.FARJOIN_UNAUTHORIZED_ROLE;
  if (typeof jwt === 'string') parseJwtConfig(jwt); // a bad JWT config fails now, with its reason
  if ((jwt || unauthorizedRole) && !options.adminSecret) {
    const what = jwt ? 'a JWT secret (FARJOIN_JWT_SECRET)' : 'an unauthorized role';
    throw new FarjoinError('invalid-configuration', `${what} requires an admin secret: pass --admin-secret or set FARJOIN_ADMIN_SECRET`);
  }
}

/** `import { createEngine } from 'farjoin'`. */
export function createEngine(options: EngineOptions): Promise<Engine> {
  return Engine.create(options);
}

/** HASURA_GRAPHQL_DEFAULT_NAMING_CONVENTION: `hasura-default` or `graphql-default` (Hasura's words when it is neither). */
function namingConventionFromEnv(value: string | undefined): NamingConvention | undefined {
  if (value === undefined || value === '') return undefined;
  if (isNamingConvention(value)) return value;
  throw new FarjoinError('invalid-configuration', 'HASURA_GRAPHQL_DEFAULT_NAMING_CONVENTION: naming_convention can either be "hasura-default" or "graphql-default"');
}
