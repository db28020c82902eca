/**
 * The `subscriptions` family (issue 14): many live subscribers with a remote relationship
 * on one engine at the default refetch interval, in a bench child.
 *
 * Subscribers run `orders(where: {user_id: {_eq: $uid}}) { id user { name } }` (the user
 * from the other database) under `pollers` query texts (aliases differ), each text over
 * `usersPerPoller` user ids. Measured:
 * - statements per poll round, from the engine's statement hook, against the goal of
 *   (pollers × sources of the root fields) + (pollers × remote joins), whatever the
 *   subscriber count;
 * - the delay from a committed change (every watched user renamed, so every subscriber's
 *   result changes) to each subscriber's push: p50/p99/max over all pushes;
 * - CPU of the process while every subscriber gets a new result each interval (Hasura's
 *   published setup), and at rest; memory per subscriber.
 * Every subscriber's first result is compared with SQL.
 */
import pg from 'pg';
import { createEngine } from '../runtime/engine.js';
import type { GraphQLResponse } from '../runtime/engine.js';
import { BENCH_LIMITS, remoteMetadata, type BenchUrls } from './schema.js';
import { collectGarbage, quantile } from './stats.js';

export interface SubscriptionsTask {
  readonly kind: 'subscriptions';
  readonly urls: BenchUrls;
  readonly subscribers: number;
  readonly pollers: number;
  readonly usersPerPoller: number;
  readonly intervalMs: number;
  /** Changes committed, one per interval, while CPU and delays are measured. */
  readonly changes: number;
  /** Length of the window at rest (no changes) for the idle CPU figure. */
  readonly idleMs: number;
}

export interface SubscriptionsResult {
  readonly subscribers: number;
  readonly pollers: number;
  /** Distinct (query text, variables) pairs: cohorts of equal variables inside the pollers. */
  readonly variableCohorts: number;
  readonly intervalMs: number;
  readonly statementsPerPoll: number;
  readonly statementsPerPollGoal: number;
  /** Statements the cohorts' plans asked for per poll round, before multiplexing. */
  readonly requestedPerPoll: number;
  readonly delayMs: { readonly p50: number; readonly p99: number; readonly max: number; readonly pushes: number; readonly missed: number };
  /** Process CPU over wall time (100 = one core), while every subscriber gets a new result each interval. */
  readonly cpuPercentChanging: number;
  readonly cpuPercentIdle: number;
  readonly cpuMsPerSubscriberPerSecond: number;
  readonly memoryBytesPerSubscriber: number;
  readonly firstResultsMatchSql: boolean;
  readonly setupMs: number;
}

/**
 * Hasura's published figures for live queries (hasura/graphql-engine architecture/live-queries.md):
 * a single instance, each client's row updated every second.
 */
export const HASURA_PUBLISHED = {
  source: 'hasura/graphql-engine architecture/live-queries.md ("Scaling to 1 million active GraphQL subscriptions")',
  singleInstance: [
    { cpus: 1, memoryGiB: 2, liveQueries: 5000, cpuLoadPercent: 60 },
    { cpus: 2, memoryGiB: 4, liveQueries: 10000, cpuLoadPercent: 73 },
    { cpus: 4, memoryGiB: 8, liveQueries: 20000, cpuLoadPercent: 90 },
  ],
} as const;

type Orders = Record<string, { id: number; user: { name: string } | null }[]>;

const queryOf = (poller: number): string =>
  `subscription Watch${poller}($uid: Int!) { p${poller}: orders(where: {user_id: {_eq: $uid}}, order_by: {id: asc}) { id user { name } } }`;

interface Watcher {
  readonly poller: number;
  readonly uid: number;
  readonly iterator: AsyncIterableIterator<GraphQLResponse>;
  first: GraphQLResponse | undefined;
  /** Arrival time of the first response carrying each version of the names. */
  readonly seen: Map<number, number>;
}

function versionOf(response: GraphQLResponse, poller: number): number | undefined {
  const rows = (response.data as Orders | undefined)?.[`p${poller}`];
  const name = rows?.[0]?.user?.name;
  const at = name?.lastIndexOf('~v') ?? -1;
  return name && at >= 0 ? Number(name.slice(at + 2)) : rows ? 0 : undefined;
}

