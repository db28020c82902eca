/**
 * HTTP load with autocannon (issue 17): `connections` keep-alive connections posting one
 * GraphQL body until a fixed number of requests has been answered, every response compared
 * byte for byte with the one the caller checked against SQL (autocannon's `expectBody`), and
 * the server's and Postgres's CPU measured over the same window (bench/proc-cpu.ts).
 *
 * A fixed count rather than a fixed time: a timed run drops the requests in flight when it
 * stops, and with 32 connections on a slow server (seconds per request on a loaded machine)
 * that is most of them. `sliceFor` sizes the count from a warm-up's rate, so a slice still
 * lasts about the time asked for.
 */
import autocannon from 'autocannon';
import { cpuWindow, sumWindows, type CpuWindow } from './proc-cpu.js';

export interface CannonSlice {
  /** Responses received and equal to the expected body. */
  readonly requests: number;
  /** Requests sent (every one is answered before the run ends). */
  readonly sent: number;
  /** Errors, timeouts, non-2xx responses and responses that differ from the expected body. */
  readonly errors: number;
  readonly elapsedMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly cpu: CpuWindow;
}

export interface CannonResult extends Omit<CannonSlice, 'p50Ms' | 'p90Ms'> {
  readonly rps: number;
  /** Medians over the slices of each slice's percentile. */
  readonly p50Ms: number;
  readonly p90Ms: number;
  /** CPU per request sent, ms. */
  readonly serverCpuMsPerRequest: number | null;
  readonly pgCpuMsPerRequest: number | null;
}

export interface CannonTarget {
  readonly port: number;
  /** The server process, for its CPU. */
  readonly pid: number;
  /** Postgres postmasters whose client backends serve it. */
  readonly postmasters: readonly number[];
  readonly body: string;
  readonly expectBody: string;
}

/** autocannon notices the end at its sampling tick: every 20 ms rather than every second. */
const SAMPLE_MS = 20;

/** `amount` requests over `connections` connections (each sends amount / connections back to back). */
export async function cannon(target: CannonTarget, connections: number, amount: number): Promise<CannonSlice> {
  const end = cpuWindow(target.pid, target.postmasters);
  const r = await autocannon({
    url: `http://127.0.0.1:${target.port}/v1/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: target.body,
    connections,
    amount: Math.max(amount, connections),
    sampleInt: SAMPLE_MS,
    expectBody: target.expectBody,
  });
  const cpu = end();
  // autocannon's own clock (10 ms resolution), not including its start-up.
  const elapsedMs = r.duration * 1000;
  const errors = r.errors + r.timeouts + r.non2xx + r.mismatches;
  return { requests: r.requests.total, sent: r.requests.sent, errors, elapsedMs, p50Ms: r.latency.p50, p90Ms: r.latency.p90, cpu };
}

/** The request count for a slice of about `seconds`, from a warm-up's rate; at least 4 per connection. */
export function sliceFor(warmup: CannonSlice, connections: number, seconds: number): number {
  const rate = warmup.requests / Math.max(warmup.elapsedMs / 1000, 1e-3);
  return Math.max(4 * connections, Math.round(rate * seconds));
}

export function mergeCannon(slices: readonly CannonSlice[]): CannonResult {
  const sum = (k: 'requests' | 'sent' | 'errors' | 'elapsedMs'): number => slices.reduce((n, s) => n + s[k], 0);
  const mid = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const cpu = sumWindows(slices.map((s) => s.cpu));
  const sent = sum('sent');
  const per = (ms: number | null): number | null => (ms === null || sent === 0 ? null : ms / sent);
  return {
    requests: sum('requests'), sent, errors: sum('errors'), elapsedMs: sum('elapsedMs'),
    rps: sum('requests') / (sum('elapsedMs') / 1000),
    p50Ms: mid(slices.map((s) => s.p50Ms)), p90Ms: mid(slices.map((s) => s.p90Ms)),
    cpu, serverCpuMsPerRequest: per(cpu.serverCpuMs), pgCpuMsPerRequest: per(cpu.pgCpuMs),
  };
}
