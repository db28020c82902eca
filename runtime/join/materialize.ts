/**
 * Stitching (join core step 5): positional raw rows + shapes → response objects. Remote
 * fields look their key up in the join's index; hidden key slots are simply never
 * emitted, so they cannot leak into the response.
 *
 * A `Materializer` lives for one execution: it turns each shape into a row builder once
 * (row-builder.ts) and binds every remote field to its join's index up front, so the
 * per-row work is one object literal plus one `Map.get` per remote field. An object
 * join builds each target row's object once and every parent with that key shares it
 * (ten orders of one user: one user object) — the JSON is the same, the allocations and
 * the peak memory are not; callers that mutate the response see the sharing.
 */
import type { RootShape, RowShape, ShapeField } from '../../compiler/plan/types.js';
import type { JoinIndex } from './hash-join.js';
import { hashKeyAt } from './keys.js';
import { shapeBuilders, type FieldReader, type ShapeBuilders } from './row-builder.js';
import type { RawRow } from './walk.js';

export type JoinLookup = ReadonlyMap<number, { readonly index: JoinIndex; readonly parentKeySlots: readonly number[] }>;

const EMPTY: readonly (FieldReader | undefined)[] = [];

class Materializer {
  private readonly builders = new Map<RowShape, ShapeBuilders>();

  constructor(private readonly joins: JoinLookup) {}

  of(shape: RowShape): ShapeBuilders {
    let b = this.builders.get(shape);
    if (!b) {
      const readers = shape.fields.some((f) => f.kind !== 'scalar') ? shape.fields.map((f) => this.reader(f)) : EMPTY;
      b = shapeBuilders(shape, readers);
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
        return (row) => {
          const v = row[slot] as RawRow | null | undefined;
          return v === null || v === undefined ? null : build(v);
        };
      }
      case 'array': {
        const build = this.of(f.shape).rows;
        const slot = f.slot;
        return (row) => build(row[slot] as RawRow[] | null);
      }
      case 'remote':
        return this.remote(f.join);
    }
  }

  /** A remote field: key → index hit → the target row(s), null/[] on a miss (DESIGN.md §5.1). */
  private remote(joinId: number): FieldReader {
    const join = this.joins.get(joinId);
    if (!join) return () => null; // the join failed; its error is reported separately
    const { step, map } = join.index;
    const slots = join.parentKeySlots;
    const single = slots.length === 1 ? slots[0]! : -1;
    const key = single >= 0
      ? (row: RawRow) => {
        const v = row[single];
        if (v === null || v === undefined) return null;
        return typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean);
      }
      : (row: RawRow) => hashKeyAt(row, slots);
    const table = single >= 0 ? join.index.dense() : null;
    if (step.returns === 'object') {
      const build = this.of(step.shape).row;
      // Parents that share a key (orders → user) share its response object: built once.
      const shared = new Map<RawRow, Record<string, unknown>>();
      const viaMap = (row: RawRow): Record<string, unknown> | null => {
        const h = key(row);
        if (h === null) return null; // a null key part: null without a call (Hasura's rule)
        const hit = map.get(h) as RawRow | undefined;
        if (hit === undefined) return null;
        let built = shared.get(hit);
        if (built === undefined) {
          built = build(hit);
          shared.set(hit, built);
        }
        return built;
      };
      if (!table) return viaMap;
      // Integer keys: the same lookup through the dense table, the built objects beside it.
      const size = table.length;
      const builtAt = new Array<Record<string, unknown> | undefined>(size);
      return (row) => {
        const v = row[single];
        if (typeof v !== 'number' || !(v >= 0 && v < size) || (v | 0) !== v) return viaMap(row);
        let built = builtAt[v];
        if (built === undefined) {
          const hit = table[v] as RawRow | undefined;
          if (hit === undefined) return null;
          built = build(hit);
          builtAt[v] = built;
        }
        return built;
      };
    }
    const build = this.of(step.shape).rows;
    const viaMap = (row: RawRow): Record<string, unknown>[] | null => {
      const h = key(row);
      if (h === null) return null;
      return build(map.get(h) as RawRow[] | undefined);
    };
    if (!table) return viaMap;
    const size = table.length;
    return (row) => {
      const v = row[single];
      if (typeof v !== 'number' || !(v >= 0 && v < size) || (v | 0) !== v) return viaMap(row);
      return build(table[v] as RawRow[] | undefined);
    };
  }
}

export function materializeRow(row: RawRow, shape: RowShape, joins: JoinLookup): Record<string, unknown> {
  return new Materializer(joins).of(shape).row(row);
}

export function materializeRows(rows: readonly RawRow[] | null | undefined, shape: RowShape, joins: JoinLookup): Record<string, unknown>[] {
  return new Materializer(joins).of(shape).rows(rows);
}

/** Root fields: lists, by-pk objects (first row or null) and constants, in response order. */
export function materializeRoot(
  root: RootShape, fetched: ReadonlyMap<number, RawRow>, joins: JoinLookup,
): Record<string, unknown> {
  const m = new Materializer(joins);
  const data: Record<string, unknown> = {};
  for (const f of root.fields) {
    if (f.kind === 'constant') {
      data[f.key] = f.value;
      continue;
    }
    const rootRow = fetched.get(f.step);
    const rows = (rootRow?.[f.slot] ?? []) as RawRow[];
    if (f.kind === 'list') data[f.key] = m.of(f.shape).rows(rows);
    else if (f.kind === 'object') data[f.key] = rootRow?.[f.slot] ? m.of(f.shape).row(rootRow[f.slot] as RawRow) : null;
    else data[f.key] = rows.length > 0 ? m.of(f.shape).row(rows[0]!) : null;
  }
  return data;
}
