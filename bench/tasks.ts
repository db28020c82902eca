/**
 * What the orchestrator (run.ts) asks a bench child process (child.ts) to do, and what
 * comes back. Every measurement that touches a database runs in a fresh child so that its
 * peak RSS is its own and one system's heap does not slow the next one down.
 */
import type { ChinookUrls } from './chinook.js';
import type { JoinCoreOptions, JoinCoreReport } from './join-core.js';
import type { BenchUrls } from './schema.js';
import type { RepeatOptions, Timing } from './stats.js';
import type { SubscriptionsResult, SubscriptionsTask } from './subscriptions.js';
import type { MutationsResult, MutationsTask } from './mutations.js';

/** In-process systems run a query and stringify the response; `-http` ones serve it on loopback. */
export type SystemName = 'farjoin-remote' | 'farjoin-local' | 'handwritten' | 'farjoin-http' | 'yoga-dataloader-http' | 'farjoin-fdw';

export const SYSTEM_LABELS: Readonly<Record<SystemName, string>> = {
  'farjoin-remote': '(a) farjoin, remote relationship (2 databases)',
  'farjoin-local': '(b) farjoin, local relationship (1 database)',
  handwritten: '(c) hand-written pg + = ANY + Map',
  'yoga-dataloader-http': '(d) graphql-yoga + DataLoader (HTTP)',
  'farjoin-http': '(a) over HTTP (farjoin handler)',
  'farjoin-fdw': '(e) farjoin, postgres_fdw plan',
};

export interface LatencyTask {
  readonly kind: 'latency';
  readonly urls: BenchUrls;
  readonly parents: number;
  readonly systems: readonly SystemName[];
  readonly minIterations: number;
  readonly maxIterations: number;
  readonly budgetMs: number;
}

export interface SystemLatency {
  readonly system: SystemName;
  readonly timing: Timing;
  readonly responseBytes: number;
  /** The response is identical to the hand-written baseline's. */
  readonly sameResponse: boolean;
}

export interface Skipped {
  readonly system: string;
  readonly reason: string;
}

export interface LatencyResult {
  readonly parents: number;
  readonly systems: readonly SystemLatency[];
  readonly skipped: readonly Skipped[];
}

export interface MemoryTask {
  readonly kind: 'memory';
  readonly urls: BenchUrls;
  readonly parents: number;
  readonly system: SystemName;
}

export interface MemoryResult {
  readonly system: SystemName;
  readonly parents: number;
  readonly responseBytes: number;
  /** RSS after setup and warm-up, garbage collected. */
  readonly baselineRssBytes: number;
  /** Peak RSS of the process after one query at `parents`. */
  readonly peakRssBytes: number;
  /** `peakRssBytes - baselineRssBytes`: what the query itself needed at its peak. */
  readonly peakRssDeltaBytes: number;
  /** When the orchestrator ran several fresh processes: every run's delta (this result is the median run). */
  readonly deltaSamplesBytes?: readonly number[];
}

export type ServedSystem = 'farjoin-http' | 'farjoin-http-no-metrics' | 'farjoin-http-local' | 'yoga-dataloader-http' | 'handwritten-http';

export interface ServeTask {
  readonly kind: 'serve';
  readonly urls: BenchUrls;
  /**
   * `farjoin-http-no-metrics`: the same server with `metrics: false`, for the metrics overhead;
   * `farjoin-http-local`: both tables in one database, for the PostGraphile comparison;
   * `handwritten-http`: baseline (c) behind Node's http server, for the per-request cost.
   */
  readonly system: ServedSystem;
}

export interface ServeReady {
  readonly port: number;
}

