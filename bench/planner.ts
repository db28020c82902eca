/**
 * Planner grid (DESIGN.md §7 "the planner's choice within 10% of the faster strategy in
 * ≥ 90% of a selectivity grid"). Each cell runs one query three or four ways: as the
 * planner chooses (`auto`), and forced into every other form the engine can execute for
 * it; the choice passes when it is within 10% of the fastest. Two families:
 *   - selection: users `id <= k` with their orders `id <= m` (remote array user → orders):
 *     two-phase `any` (one `= ANY(keys)` statement) and `fdw` (the join statement on the
 *     parent's database over a foreign table); also shown, not counted, two-phase
 *     `per-key` (a correlated list per key, forced by a limit no parent reaches: same rows,
 *     same order) — a mode of two-phase that DESIGN.md §5.1 reserves for per-parent
 *     limits, not a strategy the planner chooses;
 *   - filter: orders whose remote user has `id <= u` (filter by a remote field):
 *     `semi-join` (matching keys fetched first) and `fdw` (one statement).
 * A form the engine refuses (no postgres_fdw link, say) is left out with its reason; a
 * cell with nothing to compare is not counted. Runs are bounded: a form whose first run
 * takes longer than `slowMs` is not repeated, and a statement timeout caps any run (a
 * timed-out form counts as taking the timeout; a timed-out choice fails its cell).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Plan, StrategyRequest } from '../compiler/index.js';
import { createEngine, type Engine } from '../runtime/engine.js';
import { BENCH_LIMITS, remoteMetadata } from './schema.js';
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
  /** Shown but not counted: a mode of a strategy rather than a strategy. */
  readonly modeOnly?: boolean;
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

class Timeout extends Error {}

async function run(engine: Engine, v: Variant): Promise<unknown> {
  const response = await engine.execute({ query: v.query, variables: v.variables, ...(v.strategy ? { strategy: v.strategy } : {}) });
  if (response.errors) {
    if (response.errors.some((e) => e.extensions.code === 'timeout')) throw new Timeout('statement timeout');
    throw new Error(`planner grid: ${JSON.stringify(response.errors)}`);
  }
  return response.data;
}

/** One untimed-by-interleave first run: its data and time, or the statement timeout. */
async function firstRun(engine: Engine, v: Variant): Promise<{ ms: number; data: unknown } | { timedOut: true }> {
  const t = performance.now();
  try {
    const data = await run(engine, v);
    return { ms: performance.now() - t, data };
  } catch (e) {
    if (e instanceof Timeout) return { timedOut: true };
    throw e;
  }
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
          { query: SELECTION_PER_KEY, variables: { ...vars, big: NO_LIMIT_REACHED }, strategy: 'two-phase', modeOnly: true },
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
  const engine = await createEngine({ metadata: remoteMetadata(task.urls), limits: { ...BENCH_LIMITS, statementTimeoutMs: task.statementTimeoutMs } });
  const unavailable = new Map<string, string>();
  try {
    const cells: PlannerCell[] = [];
    for (const spec of cellSpecs(task)) {
      const chosenForm = compileForm(engine, spec.chosen);
      if (!chosenForm.ok) throw new Error(`planner grid query does not compile: ${chosenForm.reason}`);
      // The other forms the engine can run for this query (a forced form equal to the choice is the choice).
      const alternatives: { form: string; variant: Variant; counted: boolean }[] = [];
      for (const v of spec.forced) {
        const f = compileForm(engine, v);
        if (!f.ok) {
          unavailable.set(`${spec.family}: ${v.strategy ?? 'auto'}`, f.reason);
          continue;
        }
        if (f.form !== chosenForm.form && !alternatives.some((a) => a.form === f.form)) alternatives.push({ form: f.form, variant: v, counted: !v.modeOnly });
      }
      if (alternatives.length === 0) continue;
      // A first run of each form checks the data; forms slower than `slowMs` are not
      // repeated (their one run stands), and a statement timeout bounds the worst.
      const forms = [{ name: 'chosen', variant: spec.chosen }, ...alternatives.map((a) => ({ name: a.form, variant: a.variant }))];
      const first = new Map<string, Awaited<ReturnType<typeof firstRun>>>();
      for (const f of forms) first.set(f.name, await firstRun(engine, f.variant));
      const chosenFirst = first.get('chosen')!;
      const same = forms.every((f) => {
        const r = first.get(f.name)!;
        return !('data' in r) || !('data' in chosenFirst) || isDeepStrictEqual(r.data, chosenFirst.data);
      });
      const runs: Record<string, () => Promise<number>> = {};
      for (const f of forms) {
        const r = first.get(f.name)!;
        if (!('ms' in r) || r.ms > task.slowMs) continue;
        runs[f.name] = async () => {
          const t = performance.now();
          await run(engine, f.variant);
          return performance.now() - t;
        };
      }
      const timed = await interleave(task, runs, false);
      const timeOf = (name: string): { medianMs: number; note?: string } => {
        const r = first.get(name)!;
        if (!('ms' in r)) return { medianMs: task.statementTimeoutMs, note: 'statement timeout' };
        const t = timed[name];
        return t ? { medianMs: t.medianMs } : { medianMs: r.ms, note: 'one run' };
      };
      const chosen = timeOf('chosen');
      const chosenMs = chosen.medianMs;
      const alts = alternatives.map((a) => ({ form: a.form, ...timeOf(a.form), counted: a.counted }));
      const best = Math.min(chosenMs, ...alts.filter((a) => a.counted).map((a) => a.medianMs));
      const bestOfAll = Math.min(chosenMs, ...alts.map((a) => a.medianMs));
      const cell: PlannerCell = {
        family: spec.family,
        label: spec.label,
        chosen: { form: chosenForm.form, ...chosen },
        alternatives: alts,
        sameResponse: same,
        withinTenPercent: !chosen.note?.includes('timeout') && chosenMs <= 1.1 * best,
        withinTenPercentOfEveryForm: !chosen.note?.includes('timeout') && chosenMs <= 1.1 * bestOfAll,
      };
      const note = (n?: string): string => (n ? ` (${n})` : '');
      progress(`planner grid ${spec.family} ${spec.label}: chose ${chosenForm.form} ${chosenMs.toFixed(1)} ms${note(chosen.note)}; ${alts.map((a) => `${a.form}${a.counted ? '' : ' [mode, not counted]'} ${a.medianMs.toFixed(1)} ms${note(a.note)}`).join(', ')}${cell.withinTenPercent ? '' : ' (choice >10% slower)'}${cell.withinTenPercent && !cell.withinTenPercentOfEveryForm ? ' (>10% slower than a mode)' : ''}${same ? '' : ' (DIFFERENT DATA)'}`);
      cells.push(cell);
    }
    return {
      cells,
      unavailable: [...unavailable].map(([form, reason]) => ({ form, reason })),
      note: 'each cell runs the query as the planner chooses (auto) and forced into every other strategy the engine executes for it (two-phase, fdw, semi-join); the choice passes within 10% of the fastest strategy. Selections also run two-phase in per-key mode (one list per key), shown and counted separately: DESIGN.md §5.1 reserves that mode for per-parent limits, so it is not a choice the planner makes',
    };
  } finally {
    await engine.close();
  }
}
