/**
 * Join keys (DESIGN.md §5.1 steps 2 and 4). A key tuple becomes one hashable value: the
 * value itself for a single column, a JSON text for composite keys. Tuples with a null
 * part are never sent (the field is null without a call, Hasura's rule).
 */
import type { KeyRange } from '../../compiler/plan/key-form.js';
import { valueAt, type RowSource } from './columnar.js';

export type HashKey = string | number | boolean;

const BOUNDS: Readonly<Record<NonNullable<KeyRange>, readonly [bigint, bigint]>> = {
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** The same bounds as numbers (converted once: this runs for every parent row). */
const NUMBER_BOUNDS: Readonly<Record<NonNullable<KeyRange>, readonly [number, number]>> = {
  int2: [Number(BOUNDS.int2[0]), Number(BOUNDS.int2[1])],
  int4: [Number(BOUNDS.int4[0]), Number(BOUNDS.int4[1])],
  int8: [Number(BOUNDS.int8[0]), Number(BOUNDS.int8[1])],
};

/** Whether a key value can exist in the target's integer type (key-form.ts). */
export function fitsRange(v: unknown, range: KeyRange): boolean {
  if (range === null) return true;
  if (typeof v === 'number') {
    const [lo, hi] = NUMBER_BOUNDS[range];
    return Number.isInteger(v) && v >= lo && v <= hi;
  }
  const [lo, hi] = BOUNDS[range];
  if (typeof v !== 'string' || !/^-?\d+$/.test(v)) return false;
  const b = BigInt(v);
  return b >= lo && b <= hi;
}

/** The hash key of a row at `slots` (`row`, or row `i` of columns `row`), or `null` when any part is null. */
export function hashKeyAt(row: RowSource, slots: readonly number[], i = -1): HashKey | null {
  if (slots.length === 1) {
    const v = valueAt(row, i, slots[0]!);
    if (v === null || v === undefined) return null;
    return typeof v === 'object' ? JSON.stringify(v) : (v as HashKey);
  }
  const parts: unknown[] = new Array(slots.length);
  for (let j = 0; j < slots.length; j++) {
    const v = valueAt(row, i, slots[j]!);
    if (v === null || v === undefined) return null;
    parts[j] = v;
  }
  return JSON.stringify(parts);
}

/**
 * Single-column keys that are integers in [0, BITMAP_LIMIT) are remembered in a bitmap
 * (at most 512 KiB) instead of the Set: ids are the usual join keys, and a bit test is
 * one memory access where `Set.add` hashes and probes (the join-core benchmark measured
 * key collection at a third of the stitching time at 1e6 parents with the Set alone).
 */
const BITMAP_LIMIT = 1 << 22;

/** Distinct key tuples, column-wise (one array parameter per key column). */
export class KeyCollector {
  private readonly seen = new Set<HashKey>();
  private bits = new Uint32Array(0);
  private bitCount = 0;
  readonly columns: unknown[][];

  private readonly ranges: readonly KeyRange[] | undefined;

  /** `ranges`: per key column, the integer range a key must fit to be sent (others match nothing). */
  constructor(private readonly slots: readonly number[], ranges?: readonly KeyRange[]) {
    this.columns = slots.map(() => []);
    this.ranges = ranges?.some((r) => r !== null) ? ranges : undefined;
  }

  /** Adds the key of a row: `row` itself, or row `i` of columns `row` (columnar.ts). */
  add(row: RowSource, i: number): void {
    const { slots, seen, ranges } = this;
    if (ranges) {
      for (let j = 0; j < slots.length; j++) if (!fitsRange(valueAt(row, i, slots[j]!), ranges[j] ?? null)) return;
    }
    if (slots.length === 1) {
      // One key column (the common case): hashKeyAt inlined, one hash lookup per row.
      const v = valueAt(row, i, slots[0]!);
      if (v === null || v === undefined) return;
      if (typeof v === 'number' && v >>> 0 === v && v < BITMAP_LIMIT) {
        const word = v >>> 5;
        const bits = word < this.bits.length ? this.bits : this.grow(word);
        const mask = 1 << (v & 31);
        if ((bits[word]! & mask) !== 0) return;
        bits[word] = bits[word]! | mask;
        this.bitCount++;
        this.columns[0]!.push(v);
        return;
      }
      const size = seen.size;
      seen.add(typeof v === 'object' ? JSON.stringify(v) : (v as HashKey));
      if (seen.size !== size) this.columns[0]!.push(v);
      return;
    }
    const h = hashKeyAt(row, slots, i);
    if (h === null || seen.has(h)) return;
    seen.add(h);
    for (let j = 0; j < slots.length; j++) this.columns[j]!.push(valueAt(row, i, slots[j]!));
  }

  private grow(word: number): Uint32Array {
    const bits = new Uint32Array(Math.min(BITMAP_LIMIT >>> 5, Math.max(word + 1, this.bits.length * 2, 64)));
    bits.set(this.bits);
    this.bits = bits;
    return bits;
  }

  get size(): number {
    return this.seen.size + this.bitCount;
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

/**
 * One key column as a statement parameter (DESIGN.md §5.1 step 3: keys travel as one
 * typed array parameter). When every key is a finite number or every key is a string,
 * this is the Postgres array literal text node-postgres itself would send, built in one
 * pass instead of its per-element recursion (5× faster for 6,000 keys, measured by
 * `npm run bench`); any other column is handed to node-postgres unchanged. Still a bind
 * parameter: the text is a value, cast by the statement's `$n::type[]`.
 */
export function arrayParameter(column: readonly unknown[]): unknown {
  let numbers = true;
  let strings = true;
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) numbers = false;
    if (typeof v !== 'string') strings = false;
    if (!numbers && !strings) return column;
  }
  if (numbers) return `{${column.join(',')}}`;
  const parts = new Array<string>(column.length);
  for (let i = 0; i < column.length; i++) parts[i] = `"${(column[i] as string).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return `{${parts.join(',')}}`;
}
