/**
 * The `latest.json` figures of the PostGraphile comparison and of the per-request cost
 * (DESIGN.md §7, issue 17): `peers.postgraphile5.latencyRatio_{q}_{n}` (farjoin with local
 * relationships over PostGraphile, median latency, lower is better), `throughputRatio_c{N}`
 * (farjoin's requests per second over PostGraphile's, higher is better), and
 * `perRequest.{system}.serverCpuMs` / `.pgCpuMs`.
 */
import type { CpuWindow } from '../proc-cpu.js';
import type { LoadResult } from '../http-client.js';
import { formatCount } from '../stats.js';
import type { PeerMeasurements, PeerSystem } from './compare.js';

export interface PostgraphileFigures {
  readonly postgraphileVersion: string;
  readonly node: string;
  /** `latencyRatio_q1_1e3`: farjoin (local relationships) / PostGraphile; `latencyRatioRemote_…`: farjoin with remote relationships over two databases / PostGraphile. */
  readonly [key: string]: number | string | null;
}

function medianOf(p: PeerMeasurements, query: string, parents: number, system: PeerSystem): number | null {
  return p.latency.find((c) => c.query === query && c.parents === parents)?.systems.find((s) => s.system === system)?.timing.medianMs ?? null;
}

function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : a / b;
}

export function postgraphileFigures(p: PeerMeasurements): PostgraphileFigures {
  const out: Record<string, number | string | null> = { postgraphileVersion: p.postgraphileVersion, node: p.node };
  for (const c of p.latency) {
    const key = `${c.query}_${formatCount(c.parents)}`;
    const pg = medianOf(p, c.query, c.parents, 'postgraphile5');
    out[`latencyRatio_${key}`] = ratio(medianOf(p, c.query, c.parents, 'farjoin-local-http'), pg);
    out[`latencyRatioRemote_${key}`] = ratio(medianOf(p, c.query, c.parents, 'farjoin-remote-http'), pg);
  }
  for (const t of p.throughput) out[`throughputRatio_c${t.connections}`] = ratio(t.farjoin.rps, t.postgraphile.rps);
  return out as PostgraphileFigures;
}

/** The worst (highest) latency ratio, for the target. */
export function worstLatencyRatio(f: PostgraphileFigures | null): number | null {
  if (!f) return null;
  const values = Object.entries(f).filter(([k, v]) => k.startsWith('latencyRatio_') && typeof v === 'number').map(([, v]) => v as number);
  return values.length > 0 ? Math.max(...values) : null;
}

export interface PerRequestFigure {
  /** Server process CPU (utime + stime) per request, ms. */
  readonly serverCpuMs: number | null;
  /** Postgres client backends' CPU per request, ms. */
  readonly pgCpuMs: number | null;
  readonly requests: number;
  /** What was served: query, size, connections, databases. */
  readonly work: string;
}

function perRequest(cpu: CpuWindow, requests: number, work: string): PerRequestFigure {
  const per = (ms: number | null): number | null => (ms === null || requests === 0 ? null : ms / requests);
  return { serverCpuMs: per(cpu.serverCpuMs), pgCpuMs: per(cpu.pgCpuMs), requests, work };
}

/**
 * Every system with a server: farjoin and PostGraphile from the PostGraphile run's lowest
 * connection count (one database), farjoin with remote relationships and graphql-yoga +
 * DataLoader from the throughput run (two databases), and the hand-written baseline behind
 * Node's http server under the same load.
 */
export function perRequestFigures(
  throughput: {
    readonly parents: number; readonly concurrency: number; readonly farjoin: LoadResult; readonly dataloader: LoadResult;
    readonly cpu?: { readonly farjoin: CpuWindow; readonly dataloader: CpuWindow };
    readonly handwritten?: { readonly load: LoadResult; readonly cpu: CpuWindow };
  },
  peer: PeerMeasurements | undefined,
): Record<string, PerRequestFigure> {
  const out: Record<string, PerRequestFigure> = {};
  const low = peer?.throughput.reduce<PeerMeasurements['throughput'][number] | undefined>((a, t) => (!a || t.connections < a.connections ? t : a), undefined);
  if (low) {
    const work = `${low.query} ${peer!.queries[low.query].label}, ${formatCount(low.parents)} rows, ${low.connections} connections, 1 database`;
    out.farjoin = perRequest(low.farjoin.cpu, low.farjoin.sent, `${work}, local relationships`);
    out.postgraphile5 = perRequest(low.postgraphile.cpu, low.postgraphile.sent, work);
  }
  if (throughput.cpu) {
    const work = `q1 orders with their user, ${formatCount(throughput.parents)} rows, ${throughput.concurrency} connections, 2 databases`;
    out.farjoinRemote = perRequest(throughput.cpu.farjoin, throughput.farjoin.requests + throughput.farjoin.errors, `${work}, remote relationship`);
    out.yogaDataloader = perRequest(throughput.cpu.dataloader, throughput.dataloader.requests + throughput.dataloader.errors, work);
  }
  if (throughput.handwritten) {
    const { load, cpu } = throughput.handwritten;
    out.handwritten = perRequest(cpu, load.requests + load.errors, `q1 orders with their user, ${formatCount(throughput.parents)} rows, ${throughput.concurrency} connections, 2 databases, pg + = ANY + Map behind node:http`);
  }
  return out;
}
