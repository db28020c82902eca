/**
 * Planner grid (DESIGN.md §7 "the planner's choice within 10% of the faster strategy in
 * ≥ 90% of a selectivity grid"). Each cell runs one query three or four ways: as the
 * planner chooses (`auto`), and forced into every other form the engine can execute for
 * it; the choice passes when it is within 10% of the fastest. Two families:
 *   - selection: users `id <= k` with their orders `id <= m` (remote array user → orders):
 *     two-phase `any` (one `= ANY(keys)` statement), two-phase `per-key` (a correlated list
 *     per key, forced by a limit no parent reaches: same rows, same order) and `fdw` (the
 *     join statement on the parent's database over a foreign table);
 *   - filter: orders whose remote user has `id <= u` (filter by a remote field):
 *     `semi-join` (matching keys fetched first) and `fdw` (one statement).
 * A form the engine refuses (no postgres_fdw link, say) is left out with its reason; a
 * cell with nothing to compare is not counted.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Plan, StrategyRequest } from '../compiler/index.js';
import { createEngine, type Engine } from '../runtime/engine.js';
import { remoteMetadata } from './schema.js';
import { interleave } from './stats.js';
import type { PlannerCell, PlannerResult, PlannerTask } from './tasks.js';

const SELECTION = 'query Grid($k: Int!, $m: Int!) { user(where: {id: {_lte: $k}}, order_by: {id: asc}) { id orders(where: {id: {_lte: $m}}, order_by: {id: asc}) { id } } }';
const SELECTION_PER_KEY = 'query GridPerKey($k: Int!, $m: Int!, $big: Int!) { user(where: {id: {_lte: $k}}, order_by: {id: asc}) { id orders(where: {id: {_lte: $m}}, order_by: {id: asc}, limit: $big) { id } } }';
const FILTER = 'query GridFilter($u: Int!, $n: Int!) { orders(where: {user: {id: {_lte: $u}}}, order_by: {id: asc}, limit: $n) { id user_id } }';
const NO_LIMIT_REACHED = 1_000_000_000;

interface Variant {
  readonly query: string;
  readonly variables: Record<string, unknown>;
  readonly strategy?: StrategyRequest;
}

/** The plan's remote strategies as one label: `two-phase/any`, `fdw`, `semi-join` … */
export function formOf(plan: Plan): string {
  const labels = new Set<string>();
  for (const s of plan.steps) {
    if (s.kind === 'remote-join') labels.add(s.strategy === 'two-phase' ? `two-phase/${s.mode}` : s.strategy);
    else if (s.kind === 'semi-join') labels.add('semi-join');
  }
  for (const p of (plan as { pushdowns?: readonly { strategy: string }[] }).pushdowns ?? []) labels.add(p.strategy);
  return [...labels].sort().join('+') || 'none';
}

function compileForm(engine: Engine, v: Variant): { ok: true; form: string } | { ok: false; reason: string } {
  const compiled = engine.compiler.compile({ query: v.query, variables: v.variables }, v.strategy ? { strategy: v.strategy } : {});
  return compiled.ok ? { ok: true, form: formOf(compiled.plan) } : { ok: false, reason: compiled.errors.map((e) => e.message).join('; ') };
}

async function run(engine: Engine, v: Variant): Promise<unknown> {
  const response = await engine.execute({ query: v.query, variables: v.variables, ...(v.strategy ? { strategy: v.strategy } : {}) });
  if (response.errors) throw new Error(`planner grid: ${JSON.stringify(response.errors)}`);
  return response.data;
}

interface CellSpec {
  readonly family: 'selection' | 'filter';
  readonly label: string;
  readonly chosen: Variant;
  readonly forced: readonly Variant[];
}

