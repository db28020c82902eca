/**
 * Join-core micro-benchmark (issue 7, DESIGN.md §7 first target), no database:
 *   1. compile the real plan for the object query (orders → user) or the array query
 *      (user → orders, fan-out 10) with the real compiler against a catalog object;
 *   2. build the positional raw results Postgres would return for that plan (the fetch
 *      step's root row, the remote join's entries), from the deterministic scale data;
 *   3. time `executePlan` over an in-memory statement runner that hands those results
 *      back: key collection, hash join and stitching, exactly the code the engine runs;
 *   4. time `JSON.stringify` of the same response, and a naive nested-loop join.
 */
import { createCompiler } from '../compiler/index.js';
import type { Plan, RemoteJoinStep, RowShape } from '../compiler/plan/types.js';
import { generateScaleData, scaleSpec, userName } from '../fixtures/scale.js';
import { executePlan, type StatementRunner } from '../runtime/execute/execute.js';
import type { RawRow } from '../runtime/join/walk.js';
import { ARRAY_QUERY, OBJECT_QUERY, remoteCatalog, remoteMetadata } from './schema.js';
import { interleave, type RepeatOptions, type Timing } from './stats.js';

export type JoinShape = 'object' | 'array';

export interface JoinCoreInput {
  readonly shape: JoinShape;
  readonly parents: number;
  readonly plan: Plan;
  readonly join: RemoteJoinStep;
  /** The fetch step's result: one row whose slot 0 is the list of parent rows. */
  readonly root: RawRow;
  readonly parentRows: readonly RawRow[];
  /** The remote statement's result: target rows for the distinct keys. */
  readonly entries: readonly RawRow[];
  /** Rows of the remote side that end up in the response. */
  readonly childRows: number;
}

export interface JoinCoreCell {
  readonly shape: JoinShape;
  readonly parents: number;
  readonly childRows: number;
  readonly responseBytes: number;
  readonly join: Timing;
  readonly stringify: Timing;
  /** Null where the quadratic loop would take too long (see `naiveMaxPairs`). */
  readonly naive: Timing | null;
  readonly rowsPerSec: number;
  readonly vsStringify: number;
  readonly vsNaive: number | null;
}

export interface JoinCoreOptions {
  readonly cases: readonly { readonly shape: JoinShape; readonly parents: number }[];
  readonly repeat: RepeatOptions;
  /** Run the nested loop only when parents × entries is at most this. */
  readonly naiveMaxPairs: number;
  readonly progress?: (message: string) => void;
}

const SAMPLE_URLS = { source: 'postgres://bench@localhost/source', target: 'postgres://bench@localhost/target' };

/** The real plan of the benchmark query, compiled without a database. */
export function compileBenchPlan(shape: JoinShape): { plan: Plan; join: RemoteJoinStep } {
  const compiler = createCompiler(remoteMetadata(SAMPLE_URLS), remoteCatalog());
  const result = compiler.compile({ query: shape === 'object' ? OBJECT_QUERY : ARRAY_QUERY, variables: { n: 1 } });
  if (!result.ok) throw new Error(`bench query does not compile: ${result.errors.map((e) => e.message).join('; ')}`);
  const join = result.plan.steps.find((s): s is RemoteJoinStep => s.kind === 'remote-join');
  if (!join) throw new Error('bench plan has no remote join');
  return { plan: result.plan, join };
}

/** Slot of each selected column in rows of `shape`. */
function slotsOf(shape: RowShape): Map<string, number> {
  const slots = new Map<string, number>();
  for (const f of shape.fields) if (f.kind === 'scalar') slots.set(f.key, f.slot);
  return slots;
}

function rowOf(width: number, values: readonly (readonly [number, unknown])[]): RawRow {
  const row = new Array<unknown>(width).fill(null);
  for (const [slot, v] of values) row[slot] = v;
  return row;
}

function slot(slots: Map<string, number>, key: string): number {
  const s = slots.get(key);
  if (s === undefined) throw new Error(`bench shape has no column ${key}`);
  return s;
}

export function buildJoinCoreInput(shape: JoinShape, parents: number): JoinCoreInput {
  const { plan, join } = compileBenchPlan(shape);
  const rootField = plan.root.fields[0];
  if (!rootField || rootField.kind === 'constant') throw new Error('bench plan has no list root field');
  const parentSlots = slotsOf(rootField.shape);
  const entrySlots = slotsOf(join.shape);
  const parentWidth = Math.max(...parentSlots.values(), ...join.parentKeySlots) + 1;
  const entryWidth = Math.max(...entrySlots.values(), ...join.entryKeySlots) + 1;
  const parentKey = join.parentKeySlots[0]!;
  const entryKey = join.entryKeySlots[0]!;
  const parentRows: RawRow[] = [];
  const entries: RawRow[] = [];
  let childRows = 0;
  if (shape === 'object') {
    // orders 1..n over n/10 users; the target returns each referenced, existing user once.
    const data = generateScaleData(scaleSpec(parents));
    const referenced = new Set<number>();
    for (let i = 0; i < parents; i++) {
      const userId = data.orderUserIds[i] ?? null;
      parentRows.push(rowOf(parentWidth, [[slot(parentSlots, 'id'), i + 1], [slot(parentSlots, 'user_id'), userId], [parentKey, userId]]));
      if (userId !== null && userId <= data.users) {
        referenced.add(userId);
        childRows++;
      }
    }
    for (const id of [...referenced].sort((a, b) => a - b)) {
      entries.push(rowOf(entryWidth, [[slot(entrySlots, 'id'), id], [slot(entrySlots, 'name'), userName(id)], [entryKey, id]]));
    }
  } else {
    // users 1..n, each with exactly ten orders (ids interleaved, as `order_by: {id: asc}` returns them).
    for (let id = 1; id <= parents; id++) {
      parentRows.push(rowOf(parentWidth, [[slot(parentSlots, 'id'), id], [slot(parentSlots, 'name'), userName(id)], [parentKey, id]]));
    }
    for (let orderId = 1; orderId <= parents * 10; orderId++) {
      const userId = ((orderId - 1) % parents) + 1;
      entries.push(rowOf(entryWidth, [[slot(entrySlots, 'id'), orderId], [slot(entrySlots, 'user_id'), userId], [entryKey, userId]]));
    }
    childRows = entries.length;
  }
  const root: RawRow = [parentRows];
  return { shape, parents, plan, join, root, parentRows, entries, childRows };
}

