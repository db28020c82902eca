/**
 * `farjoin bench` (DESIGN.md §6 "bench", §7 "Targets", issue 7), in the order it runs:
 *   1. join core micro-benchmark, no database (child process);
 *   2. two embedded Postgres servers, the demo schema at scale (fixtures/scale.ts);
 *   3. planning time, uncached and cached;
 *   4. end-to-end latency per parent size, every system interleaved (one child per size);
 *   5. peak memory of one query per system and size (one child each);
 *   6. HTTP throughput, farjoin against graphql-yoga + DataLoader (one server child each),
 *      with each server's and Postgres's CPU per request from /proc (bench/proc-cpu.ts);
 *      then PostGraphile v5 on Node 22 against farjoin on the same single database: three
 *      queries' latency interleaved, autocannon throughput at 8 and 32 connections
 *      (bench/peers/compare.ts);
 *   7. the split music store at scale (fixtures/chinook-scale.ts, bench/chinook.ts): two
 *      multi-level queries across its two databases, farjoin against hand-written `pg`;
 *   8. `farjoin fdw setup` both ways, then the fdw plan's latency beside (a) and (c);
 *   9. the planner grid, every strategy the engine executes being a candidate;
 *  10. live subscriptions: 10,000 subscribers with a remote relationship (bench/subscriptions.ts);
 *  11. results: `bench/results/<timestamp>.json`, `latest.json`, `latest.md`, `latest.svg`.
 * Progress goes to stderr; the targets table to stdout. `--quick` bounds every step so the
 * whole run stays under six minutes on two cores.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { chinookScaleSpec, generateChinookScale, loadChinookScale, type ChinookScaleSpec } from '../fixtures/chinook-scale.js';
import { generateScaleData, loadScaleData, scaleSpec } from '../fixtures/scale.js';
import { EmbeddedCluster } from '../runtime/embedded/cluster.js';
import { packageFile } from '../runtime/paths.js';
import type { ChinookUrls } from './chinook.js';
import { runChild, startServerChild, type ServerChild } from './children.js';
import { setupFdw } from './fdw.js';
import { httpTarget, loadTest, mergeSlices, postJson, type LoadResult, type LoadSlice } from './http-client.js';
import type { JoinShape } from './join-core.js';
import { markdownReport } from './markdown.js';
import { deriveResults, sharedMachineLoad, sizeKey, type ChinookMeasurements, type Measurements, type MetricsOverheadResult, type ThroughputResult } from './results.js';
import { comparePostgraphile, type PeerSettings, type PeerSystem } from './peers/compare.js';
import type { PeerQueryName } from './peers/queries.js';
import { cpuWindow, postmasterPid, sumWindows, type CpuWindow } from './proc-cpu.js';
import { OBJECT_QUERY, type BenchUrls } from './schema.js';
import type { RepeatOptions } from './stats.js';
import { logLogChart } from './svg.js';
import type { SubscriptionsTask } from './subscriptions.js';
import type { MutationsTask } from './mutations.js';
import { SYSTEM_LABELS, type ChinookLatencyResult, type ChinookQueryName, type LatencyResult, type MemoryResult, type PlannerGridSettings, type Skipped, type SystemName, type TaskResults } from './tasks.js';

export interface BenchOptions {
  readonly quick?: boolean;
  readonly full?: boolean;
  /** Where results are written (default `bench/results` in the package). */
  readonly outDir?: string;
}

