/**
 * End-to-end measurements on embedded Postgres (issue 7 (a)–(e)), run inside a bench
 * child: every system answers the same object query (orders → user) for `n` parents and
 * returns the response text; latency rounds run the systems round-robin so machine noise
 * hits all of them alike; memory runs one query per fresh process.
 */
import { createServer, type Server } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { createEngine, type Engine } from '../runtime/engine.js';

import { httpTarget, postJson } from './http-client.js';
import { BENCH_LIMITS, localMetadata, OBJECT_QUERY, remoteMetadata, type BenchUrls } from './schema.js';
import { collectGarbage, interleave, peakRssBytes } from './stats.js';
import { createDataloaderServer } from './systems/dataloader-server.js';
import { Handwritten } from './systems/handwritten.js';
import { createHandwrittenServer } from './systems/handwritten-server.js';
import type { LatencyResult, LatencyTask, MemoryResult, MemoryTask, ServedSystem, Skipped, SystemLatency, SystemName } from './tasks.js';

export interface System {
  readonly name: SystemName;
  /** Answers the object query for `n` parents; the response as JSON text. */
  run(n: number): Promise<string>;
  close(): Promise<void>;
}

export type Opened = { readonly ok: true; readonly system: System } | { readonly ok: false; readonly skipped: Skipped };

function queryBody(n: number): string {
  return JSON.stringify({ query: OBJECT_QUERY, variables: { n } });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const addr = server.address();
  if (!addr || typeof addr !== 'object') throw new Error('server has no port');
  return addr.port;
}

function inProcess(name: SystemName, engine: Engine, strategy?: 'fdw'): System {
  return {
    name,
    // The text path (engine.executeJson): the response as JSON text, as a server sends it.
    run: async (n) => {
      const text = await engine.executeJson({ query: OBJECT_QUERY, variables: { n }, ...(strategy ? { strategy } : {}) });
      if (!text.startsWith('{"data":') || text.includes('"errors":[{"message"', text.length - 4096)) throw new Error(`${name}: ${text.slice(0, 300)}`);
      return text;
    },
    close: () => engine.close(),
  };
}

function overHttp(name: SystemName, port: number, stop: () => Promise<void>): System {
  const target = httpTarget(port, 4);
  return {
    name,
    run: async (n) => {
      const res = await postJson(target, queryBody(n));
      if (res.status !== 200 || res.text.startsWith('{"errors"')) throw new Error(`${name}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
      return res.text;
    },
    close: async () => {
      target.agent.destroy();
      await stop();
    },
  };
}

export async function openSystem(name: SystemName, urls: BenchUrls): Promise<Opened> {
  switch (name) {
    case 'farjoin-remote':
      return { ok: true, system: inProcess(name, await createEngine({ metadata: remoteMetadata(urls), limits: BENCH_LIMITS })) };
    case 'farjoin-local':
      return { ok: true, system: inProcess(name, await createEngine({ metadata: localMetadata(urls), limits: BENCH_LIMITS })) };
    case 'handwritten': {
      const hw = new Handwritten(urls);
      return { ok: true, system: { name, run: (n) => hw.orders(n), close: () => hw.close() } };
    }
    case 'farjoin-fdw': {
      // Not faked: the engine is asked for its fdw plan; whatever it answers is recorded.
      const engine = await createEngine({ metadata: remoteMetadata(urls), limits: BENCH_LIMITS });
      const probe = await engine.execute({ query: OBJECT_QUERY, variables: { n: 10 }, strategy: 'fdw' });
      if (probe.errors) {
        await engine.close();
        return { ok: false, skipped: { system: name, reason: `the engine refuses strategy "fdw": ${probe.errors.map((e) => e.message).join('; ')}` } };
      }
      return { ok: true, system: inProcess(name, engine, 'fdw') };
    }
    case 'farjoin-http':
    case 'yoga-dataloader-http': {
      const served = await serveSystem(name, urls);
      return { ok: true, system: overHttp(name, served.port, served.stop) };
    }
  }
}

function sameJson(a: string, b: string): boolean {
  return a === b || isDeepStrictEqual(JSON.parse(a), JSON.parse(b));
}

export async function runLatency(task: LatencyTask, progress: (m: string) => void): Promise<LatencyResult> {
  const systems: System[] = [];
  const skipped: Skipped[] = [];
  try {
    for (const name of task.systems) {
      const opened = await openSystem(name, task.urls);
      if (opened.ok) systems.push(opened.system);
      else skipped.push(opened.skipped);
    }
    // Warm-up (JIT, pools, plan caches), and the responses every system must agree on.
    const responses = new Map<SystemName, string>();
    for (const s of systems) {
      await s.run(Math.min(task.parents, 100));
      responses.set(s.name, await s.run(task.parents));
    }
    const baseline = responses.get('handwritten') ?? responses.values().next().value ?? '';
    const runs = Object.fromEntries(systems.map((s) => [s.name, async () => {
      const t = performance.now();
      await s.run(task.parents);
      return performance.now() - t;
    }])) as Record<SystemName, () => Promise<number>>;
    const timed = await interleave(task, runs, false);
    const out: SystemLatency[] = systems.map((s) => {
      const response = responses.get(s.name) ?? '';
      return { system: s.name, timing: timed[s.name]!, responseBytes: Buffer.byteLength(response), sameResponse: sameJson(response, baseline) };
    });
    progress(`latency ${task.parents} parents: ${out.map((s) => `${s.system} ${s.timing.medianMs.toFixed(1)} ms${s.sameResponse ? '' : ' (DIFFERENT RESPONSE)'}`).join(', ')}`);
    return { parents: task.parents, systems: out, skipped };
  } finally {
    for (const s of systems) await s.close();
  }
}

export async function runMemory(task: MemoryTask): Promise<MemoryResult> {
  const opened = await openSystem(task.system, task.urls);
  if (!opened.ok) throw new Error(opened.skipped.reason);
  const { system } = opened;
  try {
    for (let i = 0; i < 3; i++) await system.run(Math.min(task.parents, 100));
    collectGarbage();
    const baselineRssBytes = process.memoryUsage().rss;
    const response = await system.run(task.parents);
    const peak = peakRssBytes();
    return {
      system: task.system,
      parents: task.parents,
      responseBytes: Buffer.byteLength(response),
      baselineRssBytes,
      peakRssBytes: peak,
      peakRssDeltaBytes: Math.max(0, peak - baselineRssBytes),
    };
  } finally {
    await system.close();
  }
}

/** A server for the throughput run; returns its port and a stop function. */
export async function serveSystem(name: ServedSystem, urls: BenchUrls): Promise<{ port: number; stop: () => Promise<void> }> {
  if (name === 'handwritten-http') {
    const hw = createHandwrittenServer(urls);
    return { port: await listen(hw.server), stop: () => hw.close() };
  }
  if (name !== 'yoga-dataloader-http') {
    // Tracing stays off (no OTEL_* endpoint in the bench's environment), as by default.
    const metadata = name === 'farjoin-http-local' ? localMetadata(urls) : remoteMetadata(urls);
    const engine = await createEngine({ metadata, limits: BENCH_LIMITS, metrics: name !== 'farjoin-http-no-metrics' });
    const server = createServer(engine.handler);
    const port = await listen(server);
    return { port, stop: async () => {
      await closeServer(server);
      await engine.close();
    } };
  }
  const yoga = createDataloaderServer(urls);
  return { port: await listen(yoga.server), stop: async () => {
    yoga.server.closeAllConnections();
    await yoga.close();
  } };
}
