/**
 * The results document (DESIGN.md §7): the figures `bench/results/latest.json` must carry,
 * derived from the raw measurements, plus the raw measurements themselves and a verdict
 * for every target. Nothing here is a constant: a figure that was not measured is `null`.
 */
import type { ChinookScaleSpec } from '../fixtures/chinook-scale.js';
import { CHINOOK_QUERIES } from './chinook.js';
import type { JoinCoreCell } from './join-core.js';
import type { LoadResult } from './http-client.js';
import { HASURA_PUBLISHED, type SubscriptionsResult } from './subscriptions.js';
import type { MutationsResult } from './mutations.js';
import type { PeerMeasurements } from './peers/compare.js';
import { perRequestFigures, postgraphileFigures, worstLatencyRatio, type PerRequestFigure, type PostgraphileFigures } from './peers/figures.js';
import type { CpuWindow } from './proc-cpu.js';
import type { ChinookLatencyResult, ChinookQueryName, LatencyResult, MemoryResult, PlannerResult, PlanningResult, Skipped, SystemName } from './tasks.js';

export interface ThroughputResult {
  readonly parents: number;
  readonly concurrency: number;
  readonly farjoin: LoadResult;
  readonly dataloader: LoadResult;
  /** Both servers returned the same response before the load started. */
  readonly sameResponse: boolean;
  /** Each server's and Postgres's CPU over its slices (absent in measurements made before it existed). */
  readonly cpu?: { readonly farjoin: CpuWindow; readonly dataloader: CpuWindow };
  /** Baseline (c) behind Node's http server under the same load, alone: the per-request floor. */
  readonly handwritten?: { readonly load: LoadResult; readonly cpu: CpuWindow; readonly sameResponse: boolean };
}

/** The same farjoin server with metrics on and off (tracing off in both), interleaved. */
export interface MetricsOverheadResult {
  readonly parents: number;
  readonly concurrency: number;
  readonly metricsOn: LoadResult;
  readonly metricsOff: LoadResult;
  readonly sameResponse: boolean;
}

/** The split music store at scale (fixtures/chinook-scale.ts, bench/chinook.ts). */
export interface ChinookMeasurements {
  readonly spec: ChinookScaleSpec;
  /** Generating and loading both databases, keys and ANALYZE included. */
  readonly loadMs: number;
  readonly latency: readonly ChinookLatencyResult[];
}

export interface Measurements {
  readonly quick: boolean;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly machine: Readonly<Record<string, string | number>>;
  readonly data: { readonly orders: number; readonly users: number };
  readonly joinCore: readonly JoinCoreCell[];
  readonly latency: readonly LatencyResult[];
  /** After fdw setup: (e) with (a) and (c) in the same rounds; empty when fdw is unavailable. */
  readonly fdwLatency: readonly LatencyResult[];
  readonly memory: readonly MemoryResult[];
  readonly throughput: ThroughputResult;
  readonly planner: PlannerResult;
  readonly planning: PlanningResult;
  /** Absent only in measurements made before the family existed. */
  readonly chinook?: ChinookMeasurements;
  /** Absent only in measurements made before the family existed. */
  readonly subscriptions?: SubscriptionsResult;
  /** Absent only in measurements made before it existed. */
  readonly metricsOverhead?: MetricsOverheadResult;
  /** Absent only in measurements made before the family existed. */
  readonly mutations?: MutationsResult;
  /** PostGraphile v5 against farjoin (bench/peers/compare.ts); absent when it was not measured (see `skipped`). */
  readonly postgraphile?: PeerMeasurements;
  readonly skipped: readonly Skipped[];
}

export interface Target {
  readonly id: string;
  readonly description: string;
  readonly value: number | null;
  readonly goal: string;
  readonly met: boolean;
}

