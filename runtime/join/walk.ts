/**
 * Walking positional results: find every row at a `Site` (DESIGN.md §5.1 step 2 — keys are
 * collected from every place a remote field occurs, inside local arrays and under other
 * remote joins).
 */
import type { Site } from '../../compiler/plan/types.js';

export type RawRow = readonly unknown[];

export function forEachRowAt(result: unknown, site: Site, visit: (row: RawRow) => void): void {
  const { descents } = site;
  const step = (row: RawRow, i: number): void => {
    if (i === descents.length) {
      visit(row);
      return;
    }
    const d = descents[i]!;
    const v = row[d.slot];
    if (v === null || v === undefined) return;
    if (d.many) for (const r of v as RawRow[]) step(r, i + 1);
    else step(v as RawRow, i + 1);
  };
  if (result === null || result === undefined) return;
  if (site.startsWithList) for (const r of result as RawRow[]) step(r, 0);
  else step(result as RawRow, 0);
}
