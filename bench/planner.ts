/**
 * Planner grid (DESIGN.md §7 "the planner's choice within 10% of the faster strategy in
 * ≥ 90% of a selectivity grid"). This build executes one strategy, two-phase, and makes
 * one decision inside it: the statement form of a remote array join — one flat
 * `= ANY(keys)` statement grouped in memory (`any`), or a correlated list per key over
 * `unnest` (`per-key`). Without per-parent limits the planner picks `any`; the grid
 * measures that choice against `per-key`, forced on the same join by a limit no parent
 * reaches (same rows, same order), over parent counts × remote-side selectivities.
 * fdw and semi-join plans join the grid when the engine executes them.
 */
import { isDeepStrictEqual } from 'node:util';
import type { RemoteJoinStep } from '../compiler/plan/types.js';
import { createEngine, type Engine } from '../runtime/engine.js';
import { remoteMetadata } from './schema.js';
import { interleave } from './stats.js';
import type { PlannerCell, PlannerResult, PlannerTask } from './tasks.js';

const CHOSEN = 'query Grid($k: Int!, $m: Int!) { user(where: {id: {_lte: $k}}, order_by: {id: asc}) { id orders(where: {id: {_lte: $m}}, order_by: {id: asc}) { id } } }';
const PER_KEY = 'query GridPerKey($k: Int!, $m: Int!, $big: Int!) { user(where: {id: {_lte: $k}}, order_by: {id: asc}) { id orders(where: {id: {_lte: $m}}, order_by: {id: asc}, limit: $big) { id } } }';
const NO_LIMIT_REACHED = 1_000_000_000;

function modeOf(engine: Engine, query: string, variables: Record<string, unknown>): string {
  const compiled = engine.compiler.compile({ query, variables });
  if (!compiled.ok) throw new Error(`planner grid query does not compile: ${compiled.errors.map((e) => e.message).join('; ')}`);
  const join = compiled.plan.steps.find((s): s is RemoteJoinStep => s.kind === 'remote-join');
  if (!join) throw new Error('planner grid query has no remote join');
  return `${join.strategy}/${join.mode}`;
}

async function run(engine: Engine, query: string, variables: Record<string, unknown>): Promise<unknown> {
  const response = await engine.execute({ query, variables });
  if (response.errors) throw new Error(`planner grid: ${JSON.stringify(response.errors)}`);
  return response.data;
}

export async function runPlannerGrid(task: PlannerTask, progress: (m: string) => void): Promise<PlannerResult> {
  const engine = await createEngine({ metadata: remoteMetadata(task.urls) });
  try {
    const cells: PlannerCell[] = [];
    for (const k of task.parentCounts) {
      for (const fraction of task.childFractions) {
        const m = Math.max(1, Math.round(task.totalOrders * fraction));
        const chosenVars = { k, m };
        const altVars = { k, m, big: NO_LIMIT_REACHED };
        const chosenMode = modeOf(engine, CHOSEN, chosenVars);
        const altMode = modeOf(engine, PER_KEY, altVars);
        const a = await run(engine, CHOSEN, chosenVars);
        const b = await run(engine, PER_KEY, altVars);
        const timed = await interleave(task, {
          chosen: async () => {
            const t = performance.now();
            await run(engine, CHOSEN, chosenVars);
            return performance.now() - t;
          },
          alternative: async () => {
            const t = performance.now();
            await run(engine, PER_KEY, altVars);
            return performance.now() - t;
          },
        }, false);
        const chosenMs = timed.chosen!.medianMs;
        const altMs = timed.alternative!.medianMs;
        const childRows = ((a as { user: { orders: unknown[] }[] }).user ?? []).reduce((n, u) => n + u.orders.length, 0);
        const cell: PlannerCell = {
          parents: k,
          childFraction: fraction,
          childRows,
          chosen: { mode: chosenMode, medianMs: chosenMs },
          alternative: { mode: altMode, medianMs: altMs },
          sameResponse: isDeepStrictEqual(a, b),
          withinTenPercent: chosenMs <= 1.1 * Math.min(chosenMs, altMs),
        };
        progress(`planner grid ${k} parents, ${fraction * 100}% of orders: ${chosenMode} ${chosenMs.toFixed(1)} ms vs ${altMode} ${altMs.toFixed(1)} ms${cell.withinTenPercent ? '' : ' (choice >10% slower)'}`);
        cells.push(cell);
      }
    }
    return {
      cells,
      strategies: ['two-phase/any', 'two-phase/per-key'],
      note: 'two-phase is the only strategy this build executes (fdw and semi-join are refused as not-supported); the grid checks its statement-form choice (any) against the per-key form of the same join',
    };
  } finally {
    await engine.close();
  }
}