function cellSpecs(task: PlannerTask): CellSpec[] {
  const specs: CellSpec[] = [];
  for (const k of task.parentCounts) {
    for (const fraction of task.childFractions) {
      const vars = { k, m: Math.max(1, Math.round(task.totalOrders * fraction)) };
      specs.push({
        family: 'selection',
        label: `${k} users, orders id ≤ ${fraction * 100}%`,
        chosen: { query: SELECTION, variables: vars },
        forced: [
          { query: SELECTION, variables: vars, strategy: 'two-phase' },
          { query: SELECTION_PER_KEY, variables: { ...vars, big: NO_LIMIT_REACHED }, strategy: 'two-phase' },
          { query: SELECTION, variables: vars, strategy: 'fdw' },
        ],
      });
    }
  }
  for (const fraction of task.filterFractions) {
    for (const n of task.filterLimits) {
      const vars = { u: Math.max(1, Math.round(task.totalUsers * fraction)), n };
      specs.push({
        family: 'filter',
        label: `orders with user id ≤ ${fraction * 100}% of users, limit ${n}`,
        chosen: { query: FILTER, variables: vars },
        forced: [
          { query: FILTER, variables: vars, strategy: 'semi-join' },
          { query: FILTER, variables: vars, strategy: 'fdw' },
        ],
      });
    }
  }
  return specs;
}

export async function runPlannerGrid(task: PlannerTask, progress: (m: string) => void): Promise<PlannerResult> {
  const engine = await createEngine({ metadata: remoteMetadata(task.urls) });
  const unavailable = new Map<string, string>();
  try {
    const cells: PlannerCell[] = [];
    for (const spec of cellSpecs(task)) {
      const chosenForm = compileForm(engine, spec.chosen);
      if (!chosenForm.ok) throw new Error(`planner grid query does not compile: ${chosenForm.reason}`);
      // The other forms the engine can run for this query (a forced form equal to the choice is the choice).
      const alternatives: { form: string; variant: Variant }[] = [];
      for (const v of spec.forced) {
        const f = compileForm(engine, v);
        if (!f.ok) {
          unavailable.set(`${spec.family}: ${v.strategy ?? 'auto'}`, f.reason);
          continue;
        }
        if (f.form !== chosenForm.form && !alternatives.some((a) => a.form === f.form)) alternatives.push({ form: f.form, variant: v });
      }
      if (alternatives.length === 0) continue;
      const expected = await run(engine, spec.chosen);
      let same = true;
      for (const a of alternatives) same = same && isDeepStrictEqual(await run(engine, a.variant), expected);
      const runs: Record<string, () => Promise<number>> = {};
      for (const [name, v] of [['chosen', spec.chosen] as const, ...alternatives.map((a) => [a.form, a.variant] as const)]) {
        runs[name] = async () => {
          const t = performance.now();
          await run(engine, v);
          return performance.now() - t;
        };
      }
      const timed = await interleave(task, runs, false);
      const chosenMs = timed.chosen!.medianMs;
      const alts = alternatives.map((a) => ({ form: a.form, medianMs: timed[a.form]!.medianMs }));
      const best = Math.min(chosenMs, ...alts.map((a) => a.medianMs));
      const cell: PlannerCell = {
        family: spec.family,
        label: spec.label,
        chosen: { form: chosenForm.form, medianMs: chosenMs },
        alternatives: alts,
        sameResponse: same,
        withinTenPercent: chosenMs <= 1.1 * best,
      };
      progress(`planner grid ${spec.family} ${spec.label}: chose ${chosenForm.form} ${chosenMs.toFixed(1)} ms; ${alts.map((a) => `${a.form} ${a.medianMs.toFixed(1)} ms`).join(', ')}${cell.withinTenPercent ? '' : ' (choice >10% slower)'}${same ? '' : ' (DIFFERENT DATA)'}`);
      cells.push(cell);
    }
    return {
      cells,
      unavailable: [...unavailable].map(([form, reason]) => ({ form, reason })),
      note: 'each cell runs the query as the planner chooses (auto) and forced into every other form the engine executes for it; the choice passes within 10% of the fastest',
    };
  } finally {
    await engine.close();
  }
}
