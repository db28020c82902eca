/**
 * HTTP load with autocannon (issue 17): `connections` keep-alive connections posting one
 * GraphQL body for whole seconds, every response compared byte for byte with the one the
 * caller checked against SQL (autocannon's `expectBody`), and the server's and Postgres's
 * CPU measured over the same window (bench/proc-cpu.ts).
 */
import autocannon from 'autocannon';
import { cpuWindow, sumWindows, type CpuWindow } from './proc-cpu.js';

export interface CannonSlice {
  /** Responses received and equal to the expected body. */
  readonly requests: number;
  /** Requests sent (the server served every one; see `settleMs`). */
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

/**
 * Requests that were in flight when autocannon stopped are still served: the CPU window
 * ends this long after the run, and CPU is divided by requests *sent*.
 */
const SETTLE_MS = 250;

export async function cannon(target: CannonTarget, connections: number, seconds: number): Promise<CannonSlice> {
  const end = cpuWindow(target.pid, target.postmasters);
  const r = await autocannon({
    url: `http://127.0.0.1:${target.port}/v1/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: target.body,
    connections,
    duration: seconds,
    expectBody: target.expectBody,
  });
  // autocannon's own clock (10 ms resolution), not including its start-up.
  const elapsedMs = r.duration * 1000;
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const cpu = end();
  const errors = r.errors + r.timeouts + r.non2xx + r.mismatches;
  return { requests: r.requests.total - r.mismatches, sent: r.requests.sent, errors, elapsedMs, p50Ms: r.latency.p50, p90Ms: r.latency.p90, cpu };
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
