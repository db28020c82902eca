/**
 * Walking positional results: find every row at a `Site` (DESIGN.md §5.1 step 2 — keys are
 * collected from every place a remote field occurs, inside local arrays and under other
 * remote joins).
 */
import type { Site } from '../../compiler/plan/types.js';

export type RawRow = readonly unknown[];

export function forEachRowAt(result: unknown, site: Site, visit: (row: RawRow) => void): void {
  const { descents } = site;
  const last = descents.length - 1;
  const step = (row: RawRow, i: number): void => {
    if (i > last) {
      visit(row);
      return;
    }
    const d = descents[i]!;
    const v = row[d.slot];
    if (v === null || v === undefined) return;
    if (!d.many) step(v as RawRow, i + 1);
    else if (i === last) {
      // The list that holds the site's rows: visit them directly (the hot loop).
      const rows = v as RawRow[];
      for (let j = 0; j < rows.length; j++) visit(rows[j]!);
    } else for (const r of v as RawRow[]) step(r, i + 1);
  };
  if (result === null || result === undefined) return;
  if (site.startsWithList) for (const r of result as RawRow[]) step(r, 0);
  else step(result as RawRow, 0);
}