export interface BenchResults {
  readonly version: 1;
  readonly quick: boolean;
  readonly joinCore: { readonly rowsPerSec: number; readonly vsStringify: number; readonly headline: string };
  readonly ratios: {
    readonly remoteVsLocal_1e4: number | null;
    readonly remoteVsHandwritten_1e4: number | null;
    readonly farjoinVsDataloaderThroughput_1e3: number;
    /** 1 − throughput with metrics on / with metrics off (tracing off in both). */
    readonly metricsOverhead: number | null;
  };
  readonly planner: { readonly cells: number; readonly withinTenPercent: number; readonly withinTenPercentShare: number; readonly withinTenPercentOfEveryForm: number };
  readonly scaling: Readonly<Record<string, number>>;
  readonly memory: { readonly peakRssOverResponseBytes_1e5: number | null; readonly definition: string };
  readonly planning: { readonly cachedMs: number; readonly uncachedMs: number; readonly cachedKind: string };
  /**
   * The split music store at scale: farjoin's median latency over the hand-written `pg`
   * baseline's, per query and size (`lines_1e3`: 1e3 invoice lines), from interleaved rounds.
   */
  readonly chinook: {
    readonly data: Omit<ChinookScaleSpec, 'seed'>;
    readonly queries: Readonly<Record<ChinookQueryName, string>>;
    readonly farjoinVsHandwritten: Readonly<Record<string, number | null>>;
    readonly farjoinMs: Readonly<Record<string, number>>;
    readonly handwrittenMs: Readonly<Record<string, number>>;
    /** Every farjoin response equalled the baseline's. */
    readonly sameResponse: boolean;
  } | null;
  /** Live subscriptions (bench/subscriptions.ts), with Hasura's published figures beside them. */
  readonly subscriptions: {
    readonly subscribers: number;
    readonly statementsPerPoll: number;
    readonly statementsPerPollGoal: number;
    readonly pushDelayP99OverInterval: number;
    readonly cpuPercentChanging: number;
    readonly cpuMsPerSubscriberPerSecond: number;
    readonly memoryBytesPerSubscriber: number;
    readonly hasuraPublished: typeof HASURA_PUBLISHED;
  } | null;
  /** Mutations (bench/mutations.ts): farjoin / hand-written pg per row count, and the two-phase commit's cost. */
  readonly mutations: {
    readonly ratio_1: number;
    readonly ratio_100: number;
    readonly ratio_10000: number;
    /** One request writing to two databases minus the same writes as two one-database requests, 1 row each (ms). */
    readonly twoPhaseOverheadMs_1: number;
    readonly sizes: MutationsResult['sizes'];
  } | null;
  /** PostGraphile v5 on the same single-database work (bench/peers/figures.ts); `null` when not measured. */
  readonly peers: { readonly postgraphile5: PostgraphileFigures | null };
  /** Server and Postgres CPU ms per request, per system with a server (bench/peers/figures.ts). */
  readonly perRequest: Readonly<Record<string, PerRequestFigure>>;
  readonly targets: readonly Target[];
  readonly measurements: Measurements;
}

/**
 * The higher 1-minute load average (at the start and the end) when other work ran beside the
 * bench, else null. Before the bench starts, any load is someone else's (more than half the
 * cores counts); at the end the bench's own processes keep it near the core count, so only
 * twice the cores counts.
 */
export function sharedMachineLoad(machine: Measurements['machine']): number | null {
  const cores = Number(machine.cpus ?? 1);
  const start = Number(machine.loadAverageAtStart ?? 0);
  const end = Number(machine.loadAverageAtEnd ?? 0);
  return start > cores / 2 || end > 2 * cores ? Math.max(start, end) : null;
}

export function medianOf(latency: readonly LatencyResult[], system: SystemName, parents: number): number | null {
  const cell = latency.find((l) => l.parents === parents)?.systems.find((s) => s.system === system);
  return cell ? cell.timing.medianMs : null;
}

function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : a / b;
}

export function sizeKey(n: number): string {
  return `1e${Math.round(Math.log10(n))}`;
}

/** Every system with a server (the hand-written baseline behind Node's http server included). */
const PER_REQUEST_SYSTEMS = ['farjoin', 'farjoinRemote', 'handwritten', 'yogaDataloader', 'postgraphile5'] as const;

/** Per-row growth allowed before growth counts as superlinear. */
export const LINEAR_TOLERANCE = 1.25;

