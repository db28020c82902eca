/**
 * Walking statement results: find every row at a `Site` (DESIGN.md §5.1 step 2 — keys are
 * collected from every place a remote field occurs, inside local arrays and under other
 * remote joins). A statement's top-level lists are `Columns` (columnar.ts), so a row is
 * visited as `(cols, i)` there and as `(row, -1)` below.
 */
import type { Site } from '../../compiler/plan/types.js';
import { Columns, type RowSource } from './columnar.js';

export type RawRow = readonly unknown[];

export function forEachRowAt(result: unknown, site: Site, visit: (src: RowSource, i: number) => void): void {
  const { descents } = site;
  const last = descents.length - 1;
  const fromRow = (row: RawRow, k: number): void => {
    if (k > last) {
      visit(row, -1);
      return;
    }
    const d = descents[k]!;
    const v = row[d.slot];
    if (v === null || v === undefined) return;
    if (d.many) fromList(v, k + 1);
    else fromRow(v as RawRow, k + 1);
  };
  const fromList = (list: unknown, k: number): void => {
    if (list instanceof Columns) {
      const { n, cols } = list;
      if (k > last) {
        // The list that holds the site's rows: visit them directly (the hot loop).
        for (let i = 0; i < n; i++) visit(cols, i);
        return;
      }
      const d = descents[k]!;
      const col = cols[d.slot] ?? [];
      for (let i = 0; i < n; i++) {
        const v = col[i];
        if (v === null || v === undefined) continue;
        if (d.many) fromList(v, k + 1);
        else fromRow(v as RawRow, k + 1);
      }
      return;
    }
    const rows = list as RawRow[];
    if (k > last) for (let j = 0; j < rows.length; j++) visit(rows[j]!, -1);
    else for (const r of rows) fromRow(r, k);
  };
  if (result === null || result === undefined) return;
  if (site.startsWithList) fromList(result, 0);
  else fromRow(result as RawRow, 0);
}
