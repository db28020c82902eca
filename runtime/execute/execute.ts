/**
 * Walks a Plan (DESIGN.md §5): fetch steps run concurrently; each remote join starts as
 * soon as its parent step's result is in, so sibling joins on different sources overlap.
 * Only compiler-built statements are sent; join keys fill the statement's placeholders.
 *
 * Semi-join steps (filters through remote relationships) run first, just before the step
 * whose statement uses their keys; too many keys is an error that names the fix.
 *
 * Failures are isolated per step (DESIGN.md §8 "a source that is down, slow or restarted
 * fails only the fields that need it"): a failing fetch nulls the root fields it answers,
 * a failing remote join nulls that join's fields (and skips the joins below it); each
 * gets an error carrying the field's path and the source error's code. Every other step
 * still runs, so the response has `data` and `errors` together.
 */
import { FarjoinError, invariant, isFarjoinError } from '../../compiler/errors.js';
import type { Plan, RemoteJoinStep, SemiJoinStep, Step } from '../../compiler/plan/types.js';
import { JoinIndex } from '../join/hash-join.js';
import { Columns, toColumns } from '../join/columnar.js';
import { arrayParameter, KeyCollector } from '../join/keys.js';
import { collectSemiJoinKeys } from '../join/semi-join.js';
import { materializeRoot, setRootField, type JoinLookup } from '../join/materialize.js';
import { forEachRowAt, type RawRow } from '../join/walk.js';
import { writeRootJson, type JsonSink } from '../join/json-writer.js';
import { unboundedBudget, type RequestBudget } from './budget.js';

export interface StatementRunner {
  /** Runs `text` on `source`; returns the first row's first column (a JSON value). */
  run(source: string, text: string, values: readonly unknown[]): Promise<unknown>;
}

export interface ExecuteOptions {
  /** Key tuples per remote statement; more keys are sent in several statements. */
  readonly maxKeysPerStatement: number;
  /** Statements of one remote join in flight at once when its keys are chunked (default 4). */
  readonly chunkConcurrency?: number;
  /** Results of the plan's mutation steps, already committed (mutate.ts). */
  readonly mutated?: ReadonlyMap<number, RawRow>;
  /**
   * The request's limits and cancellation (budget.ts): rows count as they are built, the
   * stitching yields between slices, and a stopped budget fails the whole request (not
   * one field) with the error that stopped it.
   */
  readonly budget?: RequestBudget;
}

export interface StepStats {
  rows: number;
  keys?: number;
  statements: number;
  ms: number;
  /** performance.now() when the step began (traces). */
  startedAt?: number;
  /** Error code when the step failed. */
  error?: string;
}

export interface ExecuteResult {
  readonly data: Record<string, unknown>;
  readonly stats: ReadonlyMap<number, StepStats>;
  /** One per field that failed, with its Hasura-style path; empty when every step ran. */
  readonly errors: readonly FarjoinError[];
}

export const DEFAULT_MAX_KEYS_PER_STATEMENT = 50_000;
export const DEFAULT_CHUNK_CONCURRENCY = 4;

/** What the steps left for the stitching: every step's result, the join indexes, and what failed. */
interface StepsRun {
  readonly fetched: ReadonlyMap<number, RawRow>;
  readonly joins: JoinLookup;
  readonly stats: ReadonlyMap<number, StepStats>;
  readonly errors: readonly FarjoinError[];
  /** Root fields whose fetch failed: null in the response. */
  readonly nulled: (key: string) => boolean;
}

export async function executePlan(plan: Plan, runner: StatementRunner, options: ExecuteOptions): Promise<ExecuteResult> {
  const run = await runSteps(plan, runner, options);
  const data = await materializeRoot(plan.root, run.fetched, run.joins, options.budget);
  for (const f of plan.root.fields) if (f.kind !== 'constant' && run.nulled(f.key)) setRootField(data, f.key, null);
  return { data, stats: run.stats, errors: run.errors };
}

export interface ExecuteJsonResult {
  /** `data`'s JSON text, in chunks (json-writer.ts). */
  readonly json: readonly string[];
  readonly stats: ReadonlyMap<number, StepStats>;
  readonly errors: readonly FarjoinError[];
}