export function deriveResults(m: Measurements): BenchResults {
  const objectCells = m.joinCore.filter((c) => c.shape === 'object');
  const headline = objectCells.reduce<JoinCoreCell | undefined>((best, c) => (!best || c.parents > best.parents ? c : best), undefined);
  if (!headline) throw new Error('the join-core benchmark measured no object join');

  const scaling: Record<string, number> = {};
  for (const l of m.latency) {
    const ms = medianOf(m.latency, 'farjoin-remote', l.parents);
    if (ms !== null) scaling[`msPerRow_${sizeKey(l.parents)}`] = ms / l.parents;
  }
  const remote1e5 = m.memory.find((r) => r.system === 'farjoin-remote' && r.parents === 1e5);
  const cells = m.planner.cells.length;
  const within = m.planner.cells.filter((c) => c.withinTenPercent).length;
  const withinEveryForm = m.planner.cells.filter((c) => c.withinTenPercentOfEveryForm).length;
  const tp = m.throughput;

  const chinook = m.chinook ? chinookFigures(m.chinook) : null;

  const results: Omit<BenchResults, 'targets'> = {
    version: 1,
    quick: m.quick,
    joinCore: { rowsPerSec: headline.rowsPerSec, vsStringify: headline.vsStringify, headline: `object join, ${sizeKey(headline.parents)} parents` },
    ratios: {
      remoteVsLocal_1e4: ratio(medianOf(m.latency, 'farjoin-remote', 1e4), medianOf(m.latency, 'farjoin-local', 1e4)),
      remoteVsHandwritten_1e4: ratio(medianOf(m.latency, 'farjoin-remote', 1e4), medianOf(m.latency, 'handwritten', 1e4)),
      farjoinVsDataloaderThroughput_1e3: tp.farjoin.rps / tp.dataloader.rps,
      metricsOverhead: m.metricsOverhead ? 1 - m.metricsOverhead.metricsOn.rps / m.metricsOverhead.metricsOff.rps : null,
    },
    planner: { cells, withinTenPercent: within, withinTenPercentShare: cells > 0 ? within / cells : 0, withinTenPercentOfEveryForm: withinEveryForm },
    scaling,
    memory: {
      peakRssOverResponseBytes_1e5: remote1e5 ? remote1e5.peakRssDeltaBytes / remote1e5.responseBytes : null,
      definition: 'farjoin remote join at 1e5 parents, in a fresh process: (peak RSS after the query − RSS before it) / response bytes; median (upper) of the fresh processes run',
    },
    planning: { cachedMs: m.planning.cachedMs, uncachedMs: m.planning.uncachedMs, cachedKind: m.planning.cachedKind },
    chinook,
    subscriptions: m.subscriptions ? {
      subscribers: m.subscriptions.subscribers,
      statementsPerPoll: m.subscriptions.statementsPerPoll,
      statementsPerPollGoal: m.subscriptions.statementsPerPollGoal,
      pushDelayP99OverInterval: m.subscriptions.delayMs.p99 / m.subscriptions.intervalMs,
      cpuPercentChanging: m.subscriptions.cpuPercentChanging,
      cpuMsPerSubscriberPerSecond: m.subscriptions.cpuMsPerSubscriberPerSecond,
      memoryBytesPerSubscriber: m.subscriptions.memoryBytesPerSubscriber,
      hasuraPublished: HASURA_PUBLISHED,
    } : null,
    mutations: m.mutations ? mutationFigures(m.mutations) : null,
    peers: { postgraphile5: m.postgraphile ? postgraphileFigures(m.postgraphile) : null },
    perRequest: perRequestFigures(m.throughput, m.postgraphile),
    measurements: m,
  };
  return { ...results, targets: targetsOf(results) };
}

function chinookFigures(c: ChinookMeasurements): NonNullable<BenchResults['chinook']> {
  const msOf = (system: 'farjoin' | 'handwritten'): Record<string, number> => Object.fromEntries(c.latency.flatMap((l) => {
    const cell = l.systems.find((s) => s.system === system);
    return cell ? [[`${l.query}_${sizeKey(l.parents)}`, cell.timing.medianMs]] : [];
  }));
  const farjoinMs = msOf('farjoin');
  const handwrittenMs = msOf('handwritten');
  const { seed: _seed, ...data } = c.spec;
  return {
    data,
    queries: { lines: CHINOOK_QUERIES.lines.label, albums: CHINOOK_QUERIES.albums.label },
    farjoinVsHandwritten: Object.fromEntries(Object.keys(farjoinMs).map((k) => [k, ratio(farjoinMs[k] ?? null, handwrittenMs[k] ?? null)])),
    farjoinMs,
    handwrittenMs,
    sameResponse: c.latency.every((l) => l.systems.every((s) => s.sameResponse)),
  };
}

function target(id: string, description: string, value: number | null, goal: string, ok: (v: number) => boolean): Target {
  return { id, description, value, goal, met: value !== null && Number.isFinite(value) && ok(value) };
}

