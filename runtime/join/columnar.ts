/**
 * Columnar lists (compiler/sql/select.ts): a statement's top-level list arrives as
 * `[count, column 0, column 1, …]` — one array per slot, `null` for every column of an
 * empty list — and stays columnar through the join core: key collection reads the key
 * columns, the join index records entry positions, and the response objects are built
 * straight from the columns. No array per row is ever made for these lists: at 1e5
 * parents those rows were about half of what a query kept alive until its response was
 * built, and so of its peak memory (issue 7). Lists nested in a row (local
 * relationships) stay positional rows.
 *
 * A row of a columnar list is addressed as `(cols, i)`; a positional row as `(row, -1)`.
 * `valueAt` reads a slot of either.
 */
import type { RawRow } from './walk.js';

export class Columns {
  constructor(
    /** Rows in the list. */
    readonly n: number,
    /** One array of `n` values per slot. */
    readonly cols: readonly (readonly unknown[])[],
  ) {}
}

const EMPTY = new Columns(0, []);

/** A row of a columnar list (`cols`, `i ≥ 0`) or a positional row (`row`, `i = -1`). */
export type RowSource = readonly unknown[];

export function valueAt(src: RowSource, i: number, slot: number): unknown {
  return i < 0 ? src[slot] : (src[slot] as readonly unknown[])[i];
}

/**
 * A top-level list as `Columns`: the columnar form as it arrived (no copy), or a list of
 * positional rows (statement runners that return rows, e.g. in-memory ones) transposed.
 */
export function toColumns(value: unknown): Columns {
  if (value instanceof Columns) return value;
  if (!Array.isArray(value) || value.length === 0) return EMPTY;
  if (typeof value[0] === 'number') {
    const n = value[0];
    const cols = new Array<readonly unknown[]>(value.length - 1);
    for (let j = 1; j < value.length; j++) cols[j - 1] = (value[j] as unknown[] | null) ?? [];
    return new Columns(n, cols);
  }
  const rows = value as RawRow[];
  let width = 0;
  for (const r of rows) if (r.length > width) width = r.length;
  const cols = new Array<unknown[]>(width);
  for (let j = 0; j < width; j++) {
    const col = new Array<unknown>(rows.length);
    for (let i = 0; i < rows.length; i++) col[i] = rows[i]![j];
    cols[j] = col;
  }
  return new Columns(rows.length, cols);
}

/** Several lists of the same statement (key chunks) as one, in order. */
export function concatColumns(parts: readonly Columns[]): Columns {
  const nonEmpty = parts.filter((p) => p.n > 0);
  if (nonEmpty.length === 0) return parts[0] ?? EMPTY;
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  const width = Math.max(...nonEmpty.map((p) => p.cols.length));
  const cols = new Array<unknown[]>(width);
  for (let j = 0; j < width; j++) cols[j] = nonEmpty.flatMap((p) => (p.cols[j] ?? new Array<unknown>(p.n).fill(undefined)) as unknown[]);
  return new Columns(nonEmpty.reduce((s, p) => s + p.n, 0), cols);
}
