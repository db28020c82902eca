/**
 * The benchmark harness on tiny inputs (issue 7): the join-core micro-benchmark runs the
 * engine's real plan and join code and returns well-formed cells; its stitched response
 * equals a naive nested-loop join's; the results document carries every DESIGN.md §7 key;
 * the chart is a log–log SVG with one line per system. No timing is asserted.
 */
import { describe, expect, it } from 'vitest';
import { buildJoinCoreInput, naiveJoin, runJoinCoreBench, stitchWithEngine } from '../../bench/join-core.js';
import { deriveResults, type Measurements } from '../../bench/results.js';
import { logLogChart } from '../../bench/svg.js';
import type { Timing } from '../../bench/stats.js';

const timing = (ms: number): Timing => ({ iterations: 3, medianMs: ms, minMs: ms, maxMs: ms, p90Ms: ms });

describe('join-core micro-benchmark', () => {
  it('stitches exactly what a nested loop produces, for object and array joins', async () => {
    for (const shape of ['object', 'array'] as const) {
      const input = buildJoinCoreInput(shape, shape === 'object' ? 300 : 40);
      const stitched = await stitchWithEngine(input);
      expect(stitched).toEqual(naiveJoin(input));
      // The data exercises both null cases of Hasura's rule (no key, dangling key).
      if (shape === 'object') {
        const orders = (stitched as { orders: { user_id: number | null; user: unknown }[] }).orders;
        expect(orders).toHaveLength(300);
        expect(orders.some((o) => o.user_id === null && o.user === null)).toBe(true);
        expect(orders.some((o) => o.user_id !== null && o.user === null)).toBe(true);
        expect(orders.some((o) => o.user !== null)).toBe(true);
      } else {
        const users = (stitched as { user: { orders: unknown[] }[] }).user;
        expect(users).toHaveLength(40);
        expect(users.every((u) => u.orders.length === 10)).toBe(true);
      }
    }
  });

  it('reports one well-formed cell per case', async () => {
    const report = await runJoinCoreBench({
      cases: [{ shape: 'object', parents: 200 }, { shape: 'array', parents: 30 }],
      repeat: { minIterations: 2, maxIterations: 2, budgetMs: 0 },
      naiveMaxPairs: 1e6,
    });
    expect(report.cells.map((c) => [c.shape, c.parents])).toEqual([['object', 200], ['array', 30]]);
    for (const c of report.cells) {
      expect(c.join.iterations).toBe(2);
      expect(c.stringify.iterations).toBe(2);
      expect(c.naive?.iterations).toBe(2);
      expect(c.responseBytes).toBeGreaterThan(c.parents * 10);
      for (const v of [c.rowsPerSec, c.vsStringify, c.vsNaive ?? Number.NaN]) expect(Number.isFinite(v) && v > 0).toBe(true);
    }
    expect(report.cells[1]!.childRows).toBe(300);
  });

  it('derives every DESIGN.md §7 key of latest.json, and a verdict per target', async () => {
    const { cells } = await runJoinCoreBench({ cases: [{ shape: 'object', parents: 100 }], repeat: { minIterations: 1, maxIterations: 1, budgetMs: 0 }, naiveMaxPairs: 0 });
    const latency = [1e3, 1e4, 1e5].map((parents) => ({
      parents,
      skipped: [],
      systems: (['farjoin-remote', 'farjoin-local', 'handwritten'] as const).map((system, i) => ({ system, timing: timing(parents / 100 + i), responseBytes: parents * 50, sameResponse: true })),
    }));
    const load = { requests: 10, errors: 0, elapsedMs: 1000, rps: 10, latency: timing(5) };
    const m: Measurements = {
      quick: true, startedAt: new Date(0).toISOString(), durationMs: 1, machine: {}, data: { orders: 1e5, users: 1e4 },
      joinCore: cells, latency, fdwLatency: [],
      memory: [{ system: 'farjoin-remote', parents: 1e5, responseBytes: 1000, baselineRssBytes: 10, peakRssBytes: 3010, peakRssDeltaBytes: 3000 }],
      throughput: { parents: 1e3, concurrency: 2, farjoin: { ...load, rps: 40 }, dataloader: load, sameResponse: true },
      planner: { unavailable: [], note: '', cells: [{ family: 'selection', label: 'x', chosen: { form: 'a', medianMs: 1 }, alternatives: [{ form: 'b', medianMs: 2, counted: true }], sameResponse: true, withinTenPercent: true, withinTenPercentOfEveryForm: true }] },
      planning: { uncachedMs: 0.5, cachedMs: 0.01, cachedKind: 'test', uncached: timing(0.5), cached: timing(0.01) },
      skipped: [],
    };
    const r = JSON.parse(JSON.stringify(deriveResults(m))) as Record<string, Record<string, unknown>>;
    expect(r.quick).toBe(true);
    expect(Object.keys(r.joinCore!)).toEqual(expect.arrayContaining(['rowsPerSec', 'vsStringify']));
    expect(r.ratios).toEqual({ remoteVsLocal_1e4: 100 / 101, remoteVsHandwritten_1e4: 100 / 102, farjoinVsDataloaderThroughput_1e3: 4, metricsOverhead: null });
    expect(r.planner).toMatchObject({ cells: 1, withinTenPercent: 1 });
    expect(r.scaling).toMatchObject({ msPerRow_1e3: 10 / 1e3, msPerRow_1e5: 1000 / 1e5 });
    expect(r.memory).toMatchObject({ peakRssOverResponseBytes_1e5: 3 });
    expect(r.planning).toMatchObject({ cachedMs: 0.01, uncachedMs: 0.5 });
    const targets = r.targets as unknown as { id: string; met: boolean }[];
    expect(targets.find((t) => t.id === 'ratios.farjoinVsDataloaderThroughput_1e3')?.met).toBe(true);
    expect(targets.find((t) => t.id === 'memory.peakRssOverResponseBytes_1e5')?.met).toBe(true);
    expect(targets.find((t) => t.id === 'ratios.remoteVsLocal_1e4')?.met).toBe(true);
  });

  it('draws a log–log SVG with one line per system', () => {
    const svg = logLogChart([
      { name: 'a & b', points: [{ x: 100, y: 2 }, { x: 1000, y: 5 }, { x: 1e4, y: 40 }] },
      { name: 'c', points: [{ x: 100, y: 1 }, { x: 1e4, y: 300 }] },
    ], { title: 't', xLabel: 'x', yLabel: 'y' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('a &amp; b');
    expect(svg).toContain('>10k<');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });
});