interface Config {
  readonly sizes: readonly number[];
  readonly joinCore: { readonly cases: readonly { shape: JoinShape; parents: number }[]; readonly repeat: RepeatOptions };
  readonly latency: (parents: number) => RepeatOptions;
  readonly memorySizes: readonly number[];
  readonly memorySystems: readonly SystemName[];
  readonly memoryRuns: number;
  /** Rounds for the (e) fdw pass, after the main latency pass. */
  readonly fdwLatency: RepeatOptions;
  readonly throughput: { readonly concurrency: number; readonly warmupMs: number; readonly slices: number; readonly sliceMs: number };
  readonly planner: PlannerGridSettings & { readonly repeat: RepeatOptions };
  readonly planningRounds: number;
  /** The split music store: invoice lines loaded (every other table sized from it), sizes per query. */
  readonly subscriptions: Omit<SubscriptionsTask, 'kind' | 'urls'>;
  /** Metrics on against off (tracing off in both): a small query, so per-request costs show. */
  readonly metricsOverhead: { readonly parents: number; readonly concurrency: number; readonly warmupMs: number; readonly slices: number; readonly sliceMs: number };
  readonly mutations: Omit<MutationsTask, 'kind' | 'urls'>;
  /** PostGraphile v5 against farjoin (bench/peers/compare.ts). */
  readonly peers: PeerSettings;
  readonly chinook: {
    readonly invoiceLines: number;
    readonly sizes: Readonly<Record<ChinookQueryName, readonly number[]>>;
    readonly repeat: (parents: number) => RepeatOptions;
  };
}

const QUICK: Config = {
  sizes: [1e2, 1e3, 1e4, 1e5],
  joinCore: {
    cases: [{ shape: 'object', parents: 1e4 }, { shape: 'object', parents: 1e5 }, { shape: 'object', parents: 1e6 }, { shape: 'array', parents: 1e4 }, { shape: 'array', parents: 1e5 }],
    // At least five rounds: at 1e6 a round (join + stringify) takes ~1.6 s, and three samples
    // of a GC-bound run left the median ±30% between runs.
    repeat: { minIterations: 5, maxIterations: 15, budgetMs: 2500 },
  },
  latency: (n) => (n >= 1e5 ? { minIterations: 2, maxIterations: 20, budgetMs: 4000 } : { minIterations: 3, maxIterations: 60, budgetMs: 2000 }),
  memorySizes: [1e5],
  memorySystems: ['farjoin-remote', 'farjoin-local', 'handwritten'],
  memoryRuns: 2,
  fdwLatency: { minIterations: 3, maxIterations: 30, budgetMs: 1500 },
  throughput: { concurrency: 8, warmupMs: 500, slices: 2, sliceMs: 1500 },
  planner: { parentCounts: [10, 100, 1000, 10000], childFractions: [0.01, 0.1, 1], filterFractions: [0.001, 0.01, 0.1, 1], filterLimits: [100, 10000], slowMs: 1000, statementTimeoutMs: 3_000, repeat: { minIterations: 5, maxIterations: 40, budgetMs: 500 } },
  planningRounds: 20,
  subscriptions: { subscribers: 10_000, pollers: 4, usersPerPoller: 250, intervalMs: 1000, changes: 5, idleMs: 3000 },
  metricsOverhead: { parents: 10, concurrency: 8, warmupMs: 500, slices: 6, sliceMs: 1000 },
  mutations: { sizes: [1, 100, 10_000], rounds: 15 },
  peers: {
    sizes: [1e2, 1e3, 1e4],
    // At 1e4 users with their orders a round of the three is ~1.5 s (3 MiB responses, each checked).
    repeat: (n) => (n >= 1e4 ? { minIterations: 3, maxIterations: 9, budgetMs: 1000 } : { minIterations: 5, maxIterations: 40, budgetMs: 800 }),
    throughput: { query: 'q1', parents: 1e3, connections: [8, 32], warmupPerConnection: 2, slices: 2, sliceSeconds: 2 },
  },
  chinook: {
    invoiceLines: 1e5,
    sizes: { lines: [1e2, 1e3, 1e4], albums: [1e2, 1e3] },
    repeat: (n) => (n >= 1e4 ? { minIterations: 3, maxIterations: 3, budgetMs: 0 } : { minIterations: 3, maxIterations: 30, budgetMs: 800 }),
  },
};

