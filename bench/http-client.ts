/**
 * A minimal GraphQL-over-HTTP client for the benchmarks: keep-alive connections on
 * loopback, whole response bodies read as text. `loadTest` keeps `concurrency` requests in
 * flight for a bounded time and counts what completed.
 */
import { Agent, request } from 'node:http';
import { summarize, type Timing } from './stats.js';

export interface HttpTarget {
  readonly port: number;
  readonly path: string;
  readonly agent: Agent;
}

export function httpTarget(port: number, maxSockets: number): HttpTarget {
  return { port, path: '/v1/graphql', agent: new Agent({ keepAlive: true, maxSockets }) };
}

/**
 * One POST. A keep-alive socket the server closed while idle (its keepAliveTimeout, 5 s by
 * default, can pass between two interleaved rounds) fails with ECONNRESET as soon as it is
 * reused; such a request never reached the server, so it is sent again once on a fresh
 * socket — the retry Node's documentation gives for `request.reusedSocket`.
 */
export async function postJson(target: HttpTarget, body: string): Promise<{ status: number; text: string }> {
  try {
    return await postOnce(target, body);
  } catch (e) {
    if ((e as { reusedSocket?: boolean; code?: string }).reusedSocket && (e as { code?: string }).code === 'ECONNRESET') return postOnce(target, body);
    throw e;
  }
}

function postOnce(target: HttpTarget, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: target.port, path: target.path, method: 'POST', agent: target.agent,
      headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (e) => reject(Object.assign(e, { reusedSocket: req.reusedSocket })));
    req.end(body);
  });
}

export interface LoadSlice {
  readonly requests: number;
  readonly errors: number;
  readonly elapsedMs: number;
  readonly latencies: readonly number[];
}

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly elapsedMs: number;
  /** Completed requests per second. */
  readonly rps: number;
  readonly latency: Timing;
}

/** `concurrency` clients send `body` back to back until `durationMs` has passed. */
export async function loadTest(target: HttpTarget, body: string, concurrency: number, durationMs: number): Promise<LoadSlice> {
  const started = performance.now();
  const deadline = started + durationMs;
  const latencies: number[] = [];
  let errors = 0;
  const client = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t = performance.now();
      try {
        const res = await postJson(target, body);
        if (res.status !== 200 || res.text.startsWith('{"errors"')) errors++;
        else latencies.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { requests: latencies.length, errors, elapsedMs: performance.now() - started, latencies };
}

/** Several slices of one server's load as one result. */
export function mergeSlices(slices: readonly LoadSlice[]): LoadResult {
  const requests = slices.reduce((n, s) => n + s.requests, 0);
  const elapsedMs = slices.reduce((n, s) => n + s.elapsedMs, 0);
  return {
    requests,
    errors: slices.reduce((n, s) => n + s.errors, 0),
    elapsedMs,
    rps: requests / (elapsedMs / 1000),
    latency: summarize(slices.flatMap((s) => s.latencies)),
  };
}
