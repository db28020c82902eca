/**
 * Join keys (DESIGN.md §5.1 steps 2 and 4). A key tuple becomes one hashable value: the
 * value itself for a single column, a JSON text for composite keys. Tuples with a null
 * part are never sent (the field is null without a call, Hasura's rule).
 */
import type { KeyRange } from '../../compiler/plan/key-form.js';
import type { RawRow } from './walk.js';

export type HashKey = string | number | boolean;

const BOUNDS: Readonly<Record<NonNullable<KeyRange>, readonly [bigint, bigint]>> = {
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** Whether a key value can exist in the target's integer type (key-form.ts). */
export function fitsRange(v: unknown, range: KeyRange): boolean {
  if (range === null) return true;
  const [lo, hi] = BOUNDS[range];
  if (typeof v === 'number') return Number.isInteger(v) && v >= Number(lo) && v <= Number(hi);
  if (typeof v !== 'string' || !/^-?\d+$/.test(v)) return false;
  const b = BigInt(v);
  return b >= lo && b <= hi;
}

/** The hash key of `row` at `slots`, or `null` when any part is null. */
export function hashKeyAt(row: RawRow, slots: readonly number[]): HashKey | null {
  if (slots.length === 1) {
    const v = row[slots[0]!];
    if (v === null || v === undefined) return null;
    return typeof v === 'object' ? JSON.stringify(v) : (v as HashKey);
  }
  const parts: unknown[] = new Array(slots.length);
  for (let i = 0; i < slots.length; i++) {
    const v = row[slots[i]!];
    if (v === null || v === undefined) return null;
    parts[i] = v;
  }
  return JSON.stringify(parts);
}

/** Distinct key tuples, column-wise (one array parameter per key column). */
export class KeyCollector {
  private readonly seen = new Set<HashKey>();
  readonly columns: unknown[][];

  private readonly ranges: readonly KeyRange[] | undefined;

  /** `ranges`: per key column, the integer range a key must fit to be sent (others match nothing). */
  constructor(private readonly slots: readonly number[], ranges?: readonly KeyRange[]) {
    this.columns = slots.map(() => []);
    this.ranges = ranges?.some((r) => r !== null) ? ranges : undefined;
  }

  add(row: RawRow): void {
    const { slots, seen, ranges } = this;
    if (ranges) {
      for (let i = 0; i < slots.length; i++) if (!fitsRange(row[slots[i]!], ranges[i] ?? null)) return;
    }
    if (slots.length === 1) {
      // One key column (the common case): hashKeyAt inlined, one hash lookup per row.
      const v = row[slots[0]!];
      if (v === null || v === undefined) return;
      const size = seen.size;
      seen.add(typeof v === 'object' ? JSON.stringify(v) : (v as HashKey));
      if (seen.size !== size) this.columns[0]!.push(v);
      return;
    }
    const h = hashKeyAt(row, slots);
    if (h === null || seen.has(h)) return;
    seen.add(h);
    for (let i = 0; i < slots.length; i++) this.columns[i]!.push(row[slots[i]!]);
  }

  get size(): number {
    return this.seen.size;
  }

  /** Splits the key columns into chunks of at most `max` tuples. */
  chunks(max: number): unknown[][][] {
    const n = this.size;
    if (n <= max) return [this.columns];
    const out: unknown[][][] = [];
    for (let start = 0; start < n; start += max) out.push(this.columns.map((c) => c.slice(start, start + max)));
    return out;
  }
}