/** A statement runner that returns precomputed results: no I/O inside the measurement. */
function inMemoryRunner(input: JoinCoreInput): StatementRunner {
  const fetchSql = input.plan.steps.find((s) => s.kind === 'fetch')?.sql.text;
  return {
    run: (_source, text) => Promise.resolve(text === fetchSql ? input.root : input.entries),
  };
}

/** The engine's join: collect keys → hash join → stitch (runtime/execute + runtime/join). */
export async function stitchWithEngine(input: JoinCoreInput): Promise<Record<string, unknown>> {
  const { data } = await executePlan(input.plan, inMemoryRunner(input), { maxKeysPerStatement: Number.MAX_SAFE_INTEGER });
  return data;
}

/** The textbook nested loop: for every parent row, scan every entry. */
export function naiveJoin(input: JoinCoreInput): Record<string, unknown> {
  const { join, entries } = input;
  const rootField = input.plan.root.fields[0];
  if (!rootField || rootField.kind === 'constant') throw new Error('bench plan has no list root field');
  const p = slotsOf(rootField.shape);
  const e = slotsOf(join.shape);
  const parentKey = join.parentKeySlots[0]!;
  const entryKey = join.entryKeySlots[0]!;
  const out: Record<string, unknown>[] = [];
  if (input.shape === 'object') {
    const [id, userId, uId, uName] = [slot(p, 'id'), slot(p, 'user_id'), slot(e, 'id'), slot(e, 'name')];
    for (const row of input.parentRows) {
      const key = row[parentKey];
      let user: Record<string, unknown> | null = null;
      if (key !== null) {
        for (const entry of entries) {
          if (entry[entryKey] === key) {
            user = { id: entry[uId], name: entry[uName] };
            break;
          }
        }
      }
      out.push({ id: row[id], user_id: row[userId], user });
    }
    return { orders: out };
  }
  const [id, name, oId, oUserId] = [slot(p, 'id'), slot(p, 'name'), slot(e, 'id'), slot(e, 'user_id')];
  for (const row of input.parentRows) {
    const key = row[parentKey];
    const orders: Record<string, unknown>[] = [];
    if (key !== null) for (const entry of entries) if (entry[entryKey] === key) orders.push({ id: entry[oId], user_id: entry[oUserId] });
    out.push({ id: row[id], name: row[name], orders });
  }
  return { user: out };
}

export interface JoinCoreReport {
  readonly cells: readonly JoinCoreCell[];
}

export async function runJoinCoreBench(options: JoinCoreOptions): Promise<JoinCoreReport> {
  const cells: JoinCoreCell[] = [];
  for (const c of options.cases) {
    const input = buildJoinCoreInput(c.shape, c.parents);
    // Untimed runs first (at least 500,000 rows in all): JIT warm-up, and the response for stringify.
    // No forced GC between timed runs: a full collection before a run makes the next one
    // several times slower (measured 0.3 → 3.8 ms at 1e4 parents), which no server sees;
    // each run pays for the collections its own allocation triggers, as in steady state.
    let data = await stitchWithEngine(input);
    for (let done = c.parents; done < 500_000; done += c.parents) data = await stitchWithEngine(input);
    const response = { data };
    const responseBytes = Buffer.byteLength(JSON.stringify(response));
    const naiveAllowed = input.parents * input.entries.length <= options.naiveMaxPairs;
    const timed = await interleave(options.repeat, {
      join: async () => {
        const t = performance.now();
        await stitchWithEngine(input);
        return performance.now() - t;
      },
      stringify: () => {
        const t = performance.now();
        JSON.stringify(response);
        return performance.now() - t;
      },
      naive: naiveAllowed
        ? () => {
          const t = performance.now();
          naiveJoin(input);
          return performance.now() - t;
        }
        : null,
    }, false);
    const join = timed.join!;
    const stringify = timed.stringify!;
    const naive = timed.naive;
    const cell: JoinCoreCell = {
      shape: c.shape,
      parents: c.parents,
      childRows: input.childRows,
      responseBytes,
      join,
      stringify,
      naive,
      rowsPerSec: c.parents / (join.medianMs / 1000),
      vsStringify: join.medianMs / stringify.medianMs,
      vsNaive: naive ? join.medianMs / naive.medianMs : null,
    };
    options.progress?.(`join core ${c.shape} ${c.parents} parents: ${(cell.rowsPerSec / 1e6).toFixed(2)} M rows/s, ${cell.vsStringify.toFixed(2)}× JSON.stringify${naive ? `, ${(naive.medianMs / join.medianMs).toFixed(0)}× faster than a nested loop` : ''}`);
    cells.push(cell);
  }
  return { cells };
}
