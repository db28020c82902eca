/**
 * Stitching (join core step 5): raw rows + shapes → response objects. Remote fields look
 * their key up in the join's index; hidden key slots are simply never emitted, so they
 * cannot leak into the response. A statement's top-level lists are columnar (columnar.ts):
 * their response objects are built from the columns, nested rows from positional rows.
 *
 * A `Materializer` lives for one execution: it turns each shape into a row builder once
 * (row-builder.ts) and binds every remote field to its join's index up front, so the
 * per-row work is one object literal plus one `Map.get` per remote field. An object
 * join builds each target row's object once and every parent with that key shares it
 * (ten orders of one user: one user object) — the JSON is the same, the allocations and
 * the peak memory are not; callers that mutate the response see the sharing.
 */
import type { RootShape, RowShape, ShapeField } from '../../compiler/plan/types.js';
import { Columns, valueAt, type RowSource } from './columnar.js';
import type { JoinIndex } from './hash-join.js';
import { hashKeyAt, type HashKey } from './keys.js';
import { shapeBuilders, type FieldReader, type ShapeBuilders, type TakeRows } from './row-builder.js';
import type { RawRow } from './walk.js';

export type JoinLookup = ReadonlyMap<number, { readonly index: JoinIndex; readonly parentKeySlots: readonly number[] }>;

const EMPTY: readonly (FieldReader | undefined)[] = [];

type Built = Record<string, unknown>;

/** What the root stitching checks between slices: the request's budget (runtime/execute/budget.ts). */
export interface StitchBudget {
  readonly takeRows: TakeRows;
  /** True when the current slice of synchronous work is used up. */
  due(): boolean;
  /** Yields to the event loop; throws if the request was cancelled meanwhile. */
  pause(): Promise<void>;
  /** Set when a built object was shared by a second parent: the response is then larger than what was built. */
  shared: boolean;
}

/** Root-list rows built between two looks at the clock. */
const ROWS_PER_CHECK = 256;

export class Materializer {
  private readonly builders = new Map<RowShape, ShapeBuilders>();

  constructor(private readonly joins: JoinLookup, private readonly budget?: StitchBudget) {}

  private get take(): TakeRows | undefined {
    return this.budget?.takeRows;
  }

  of(shape: RowShape): ShapeBuilders {
    let b = this.builders.get(shape);
    if (!b) {
      const readers = shape.fields.some((f) => f.kind !== 'scalar') ? shape.fields.map((f) => this.reader(f)) : EMPTY;
      b = shapeBuilders(shape, readers, this.take);
      this.builders.set(shape, b);
    }
    return b;
  }

  private reader(f: ShapeField): FieldReader | undefined {
    switch (f.kind) {
      case 'scalar':
        return undefined;
      case 'constant': {
        const value = f.value;
        return () => value;
      }
      case 'object': {
        const build = this.of(f.shape).row;
        const slot = f.slot;
        return (src, i) => {
          const v = valueAt(src, i, slot) as RawRow | null | undefined;
          return v === null || v === undefined ? null : build(v);
        };
      }
      case 'array': {
        const build = this.of(f.shape).rows;
        const slot = f.slot;
        return (src, i) => build(valueAt(src, i, slot) as RawRow[] | null);
      }
      case 'remote':
        return this.remote(f.join);
    }
  }

  /** A remote field: key → index hit → the target row(s), null/[] on a miss (DESIGN.md §5.1). */
  private remote(joinId: number): FieldReader {
    const join = this.joins.get(joinId);
    if (!join) return () => null; // the join failed; its error is reported separately
    const { index } = join;
    const { step, map } = index;
    const { cols } = index.columns;
    const slots = join.parentKeySlots;
    const single = slots.length === 1 ? slots[0]! : -1;
    const key = single >= 0
      ? (src: RowSource, i: number): HashKey | null => {
        const v = valueAt(src, i, single);
        if (v === null || v === undefined) return null;
        return typeof v === 'object' ? JSON.stringify(v) : (v as HashKey);
      }
      : (src: RowSource, i: number) => hashKeyAt(src, slots, i);
    const table = single >= 0 ? index.dense() : null;
    const size = table ? table.length : 0;
    /** The dense table's key of a row, or -1 when the key is not a small integer (use the map). */
    const denseKey = (src: RowSource, i: number): number => {
      const v = valueAt(src, i, single);
      return typeof v === 'number' && v >= 0 && v < size && (v | 0) === v ? v : -1;
    };
    const perKey = step.mode === 'per-key';
    const values = perKey ? (cols[step.entryRowsSlot] ?? []) : [];
    const b = this.of(step.shape);
    // Sharing a target without lists inside writes no row twice and grows no text beyond its
    // own size: only sharing a target that holds lists tells the budget (the text may then be
    // far larger than what was built, e.g. a cycle of relationships).
    const budget = holdsLists(step.shape) ? this.budget : undefined;
    if (step.returns === 'object') {
      // The target object of the entry at a position: the entry itself, or its per-key row.
      const target = perKey
        ? (pos: number): Built | null => {
          const v = values[pos] as RawRow | null | undefined;
          return v === null || v === undefined ? null : b.row(v);
        }
        : (pos: number): Built => b.at(cols, pos);
      // Parents that share a key (orders → user) share its response object: built once.
      let shared: (Built | null | undefined)[] | undefined;
      const viaMap = (src: RowSource, i: number): Built | null => {
        const h = key(src, i);
        if (h === null) return null; // a null key part: null without a call (Hasura's rule)
        const pos = map.get(h) as number | undefined;
        if (pos === undefined) return null;
        shared ??= new Array<Built | null | undefined>(index.entries);
        let built = shared[pos];
        if (built === undefined) {
          built = target(pos);
          shared[pos] = built;
        } else if (budget) budget.shared = true;
        return built;
      };
      if (!table) return viaMap;
      // Integer keys: the same lookup through the dense table, the built objects beside it.
      const builtAt = new Array<Built | null | undefined>(size);
      return (src, i) => {
        const k = denseKey(src, i);
        if (k < 0) return viaMap(src, i);
        let built = builtAt[k];
        if (built === undefined) {
          const pos = table[k] as number | undefined;
          if (pos === undefined) return null;
          built = target(pos);
          builtAt[k] = built;
        } else if (budget) budget.shared = true;
        return built;
      };
    }
    // Array joins: the per-key list of each key, or the entries at the key's positions.
    // (Index values: a position per key in per-key mode, the positions of the key otherwise.)
    const list = perKey
      ? (hit: number | number[] | undefined): Built[] => b.rows(hit === undefined ? null : values[hit as number] as RawRow[] | null)
      : (hit: number | number[] | undefined): Built[] => {
        const positions = hit as number[] | undefined;
        if (!positions) return [];
        this.take?.(positions.length);
        const out = new Array<Built>(positions.length);
        for (let j = 0; j < positions.length; j++) out[j] = b.at(cols, positions[j]!);
        return out;
      };
    const viaMap = (src: RowSource, i: number): Built[] | null => {
      const h = key(src, i);
      if (h === null) return null;
      return list(map.get(h));
    };
    if (!table) return viaMap;
    return (src, i) => {
      const k = denseKey(src, i);
      if (k < 0) return viaMap(src, i);
      return list(table[k]);
    };
  }
}