function targetsOf(r: Omit<BenchResults, 'targets'>): Target[] {
  const perRow = Object.entries(r.scaling).map(([k, v]) => ({ n: Number(k.slice('msPerRow_1e'.length)), v })).sort((a, b) => a.n - b.n);
  const largest = perRow[perRow.length - 1];
  const growth = r.scaling.msPerRow_1e3 !== undefined && largest ? largest.v / r.scaling.msPerRow_1e3 : null;
  return [
    target('joinCore.rowsPerSec', `join core stitches (${r.joinCore.headline})`, r.joinCore.rowsPerSec, '≥ 3,000,000 parent rows/s', (v) => v >= 3e6),
    target('joinCore.vsStringify', 'join core time / JSON.stringify time of the same response', r.joinCore.vsStringify, '≤ 1.0', (v) => v <= 1),
    target('ratios.remoteVsLocal_1e4', 'remote join latency / same query as a local relationship, 1e4 parents', r.ratios.remoteVsLocal_1e4, '≤ 1.3', (v) => v <= 1.3),
    target('ratios.remoteVsHandwritten_1e4', 'remote join latency / hand-written pg + = ANY + Map, 1e4 parents', r.ratios.remoteVsHandwritten_1e4, '≤ 1.0', (v) => v <= 1),
    target('ratios.farjoinVsDataloaderThroughput_1e3', 'farjoin HTTP throughput / graphql-yoga + DataLoader, 1e3 parents', r.ratios.farjoinVsDataloaderThroughput_1e3, '≥ 3', (v) => v >= 3),
    target('ratios.metricsOverhead', 'throughput lost to metrics (on against off, tracing off), small query over HTTP', r.ratios.metricsOverhead, '≤ 0.03', (v) => v <= 0.03),
    target('planner.withinTenPercent', 'share of the selectivity grid where the planner\'s choice is within 10% of the faster strategy', r.planner.withinTenPercentShare, '≥ 0.9', (v) => v >= 0.9),
    target('scaling', `per-row latency at ${largest ? `1e${largest.n}` : '?'} / per-row latency at 1e3 (linear growth)`, growth, `≤ ${LINEAR_TOLERANCE}`, (v) => v <= LINEAR_TOLERANCE),
    target('memory.peakRssOverResponseBytes_1e5', 'peak memory of one query / its response bytes, 1e5 parents', r.memory.peakRssOverResponseBytes_1e5, '≤ 4', (v) => v <= 4),
    target('planning.cachedMs', `planning a cached query (${r.planning.cachedKind})`, r.planning.cachedMs, '≤ 0.1 ms', (v) => v <= 0.1),
    ...(r.subscriptions ? [
      target('subscriptions.statementsPerPoll', `statements per poll round, ${r.subscriptions.subscribers.toLocaleString('en-US')} live subscribers with a remote relationship`, r.subscriptions.statementsPerPoll, `≤ ${r.subscriptions.statementsPerPollGoal} (pollers × sources + remote joins)`, (v) => v <= r.subscriptions!.statementsPerPollGoal + 0.5),
      target('subscriptions.pushDelayP99OverInterval', 'p99 delay from a committed change to its push / refetch interval', r.subscriptions.pushDelayP99OverInterval, '≤ 1.5', (v) => v <= 1.5),
    ] : []),
    target('peers.postgraphile5.latencyRatio', 'median latency / PostGraphile v5\'s, same single-database work (worst of 3 queries × 1e2–1e4 rows)', worstLatencyRatio(r.peers.postgraphile5), '≤ 0.5', (v) => v <= 0.5),
    ...[8, 32].map((c) => {
      const v = r.peers.postgraphile5?.[`throughputRatio_c${c}`];
      return target(`peers.postgraphile5.throughputRatio_c${c}`, `HTTP throughput / PostGraphile v5's, ${c} connections (autocannon)`, typeof v === 'number' ? v : null, '≥ 2', (x) => x >= 2);
    }),
    target('perRequest', `systems with server and Postgres CPU per request reported (${PER_REQUEST_SYSTEMS.join(', ')})`,
      PER_REQUEST_SYSTEMS.filter((s) => r.perRequest[s]?.serverCpuMs != null && r.perRequest[s]?.pgCpuMs != null).length, `${PER_REQUEST_SYSTEMS.length}`, (v) => v === PER_REQUEST_SYSTEMS.length),
    target('planning.uncachedMs', 'planning an uncached query (compiler.compile of a text never seen)', r.planning.uncachedMs, '≤ 1 ms', (v) => v <= 1),
  ];
}

function mutationFigures(m: MutationsResult): NonNullable<BenchResults['mutations']> {
  const at = (rows: number): MutationsResult['sizes'][number] | undefined => m.sizes.find((s) => s.rows === rows);
  const one = at(1);
  return {
    ratio_1: at(1)?.ratio ?? Number.NaN,
    ratio_100: at(100)?.ratio ?? Number.NaN,
    ratio_10000: at(10_000)?.ratio ?? Number.NaN,
    twoPhaseOverheadMs_1: one ? one.twoDatabasesMs - one.twoRequestsMs : Number.NaN,
    sizes: m.sizes,
  };
}