export async function runSubscriptions(task: SubscriptionsTask, progress: (m: string) => void): Promise<SubscriptionsResult> {
  const setupStarted = performance.now();
  const source = new pg.Client({ connectionString: task.urls.source });
  const target = new pg.Client({ connectionString: task.urls.target });
  await Promise.all([source.connect(), target.connect()]);
  // Users that have orders, the first ones by id: pollers × usersPerPoller of them.
  const wanted = task.pollers * task.usersPerPoller;
  const users = (await source.query<{ user_id: number }>('SELECT DISTINCT user_id FROM orders WHERE user_id IS NOT NULL ORDER BY user_id LIMIT $1', [wanted])).rows.map((r) => r.user_id);
  if (users.length < wanted) throw new Error(`the bench data has ${users.length} users with orders; the subscriptions family needs ${wanted}`);
  const originalNames = new Map((await target.query<{ id: number; name: string }>('SELECT id, name FROM "user" WHERE id = ANY($1::int[])', [users])).rows.map((r) => [r.id, r.name]));

  let statements = 0;
  const engine = await createEngine({ metadata: remoteMetadata(task.urls), limits: BENCH_LIMITS, liveQueries: { refetchIntervalMs: task.intervalMs }, onStatement: () => { statements++; } });
  try {
    collectGarbage();
    const rssBefore = process.memoryUsage().rss;
    const watchers: Watcher[] = [];
    for (let i = 0; i < task.subscribers; i++) {
      const poller = i % task.pollers;
      const uid = users[poller * task.usersPerPoller + (Math.floor(i / task.pollers) % task.usersPerPoller)]!;
      const iterator = engine.subscribe({ query: queryOf(poller), variables: { uid } });
      const w: Watcher = { poller, uid, iterator, first: undefined, seen: new Map() };
      watchers.push(w);
      void (async () => {
        for await (const r of iterator) {
          w.first ??= r;
          const v = versionOf(r, poller);
          if (v !== undefined && !w.seen.has(v)) w.seen.set(v, performance.now());
        }
      })();
    }
    while (watchers.some((w) => !w.first)) await sleep(20);
    collectGarbage();
    const memoryBytesPerSubscriber = (process.memoryUsage().rss - rssBefore) / task.subscribers;
    progress(`subscriptions: ${task.subscribers.toLocaleString('en-US')} subscribers in ${task.pollers} pollers have their first result (${((performance.now() - setupStarted) / 1000).toFixed(1)} s)`);

    // First results against SQL.
    const expected = new Map<number, { id: number; user: { name: string } | null }[]>();
    const rows = (await source.query<{ id: number; user_id: number }>('SELECT id, user_id FROM orders WHERE user_id = ANY($1::int[]) ORDER BY id', [users])).rows;
    for (const r of rows) {
      const list = expected.get(r.user_id) ?? [];
      list.push({ id: r.id, user: originalNames.has(r.user_id) ? { name: originalNames.get(r.user_id)! } : null });
      expected.set(r.user_id, list);
    }
    const firstResultsMatchSql = watchers.every((w) => JSON.stringify((w.first!.data as Orders)[`p${w.poller}`]) === JSON.stringify(expected.get(w.uid) ?? []));
    const setupMs = performance.now() - setupStarted;

    // At rest: nothing changes, every poll still runs.
    await sleep(task.intervalMs * 2);
    let cpu = process.cpuUsage();
    let wall = performance.now();
    await sleep(task.idleMs);
    const idle = process.cpuUsage(cpu);
    const cpuPercentIdle = ((idle.user + idle.system) / 1000 / (performance.now() - wall)) * 100;

    // Changing: every watched user renamed once per interval; each subscriber's result changes.
    const stats0 = engine.live.stats();
    const statements0 = statements;
    const requested: number[] = [];
    const committed = new Map<number, number>();
    cpu = process.cpuUsage();
    wall = performance.now();
    for (let v = 1; v <= task.changes; v++) {
      await target.query('UPDATE "user" SET name = split_part(name, $2, 1) || $2 || $3::text WHERE id = ANY($1::int[])', [users, '~v', String(v)]);
      committed.set(v, performance.now());
      await sleep(task.intervalMs);
      requested.push(engine.live.stats().lastPoll?.requested ?? 0);
    }
    await sleep(task.intervalMs * 1.5); // the last change's pushes
    const busy = process.cpuUsage(cpu);
    const busyWallMs = performance.now() - wall;
    const stats1 = engine.live.stats();
    const rounds = (stats1.polls - stats0.polls) / task.pollers;
    const statementsPerPoll = (statements - statements0) / rounds;

    const delays: number[] = [];
    let missed = 0;
    for (const w of watchers) {
      for (const [v, at] of committed) {
        const arrived = w.seen.get(v);
        if (arrived === undefined) missed++;
        else delays.push(arrived - at);
      }
    }
    delays.sort((a, b) => a - b);
    const cpuMs = (busy.user + busy.system) / 1000;
    await Promise.all(watchers.map((w) => w.iterator.return?.()));
    const requestedPerPoll = requested.length > 0 ? (requested.reduce((a, b) => a + b, 0) / requested.length) : 0;
    return {
      subscribers: task.subscribers,
      pollers: task.pollers,
      variableCohorts: task.pollers * task.usersPerPoller,
      intervalMs: task.intervalMs,
      statementsPerPoll,
      statementsPerPollGoal: task.pollers * 2,
      requestedPerPoll: requestedPerPoll * task.pollers,
      delayMs: { p50: quantile(delays, 0.5), p99: quantile(delays, 0.99), max: delays[delays.length - 1] ?? Number.NaN, pushes: delays.length, missed },
      cpuPercentChanging: (cpuMs / busyWallMs) * 100,
      cpuPercentIdle,
      cpuMsPerSubscriberPerSecond: cpuMs / (busyWallMs / 1000) / task.subscribers,
      memoryBytesPerSubscriber,
      firstResultsMatchSql,
      setupMs,
    };
  } finally {
    await engine.close();
    // Put the names back for the families that run after this one.
    await target.query('UPDATE "user" SET name = split_part(name, $2, 1) WHERE id = ANY($1::int[])', [users, '~v']);
    await Promise.all([source.end(), target.end()]);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