/** The planner grid's cells and bounds (run.ts sets them per mode). */
export interface PlannerGridSettings {
  /** Selection family: parent counts × fractions of the orders table the remote side keeps. */
  readonly parentCounts: readonly number[];
  readonly childFractions: readonly number[];
  /** Filter family: fractions of the users matching the remote filter × parent limits. */
  readonly filterFractions: readonly number[];
  readonly filterLimits: readonly number[];
  /** A form whose first run is slower than this is not repeated. */
  readonly slowMs: number;
  /** Statement timeout for the grid's engine: caps any single run. */
  readonly statementTimeoutMs: number;
}

export interface PlannerTask extends PlannerGridSettings, RepeatOptions {
  readonly kind: 'planner';
  readonly urls: BenchUrls;
  readonly totalOrders: number;
  readonly totalUsers: number;
}

export interface PlannerCell {
  readonly family: 'selection' | 'filter';
  readonly label: string;
  /** What the planner chose (auto), and every other form the engine ran for the query. */
  readonly chosen: { readonly form: string; readonly medianMs: number; readonly note?: string };
  /** `counted`: a strategy the planner chooses between (not a mode of one, shown for comparison). */
  readonly alternatives: readonly { readonly form: string; readonly medianMs: number; readonly note?: string; readonly counted: boolean }[];
  readonly sameResponse: boolean;
  /** chosen ≤ 1.1 × the fastest strategy (DESIGN.md §7). */
  readonly withinTenPercent: boolean;
  /** chosen ≤ 1.1 × the fastest form, modes included. */
  readonly withinTenPercentOfEveryForm: boolean;
}

export interface PlannerResult {
  readonly cells: readonly PlannerCell[];
  /** Forms the engine refused, with its message. */
  readonly unavailable: readonly { readonly form: string; readonly reason: string }[];
  readonly note: string;
}

export interface PlanningTask {
  readonly kind: 'planning';
  readonly urls: BenchUrls;
  readonly rounds: number;
}

export interface PlanningResult {
  readonly uncachedMs: number;
  readonly cachedMs: number;
  /** What "cached" measured: the engine's plan cache, or a stand-in lookup. */
  readonly cachedKind: string;
  readonly uncached: Timing;
  readonly cached: Timing;
}

export interface JoinCoreTask {
  readonly kind: 'join-core';
  readonly options: Omit<JoinCoreOptions, 'progress'>;
}

/** The split music store at scale (bench/chinook.ts): its queries at several sizes, farjoin against hand-written `pg`. */
export type ChinookQueryName = 'lines' | 'albums';
export type ChinookSystemName = 'farjoin' | 'handwritten';

export interface ChinookLatencyTask {
  readonly kind: 'chinook-latency';
  readonly urls: ChinookUrls;
  /** Each query at each size (top-level rows asked for, `limit`), with its repetitions. */
  readonly cases: readonly { readonly query: ChinookQueryName; readonly parents: number; readonly repeat: RepeatOptions }[];
}

export interface ChinookLatencyResult {
  readonly query: ChinookQueryName;
  /** The `limit` asked for … */
  readonly parents: number;
  /** … and the top-level rows returned (fewer when the table is smaller). */
  readonly rows: number;
  readonly systems: readonly {
    readonly system: ChinookSystemName;
    readonly timing: Timing;
    readonly responseBytes: number;
    /** The response is identical to the hand-written baseline's. */
    readonly sameResponse: boolean;
  }[];
}

export type Task = LatencyTask | MemoryTask | ServeTask | PlannerTask | PlanningTask | JoinCoreTask | ChinookLatencyTask | SubscriptionsTask | MutationsTask;

export interface TaskResults {
  latency: LatencyResult;
  memory: MemoryResult;
  serve: ServeReady;
  planner: PlannerResult;
  planning: PlanningResult;
  'join-core': JoinCoreReport;
  'chinook-latency': ChinookLatencyResult[];
  subscriptions: SubscriptionsResult;
  mutations: MutationsResult;
}

/** Messages from a child: its result or error, and progress lines. */
export type ChildMessage =
  | { readonly type: 'result'; readonly result: unknown }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'progress'; readonly message: string };