/**
 * `executePlan` with the response's `data` written as JSON text straight from the
 * statements' columns (runtime/join/json-writer.ts): no response objects are built. The
 * text counts against the budget's response bytes and rows as it is written.
 */
export async function executePlanJson(plan: Plan, runner: StatementRunner, options: ExecuteOptions & { readonly sink: JsonSink }): Promise<ExecuteJsonResult> {
  const run = await runSteps(plan, runner, options);
  await writeRootJson(plan.root, run.fetched, run.joins, options.sink, run.nulled, options.budget ?? unboundedBudget());
  return { json: options.sink.end(), stats: run.stats, errors: run.errors };
}

async function runSteps(plan: Plan, runner: StatementRunner, options: ExecuteOptions): Promise<StepsRun> {
  const children = new Map<number, RemoteJoinStep[]>();
  const feeders = new Map<number, SemiJoinStep[]>();
  for (const s of plan.steps) {
    if (s.kind === 'remote-join') {
      const list = children.get(s.parent) ?? [];
      list.push(s);
      children.set(s.parent, list);
    } else if (s.kind === 'semi-join') {
      const list = feeders.get(s.consumer) ?? [];
      list.push(s);
      feeders.set(s.consumer, list);
    }
  }
  // Root lists are columnar (runtime/join/columnar.ts): their slots, per fetch step.
  const listSlots = new Map<number, number[]>();
  for (const f of plan.root.fields) {
    if (f.kind === 'list' || f.kind === 'one') listSlots.set(f.step, [...(listSlots.get(f.step) ?? []), f.slot]);
  }
  const fetched = new Map<number, RawRow>();
  const results = new Map<number, unknown>();
  const joins = new Map<number, { index: JoinIndex; parentKeySlots: readonly number[] }>();
  const stats = new Map<number, StepStats>();

  const failures: { step: number; error: FarjoinError }[] = [];
  const failedFetches = new Set<number>();

  /** `step`'s bind values with the keys of every semi-join feeding it (run now, concurrently). */
  const valuesWithFilters = async (step: Step): Promise<unknown[]> => {
    const values = [...step.sql.values];
    const feeding = feeders.get(step.id);
    if (!feeding) return values;
    await Promise.all(feeding.map(async (semi) => {
      const started = performance.now();
      const raw = (await runner.run(semi.source, semi.sql.text, await valuesWithFilters(semi))) as RawRow[];
      const columns = collectSemiJoinKeys(semi, raw);
      semi.placeholders.forEach((name, i) => {
        const at = step.sql.placeholders[name];
        invariant(at !== undefined, `placeholder ${name} exists`);
        values[at] = arrayParameter(columns[i] ?? []);
      });
      stats.set(semi.id, { rows: raw.length, keys: columns[0]?.length ?? 0, statements: 1, ms: performance.now() - started, startedAt: started });
    }));
    return values;
  };

  const runStep = async (step: Step): Promise<void> => {
    const started = performance.now();
    try {
      await runOne(step, started);
    } catch (e) {
      options.budget?.check(); // a limit or a cancellation fails the request, not one field
      const code = isFarjoinError(e) ? e.code : 'unexpected';
      stats.set(step.id, { rows: 0, statements: 0, ms: performance.now() - started, startedAt: started, error: code });
      if (step.kind === 'fetch' || step.kind === 'mutation') {
        failedFetches.add(step.id);
        for (const f of plan.root.fields) if (f.kind !== 'constant' && f.step === step.id) failures.push({ step: step.id, error: atPath(e, `$.selectionSet.${f.key}`) });
      } else if (step.kind === 'remote-join') {
        failures.push({ step: step.id, error: atPath(e, `$.selectionSet.${step.path.split('.').join('.selectionSet.')}`) });
      }
      return;
    }
    const next = children.get(step.id);
    if (next) await Promise.all(next.map(runStep));
  };

  const runOne = async (step: Step, started: number): Promise<void> => {
    if (step.kind === 'semi-join') return; // run by its consumer
    if (step.kind === 'mutation') {
      const row = options.mutated?.get(step.id);
      invariant(row, `mutation step ${step.id} ran before the plan`);
      fetched.set(step.id, row);
      results.set(step.id, row);
      stats.set(step.id, { rows: step.statements.length, statements: step.statements.length, ms: 0 });
      return;
    }
    if (step.kind === 'fetch') {
      const raw = (await runner.run(step.source, step.sql.text, await valuesWithFilters(step))) as unknown[] | null;
      if (raw) for (const slot of listSlots.get(step.id) ?? []) raw[slot] = toColumns(raw[slot]);
      const row = raw as RawRow;
      fetched.set(step.id, row);
      results.set(step.id, row);
      stats.set(step.id, { rows: countRootRows(row), statements: 1, ms: performance.now() - started, startedAt: started });
    } else {
      const parentResult = results.get(step.parent);
      const collector = new KeyCollector(step.parentKeySlots, step.keyRanges);
      forEachRowAt(parentResult, step.site, (src, i) => collector.add(src, i));
      const index = new JoinIndex(step);
      let statements = 0;
      if (collector.size > 0) {
        const base = await valuesWithFilters(step);
        const chunks = collector.chunks(options.maxKeysPerStatement);
        // Chunks run concurrently (a few at a time, the pool bounds them too); their
        // entries are indexed in chunk order, so array joins keep statement order.
        const fetchedChunks = new Array<unknown>(chunks.length);
        let next = 0;
        let failed = false;
        const worker = async (): Promise<void> => {
          while (next < chunks.length && !failed) {
            const c = next++;
            const values = [...base];
            chunks[c]!.forEach((column, i) => {
              const at = step.sql.placeholders[`k${i}`];
              invariant(at !== undefined, `placeholder k${i} exists`);
              values[at] = arrayParameter(column);
            });
            try {
              fetchedChunks[c] = await runner.run(step.source, step.sql.text, values);
            } catch (e) {
              failed = true;
              throw e;
            }
            statements++;
          }
        };
        const workers = Math.min(chunks.length, options.chunkConcurrency ?? DEFAULT_CHUNK_CONCURRENCY);
        await Promise.all(Array.from({ length: workers }, worker));
        for (const entries of fetchedChunks) {
          index.add(entries);
          if (options.budget?.due()) await options.budget.pause();
        }
      }
      // Joins nested in the target rows collect their keys from these entries.
      if (children.has(step.id)) results.set(step.id, index.columns);
      joins.set(step.id, { index, parentKeySlots: step.parentKeySlots });
      stats.set(step.id, { rows: index.entries, keys: collector.size, statements, ms: performance.now() - started, startedAt: started });
    }
  };

  await Promise.all(plan.steps.filter((s) => s.kind === 'fetch' || s.kind === 'mutation').map(runStep));
  options.budget?.check();
  const nulledKeys = new Set<string>();
  for (const f of plan.root.fields) if (f.kind !== 'constant' && failedFetches.has(f.step)) nulledKeys.add(f.key);
  // Steps fail concurrently; report in plan order so responses are deterministic.
  const errors = failures.sort((a, b) => a.step - b.step).map((f) => f.error);
  return { fetched, joins: joins as JoinLookup, stats, errors, nulled: (key) => nulledKeys.has(key) };
}

/** The step's error, re-issued at a field's path (code, visibility and internal detail kept). */
function atPath(e: unknown, path: string): FarjoinError {
  if (!isFarjoinError(e)) {
    return new FarjoinError('unexpected', 'internal error', { path, visibility: 'internal', internal: { message: (e as Error)?.message, stack: (e as Error)?.stack }, cause: e });
  }
  return new FarjoinError(e.code, e.message, { path, visibility: e.visibility, internal: e.internal, cause: e });
}

function countRootRows(row: RawRow | null): number {
  if (!row) return 0;
  let n = 0;
  for (const v of row) {
    if (v instanceof Columns) n += v.n;
    else if (Array.isArray(v)) n += v.length;
  }
  return n;
}
