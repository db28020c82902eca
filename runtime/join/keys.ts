/**
 * Join keys (DESIGN.md §5.1 steps 2 and 4). A key tuple becomes one hashable value: the
 * value itself for a single column, a JSON text for composite keys. Tuples with a null
 * part are never sent (the field is null without a call, Hasura's rule).
 */
import type { RawRow } from './walk.js';

export type HashKey = string | number | boolean;

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

  constructor(private readonly slots: readonly number[]) {
    this.columns = slots.map(() => []);
  }

  add(row: RawRow): void {
    const h = hashKeyAt(row, this.slots);
    if (h === null || this.seen.has(h)) return;
    this.seen.add(h);
    for (let i = 0; i < this.slots.length; i++) this.columns[i]!.push(row[this.slots[i]!]);
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