/** Whether rows of `shape` may hold lists (local or remote arrays, remote objects whose targets do). */
function holdsLists(shape: RowShape): boolean {
  return shape.fields.some((f) => f.kind === 'array' || f.kind === 'remote' || (f.kind === 'object' && holdsLists(f.shape)));
}

export function materializeRow(row: RawRow, shape: RowShape, joins: JoinLookup): Record<string, unknown> {
  return new Materializer(joins).of(shape).row(row);
}

export function materializeRows(rows: readonly RawRow[] | Columns | null | undefined, shape: RowShape, joins: JoinLookup): Record<string, unknown>[] {
  return new Materializer(joins).of(shape).rows(rows);
}

/**
 * Root fields: lists, by-pk objects (first row or null) and constants, in response order.
 * Root lists are built in slices: between slices the request yields when its time slice
 * is used up (so a huge list never holds the event loop), and every list's rows, at any
 * level, count against the row limit as they are built.
 */
export async function materializeRoot(
  root: RootShape, fetched: ReadonlyMap<number, RawRow>, joins: JoinLookup, budget?: StitchBudget,
): Promise<Record<string, unknown>> {
  const m = new Materializer(joins, budget);
  const data: Record<string, unknown> = {};
  for (const f of root.fields) {
    if (f.kind === 'constant') {
      setRootField(data, f.key, f.value);
      continue;
    }
    const value = fetched.get(f.step)?.[f.slot];
    if (f.kind === 'list') setRootField(data, f.key, budget ? await sliced(m.of(f.shape), value as RawRow[] | Columns | null | undefined, budget) : m.of(f.shape).rows(value as RawRow[] | Columns | null | undefined));
    else if (f.kind === 'object') setRootField(data, f.key, value ? m.of(f.shape).row(value as RawRow) : null);
    else if (value instanceof Columns) setRootField(data, f.key, value.n > 0 ? m.of(f.shape).at(value.cols, 0) : null);
    else {
      const rows = (value ?? []) as RawRow[];
      setRootField(data, f.key, rows.length > 0 ? m.of(f.shape).row(rows[0]!) : null);
    }
    if (budget?.due()) await budget.pause();
  }
  return data;
}

/** `b.rows(list)`, a few hundred rows at a time, pausing whenever the slice is used up. */
async function sliced(b: ShapeBuilders, list: readonly RawRow[] | Columns | null | undefined, budget: StitchBudget): Promise<Built[]> {
  if (!list) return [];
  const n = list instanceof Columns ? list.n : list.length;
  if (n <= ROWS_PER_CHECK) return b.rows(list);
  budget.takeRows(n);
  const out = new Array<Built>(n);
  for (let start = 0; start < n; start += ROWS_PER_CHECK) {
    const end = Math.min(n, start + ROWS_PER_CHECK);
    if (list instanceof Columns) for (let i = start; i < end; i++) out[i] = b.at(list.cols, i);
    else for (let i = start; i < end; i++) out[i] = b.row(list[i]!);
    if (budget.due()) await budget.pause();
  }
  return out;
}

/**
 * A root field's value by its key; `namespace.key` (a source's `root_fields.namespace`,
 * compiler/ir/lower.ts) nests as `{namespace: {key: value}}` — a `.` is in no GraphQL name.
 */
export function setRootField(data: Record<string, unknown>, key: string, value: unknown): void {
  const dot = key.indexOf('.');
  if (dot < 0) {
    data[key] = value;
    return;
  }
  const ns = key.slice(0, dot);
  const inner = (data[ns] ?? (data[ns] = {})) as Record<string, unknown>;
  inner[key.slice(dot + 1)] = value;
}