const FULL: Config = {
  sizes: [1e2, 1e3, 1e4, 1e5, 1e6],
  joinCore: {
    cases: [1e4, 1e5, 1e6].flatMap((parents) => [{ shape: 'object' as const, parents }, { shape: 'array' as const, parents }]),
    repeat: { minIterations: 5, maxIterations: 30, budgetMs: 5000 },
  },
  latency: (n) => ({ minIterations: n >= 1e6 ? 3 : 5, maxIterations: 60, budgetMs: n >= 1e5 ? 20000 : 6000 }),
  memorySizes: [1e4, 1e5, 1e6],
  memorySystems: ['farjoin-remote', 'farjoin-local', 'handwritten', 'farjoin-http', 'yoga-dataloader-http'],
  memoryRuns: 3,
  fdwLatency: { minIterations: 3, maxIterations: 60, budgetMs: 6000 },
  throughput: { concurrency: 8, warmupMs: 2000, slices: 5, sliceMs: 3000 },
  planner: { parentCounts: [10, 100, 1000, 10000, 100000], childFractions: [0.01, 0.1, 1], filterFractions: [0.0001, 0.001, 0.01, 0.1, 1], filterLimits: [100, 10000, 100000], slowMs: 3000, statementTimeoutMs: 20_000, repeat: { minIterations: 5, maxIterations: 30, budgetMs: 1500 } },
  planningRounds: 100,
  subscriptions: { subscribers: 10_000, pollers: 4, usersPerPoller: 250, intervalMs: 1000, changes: 10, idleMs: 5000 },
  metricsOverhead: { parents: 10, concurrency: 8, warmupMs: 2000, slices: 10, sliceMs: 2000 },
  mutations: { sizes: [1, 100, 10_000], rounds: 41 },
  peers: {
    sizes: [1e2, 1e3, 1e4],
    repeat: () => ({ minIterations: 5, maxIterations: 60, budgetMs: 4000 }),
    throughput: { query: 'q1', parents: 1e3, connections: [8, 32], warmupPerConnection: 10, slices: 4, sliceSeconds: 3 },
  },
  chinook: {
    invoiceLines: 1e6,
    // No 1e6 lines: the two responses (~0.4 GB each) and their comparison need more than a child's default 4 GiB heap.
    sizes: { lines: [1e2, 1e3, 1e4, 1e5], albums: [1e2, 1e3, 1e4] },
    repeat: (n) => ({ minIterations: n >= 1e6 ? 3 : 5, maxIterations: 60, budgetMs: n >= 1e5 ? 20000 : 6000 }),
  },
};

/** Orders loaded by every run (users: a tenth of that); the largest full-run size. */
const DATA_ORDERS = 1e6;

const LATENCY_SYSTEMS: readonly SystemName[] = ['farjoin-remote', 'farjoin-local', 'handwritten', 'farjoin-http', 'yoga-dataloader-http'];
/** After `farjoin fdw setup`: the fdw plan, with (a) and (c) again in the same interleaved rounds. */
const FDW_SYSTEMS: readonly SystemName[] = ['farjoin-fdw', 'farjoin-remote', 'handwritten'];

const CHART_LABELS: Readonly<Partial<Record<SystemName, string>>> = {
  'farjoin-remote': '(a) farjoin remote, 2 DBs',
  'farjoin-local': '(b) farjoin local, 1 DB',
  handwritten: '(c) hand-written pg + Map',
  'farjoin-http': '(a) farjoin over HTTP',
  'yoga-dataloader-http': '(d) yoga + DataLoader, HTTP',
  'farjoin-fdw': '(e) farjoin fdw plan',
};

