/**
 * Columnar lists (compiler/sql/select.ts): a statement's top-level list may arrive as
 * `[count, column 0, column 1, …]` — one array per slot, `null` for every column of an
 * empty list — instead of one positional row per element. `rowsOf` turns it back into
 * rows as soon as the statement's result is in, so everything downstream (key
 * collection, the join index, stitching) reads rows as before. A list in row form (its
 * first element is a row, or it is empty) is returned unchanged.
 */
import type { RawRow } from './walk.js';

export function rowsOf(value: unknown): RawRow[] | null {
  if (!Array.isArray(value)) return (value ?? null) as null;
  if (value.length === 0 || typeof value[0] !== 'number') return value as RawRow[];
  const n = value[0] as number;
  const width = value.length - 1;
  const rows = new Array<RawRow>(n);
  if (n === 0) return rows;
  const columns = value.slice(1) as unknown[][];
  for (let i = 0; i < n; i++) {
    const row = new Array<unknown>(width);
    for (let j = 0; j < width; j++) row[j] = columns[j]![i];
    rows[i] = row;
  }
  return rows;
}