function progressLogger(): (message: string) => void {
  const started = performance.now();
  return (message) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}\n`);
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? 'unknown';
  } finally {
    await client.end();
  }
}

interface SliceSettings {
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly slices: number;
  readonly sliceMs: number;
}

/**
 * Two servers under the same load: one request each compared (as JSON values), a warm-up
 * each, then alternating slices so a noisy neighbour slows both alike.
 */
async function alternatingLoad(
  servers: readonly [ServerChild, ServerChild], body: string, cfg: SliceSettings, postmasters: readonly number[] = [],
): Promise<{ loads: [LoadResult, LoadResult]; cpu: [CpuWindow, CpuWindow]; sameResponse: boolean; firstAnswer: string }> {
  const targets = [httpTarget(servers[0].port, cfg.concurrency), httpTarget(servers[1].port, cfg.concurrency)] as const;
  try {
    const [a, b] = [await postJson(targets[0], body), await postJson(targets[1], body)];
    const sameResponse = a.status === 200 && b.status === 200 && canonical(a) === canonical(b);
    for (const t of targets) await loadTest(t, body, cfg.concurrency, cfg.warmupMs);
    const slices: [LoadSlice[], LoadSlice[]] = [[], []];
    const cpu: [CpuWindow[], CpuWindow[]] = [[], []];
    for (let i = 0; i < cfg.slices; i++) {
      for (const which of i % 2 === 0 ? [0, 1] as const : [1, 0] as const) {
        // Every request of a slice has been answered when loadTest returns: the window is exact.
        const end = cpuWindow(servers[which].pid, postmasters);
        slices[which].push(await loadTest(targets[which], body, cfg.concurrency, cfg.sliceMs));
        cpu[which].push(end());
      }
    }
    return { loads: [mergeSlices(slices[0]), mergeSlices(slices[1])], cpu: [sumWindows(cpu[0]), sumWindows(cpu[1])], sameResponse, firstAnswer: canonical(a) };
  } finally {
    for (const t of targets) t.agent.destroy();
  }
}

/** HTTP throughput of the same farjoin server with metrics on and off (tracing off in both, the default). */
async function measureMetricsOverhead(urls: BenchUrls, cfg: Config['metricsOverhead'], log: (m: string) => void): Promise<MetricsOverheadResult> {
  const on = await startServerChild({ kind: 'serve', urls, system: 'farjoin-http' });
  const off = await startServerChild({ kind: 'serve', urls, system: 'farjoin-http-no-metrics' });
  try {
    const body = JSON.stringify({ query: OBJECT_QUERY, variables: { n: cfg.parents } });
    const { loads: [metricsOn, metricsOff], sameResponse } = await alternatingLoad([on, off], body, cfg);
    const result: MetricsOverheadResult = { parents: cfg.parents, concurrency: cfg.concurrency, metricsOn, metricsOff, sameResponse };
    log(`metrics overhead ${cfg.parents} parents, ${cfg.concurrency} clients: on ${metricsOn.rps.toFixed(0)} req/s, off ${metricsOff.rps.toFixed(0)} req/s (${((1 - metricsOn.rps / metricsOff.rps) * 100).toFixed(1)}% cost)`);
    return result;
  } finally {
    await Promise.all([on.stop(), off.stop()]);
  }
}

async function measureThroughput(urls: BenchUrls, cfg: Config['throughput'], parents: number, postmasters: readonly number[], log: (m: string) => void): Promise<ThroughputResult> {
  const farjoin = await startServerChild({ kind: 'serve', urls, system: 'farjoin-http' });
  const dataloader = await startServerChild({ kind: 'serve', urls, system: 'yoga-dataloader-http' });
  try {
    const body = JSON.stringify({ query: OBJECT_QUERY, variables: { n: parents } });
    const { loads: [f, d], cpu: [farjoinCpu, dataloaderCpu], sameResponse, firstAnswer } = await alternatingLoad([farjoin, dataloader], body, cfg, postmasters);
    const result: ThroughputResult = { parents, concurrency: cfg.concurrency, farjoin: f, dataloader: d, sameResponse, cpu: { farjoin: farjoinCpu, dataloader: dataloaderCpu } };
    log(`throughput ${sizeKey(parents)} parents, ${cfg.concurrency} clients: farjoin ${f.rps.toFixed(1)} req/s, yoga + DataLoader ${d.rps.toFixed(1)} req/s (${(f.rps / d.rps).toFixed(2)}×)${sameResponse ? '' : ' (DIFFERENT RESPONSES)'}`);
    return { ...result, handwritten: await handwrittenFloor(urls, body, cfg, postmasters, firstAnswer) };
  } finally {
    await Promise.all([farjoin.stop(), dataloader.stop()]);
  }
}

/** A 200 response's JSON re-serialized (key order kept), for comparing two servers' answers. */
function canonical(res: { status: number; text: string }): string {
  return res.status === 200 ? JSON.stringify(JSON.parse(res.text)) : `HTTP ${res.status}`;
}

/**
 * The hand-written baseline behind Node's http server under the same load, alone (it is
 * the floor of the per-request cost, not a ratio): its throughput, and CPU per request.
 */
async function handwrittenFloor(urls: BenchUrls, body: string, cfg: SliceSettings, postmasters: readonly number[], farjoinAnswer: string): Promise<NonNullable<ThroughputResult['handwritten']>> {
  const server = await startServerChild({ kind: 'serve', urls, system: 'handwritten-http' });
  const target = httpTarget(server.port, cfg.concurrency);
  try {
    const sameResponse = canonical(await postJson(target, body)) === farjoinAnswer;
    await loadTest(target, body, cfg.concurrency, cfg.warmupMs);
    const slices: LoadSlice[] = [];
    const cpu: CpuWindow[] = [];
    for (let i = 0; i < cfg.slices; i++) {
      const end = cpuWindow(server.pid, postmasters);
      slices.push(await loadTest(target, body, cfg.concurrency, cfg.sliceMs));
      cpu.push(end());
    }
    return { load: mergeSlices(slices), cpu: sumWindows(cpu), sameResponse };
  } finally {
    target.agent.destroy();
    await server.stop();
  }
}

export async function runBench(options: BenchOptions = {}): Promise<void> {
  if (options.quick && options.full) throw new Error('choose one of --quick and --full');
  const quick = options.quick === true;
  const cfg = quick ? QUICK : FULL;
  const log = progressLogger();
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg()[0]!;
  const timeout = { timeoutMs: quick ? 120_000 : 1_800_000, progress: log };
  log(`farjoin bench ${quick ? '--quick' : '--full'}: parent sizes ${cfg.sizes.map(sizeKey).join(', ')}`);

  // 1. Join core, before any database runs on the machine; each case in a fresh process, so
  // none inherits the heap and JIT state of the others (after the 1e4 and 1e5 cases, the
  // 1e6 one measured 2.5–3.0 M rows/s in the same process against 3.7–4.9 M alone).
  const joinCoreCells: TaskResults['join-core']['cells'][number][] = [];
  for (const c of cfg.joinCore.cases) {
    const one = await runChild({ kind: 'join-core', options: { cases: [c], repeat: cfg.joinCore.repeat, naiveMaxPairs: 2e8 } }, timeout);
    joinCoreCells.push(...one.cells);
  }
  const joinCore = { cells: joinCoreCells };

  // 2. Data.
  // Both modes load the same data (1e6 orders over 1e5 users), so a size measured by
  // --quick and by a full run sees the same key distribution (distinct keys per parent).
  const spec = scaleSpec(DATA_ORDERS);
  log(`starting two embedded Postgres servers; loading ${spec.orders.toLocaleString('en-US')} orders over ${spec.users.toLocaleString('en-US')} users`);
  const cluster = await EmbeddedCluster.start(['source', 'target']);
  try {
    const urls: BenchUrls = {
      source: await cluster.createDatabase('source', 'source_db'),
      target: await cluster.createDatabase('target', 'target_db'),
    };
    const data = generateScaleData(spec);
    // The split music store loads meanwhile (nothing is measured yet); it is measured at step 7.
    const store = loadChinook(cluster, cfg.chinook, log);
    await Promise.all([loadScaleData(urls.source, data, ['orders', 'user']), loadScaleData(urls.target, data, ['user']), store]);
    const pgVersion = await serverVersion(urls.source);
    log(`data loaded (PostgreSQL ${pgVersion})`);

    // 3. Planning.
    const planning = await runChild({ kind: 'planning', urls, rounds: cfg.planningRounds }, timeout);
    log(`planning: uncached ${planning.uncachedMs.toFixed(3)} ms, cached ${planning.cachedMs.toFixed(4)} ms (${planning.cachedKind})`);

    // 4. Latency.
    const latency: LatencyResult[] = [];
    for (const parents of cfg.sizes) {
      latency.push(await runChild({ kind: 'latency', urls, parents, systems: LATENCY_SYSTEMS, ...cfg.latency(parents) }, timeout));
    }

    // 5. Memory.
    const memory: MemoryResult[] = [];
    for (const parents of cfg.memorySizes) {
      for (const system of cfg.memorySystems) {
        // RSS peaks move with V8's heap sizing: the median of a few fresh processes.
        const runs: MemoryResult[] = [];
        for (let i = 0; i < cfg.memoryRuns; i++) runs.push(await runChild({ kind: 'memory', urls, parents, system }, timeout));
        runs.sort((a, b) => a.peakRssDeltaBytes - b.peakRssDeltaBytes);
        memory.push({ ...runs[Math.floor(runs.length / 2)]!, deltaSamplesBytes: runs.map((r) => r.peakRssDeltaBytes) });
      }
      log(`peak memory ${sizeKey(parents)} parents: ${memory.filter((x) => x.parents === parents).map((x) => `${x.system} +${(x.peakRssDeltaBytes / 2 ** 20).toFixed(0)} MiB for ${(x.responseBytes / 2 ** 20).toFixed(1)} MiB`).join(', ')}`);
    }

    // 6. Throughput, and what metrics cost of it.
    const postmasters = (await Promise.all([postmasterPid(urls.source), postmasterPid(urls.target)])).filter((p): p is number => p !== null);
    const throughput = await measureThroughput(urls, cfg.throughput, 1e3, postmasters, log);
    const metricsOverhead = await measureMetricsOverhead(urls, cfg.metricsOverhead, log);

    // 6b. PostGraphile v5 on the same single-database work, on Node 22 (bench/peers/).
    const skipped: Skipped[] = [];
    const peer = await comparePostgraphile(urls, postmasters, cfg.peers, log);
    if (!peer.ok) {
      skipped.push({ system: '(f) PostGraphile v5', reason: peer.reason });
      log(`PostGraphile v5 not measured: ${peer.reason}`);
    }

    // 7. The split music store at scale.
    const chinook = await measureChinook(await store, cfg.chinook, timeout);

    // 8. postgres_fdw: provisioned like a user would, then (e) measured against (a) and (c).
    const fdw = await setupFdw(urls, log);
    const fdwLatency: LatencyResult[] = [];
    if (fdw.ok) {
      for (const parents of cfg.sizes) {
        const r = await runChild({ kind: 'latency', urls, parents, systems: FDW_SYSTEMS, ...cfg.fdwLatency }, timeout);
        fdwLatency.push(r);
        if (r.skipped.length > 0) break;
      }
      skipped.push(...(fdwLatency[0]?.skipped ?? []));
    } else {
      skipped.push({ system: SYSTEM_LABELS['farjoin-fdw'], reason: fdw.reason });
    }

    // 9. Planner grid (with the fdw links in place, so every strategy is a candidate).
    const { repeat, ...grid } = cfg.planner;
    const planner = await runChild({
      kind: 'planner', urls, totalOrders: spec.orders, totalUsers: spec.users, ...grid, ...repeat,
    }, timeout);

    // 10. Live subscriptions at the default interval (renames users, then restores them).
    const subscriptions = await runChild({ kind: 'subscriptions', urls, ...cfg.subscriptions }, timeout);
    log(`subscriptions: ${subscriptions.statementsPerPoll.toFixed(1)} statements per poll (goal ${subscriptions.statementsPerPollGoal}), ` +
      `change → push p99 ${subscriptions.delayMs.p99.toFixed(0)} ms, CPU ${subscriptions.cpuPercentChanging.toFixed(0)}% of a core`);

    // 11. Mutations: 1, 100, 10,000 rows against hand-written pg; two databases (two-phase commit).
    const mutations = await runChild({ kind: 'mutations', urls, ...cfg.mutations }, timeout);

    const measurements: Measurements = {
      quick,
      startedAt,
      durationMs: performance.now() - started,
      machine: {
        cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, postgres: pgVersion,
        // Other work on the machine slows every system alike, but it shows here (1-minute load averages).
        loadAverageAtStart: Number(loadAtStart.toFixed(1)), loadAverageAtEnd: Number(loadavg()[0]!.toFixed(1)),
      },
      data: { orders: spec.orders, users: spec.users },
      joinCore: joinCore.cells,
      latency,
      fdwLatency,
      memory,
      throughput,
      planner,
      planning,
      chinook,
      subscriptions,
      metricsOverhead,
      mutations,
      ...(peer.ok ? { postgraphile: peer.measurements } : {}),
      skipped,
    };
    await writeResults(deriveResults(measurements), options.outDir ?? packageFile('bench', 'results'), log);
  } finally {
    await cluster.stop();
  }
}

interface LoadedStore {
  readonly spec: ChinookScaleSpec;
  readonly urls: ChinookUrls;
  readonly loadMs: number;
}

/** Generates the split music store and loads it, `catalog` and `sales` on different servers as in the tests. */
async function loadChinook(cluster: EmbeddedCluster, cfg: Config['chinook'], log: (m: string) => void): Promise<LoadedStore> {
  const spec = chinookScaleSpec(cfg.invoiceLines);
  const count = (n: number): string => n.toLocaleString('en-US');
  log(`split music store: loading ${count(spec.invoiceLines)} invoice lines, ${count(spec.invoices)} invoices, ${count(spec.customers)} customers, ` +
    `${count(spec.tracks)} tracks (sales) and ${count(spec.albums)} albums, ${count(spec.artists)} artists (catalog)`);
  const urls: ChinookUrls = {
    catalog: await cluster.createDatabase('target', 'chinook_catalog'),
    sales: await cluster.createDatabase('source', 'chinook_sales'),
  };
  const started = performance.now();
  const data = generateChinookScale(spec);
  await Promise.all([loadChinookScale(urls.catalog, data, 'catalog'), loadChinookScale(urls.sales, data, 'sales')]);
  const loadMs = performance.now() - started;
  log(`split music store loaded in ${(loadMs / 1000).toFixed(1)} s`);
  return { spec, urls, loadMs };
}

async function measureChinook(
  { spec, urls, loadMs }: LoadedStore, cfg: Config['chinook'], timeout: { timeoutMs: number; progress: (m: string) => void },
): Promise<ChinookMeasurements> {
  // One child for every case: one engine (introspection) and one set of pools for the family.
  const cases = (Object.keys(cfg.sizes) as ChinookQueryName[]).flatMap((query) => cfg.sizes[query].map((parents) => ({ query, parents, repeat: cfg.repeat(parents) })));
  const latency: ChinookLatencyResult[] = await runChild({ kind: 'chinook-latency', urls, cases }, timeout);
  return { spec, loadMs, latency };
}

export async function writeResults(results: ReturnType<typeof deriveResults>, dir: string, log: (m: string) => void): Promise<void> {
  await mkdir(dir, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const stamp = results.measurements.startedAt.replace(/[:.]/g, '-');
  await writeFile(join(dir, `${stamp}.json`), json);
  await writeFile(join(dir, 'latest.json'), json);
  const markdown = markdownReport(results);
  await writeFile(join(dir, 'latest.md'), markdown);
  const m = results.measurements;
  const pointsOf = (passes: readonly LatencyResult[], s: SystemName): { x: number; y: number }[] =>
    passes.flatMap((l) => l.systems.filter((x) => x.system === s).map((x) => ({ x: l.parents, y: x.timing.medianMs })));
  const systems = [...new Set(m.latency.flatMap((l) => l.systems.map((s) => s.system)))];
  const series = systems.map((s) => ({ name: CHART_LABELS[s] ?? s, points: pointsOf(m.latency, s) }));
  const fdwPoints = pointsOf(m.fdwLatency, 'farjoin-fdw');
  if (fdwPoints.length > 0) series.push({ name: CHART_LABELS['farjoin-fdw'] ?? 'fdw', points: fdwPoints });
  // The split music store's invoice-lines query (4 levels, one remote hop) beside the orders query.
  for (const [system, name] of [['farjoin', 'store lines: farjoin'], ['handwritten', 'store lines: hand-written']] as const) {
    const points = (m.chinook?.latency ?? []).filter((l) => l.query === 'lines').flatMap((l) =>
      l.systems.filter((x) => x.system === system).map((x) => ({ x: l.parents, y: x.timing.medianMs })));
    if (points.length > 0) series.push({ name, points });
  }
  // PostGraphile v5 beside them: its orders → user over HTTP, and farjoin's on the same database.
  const peer = m.postgraphile;
  const peerPoints = (query: PeerQueryName, system: PeerSystem): { x: number; y: number }[] =>
    (peer?.latency ?? []).filter((c) => c.query === query).flatMap((c) => c.systems.filter((s) => s.system === system).map((s) => ({ x: c.parents, y: s.timing.medianMs })));
  if (peer) {
    const load = sharedMachineLoad(m.machine);
    series.push({ name: '(f) PostGraphile v5, HTTP, 1 DB', points: peerPoints('q1', 'postgraphile5') });
    series.push({ name: '(b) farjoin local, HTTP, 1 DB', points: peerPoints('q1', 'farjoin-local-http') });
    // One colour per query; farjoin solid, PostGraphile dashed.
    const colors: Readonly<Record<PeerQueryName, string>> = { q1: '#1f77b4', q2: '#2ca02c', q3: '#ff7f0e' };
    const peerSeries = (Object.keys(peer.queries) as PeerQueryName[]).flatMap((q) => [
      { name: `${q} farjoin: ${peer.queries[q].label}`, points: peerPoints(q, 'farjoin-local-http'), color: colors[q], dash: '' },
      { name: `${q} PostGraphile v5`, points: peerPoints(q, 'postgraphile5'), color: colors[q], dash: '6 3' },
    ]);
    await writeFile(join(dir, 'latest-postgraphile.svg'), logLogChart(peerSeries, {
      title: `farjoin vs PostGraphile ${peer.postgraphileVersion}, HTTP, 1 database, median (${results.quick ? '--quick' : 'full'} run)`,
      xLabel: `top-level rows (orders for q1, users for q2 and q3)${load === null ? '' : `; shared machine: load ${load} on ${m.machine.cpus} cores`}`,
      yLabel: 'latency, ms', width: 860,
    }));
  }
  const svg = logLogChart(series, { title: `Latency against parent rows (median, ${results.quick ? '--quick' : 'full'} run)`, xLabel: 'parent rows (orders; invoice lines for the store)', yLabel: 'latency, ms' });
  await writeFile(join(dir, 'latest.svg'), svg);
  log(`wrote ${join(dir, `${stamp}.json`)}, latest.json, latest.md, latest.svg${peer ? ', latest-postgraphile.svg' : ''} in ${((m.durationMs) / 1000).toFixed(0)} s`);
  const targetsTable = markdown.slice(markdown.indexOf('## Targets'), markdown.indexOf('## End-to-end'));
  process.stdout.write(`${targetsTable.trim()}\n`);
}
