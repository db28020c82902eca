/**
 * Semi-join keys (DESIGN.md §5.2): the distinct key tuples a target returned for a remote
 * filter — or the (key, rank) pairs for ordering by a remote field (plan/remote-order.ts) —
 * column-wise, keeping only keys the parent column can hold. More than the step's
 * cap is refused with the fix, never truncated (a truncated key list would drop rows).
 */
import { FarjoinError } from '../../compiler/errors.js';
import type { SemiJoinStep } from '../../compiler/plan/types.js';
import { fitsRange } from './keys.js';
import type { RawRow } from './walk.js';

export function collectSemiJoinKeys(step: SemiJoinStep, rows: readonly RawRow[]): unknown[][] {
  if (rows.length > step.maxKeys && step.purpose === 'order') {
    throw new FarjoinError('not-supported',
      `ordering by remote relationship ${step.path} needs ${rows.length} (key, value) pairs from ${step.source}, more than the limit of ${step.maxKeys}; narrow the target's rows (its permission filter), or run \`farjoin fdw setup --from ${step.from} --to ${step.source}\` so the ordering runs as one pushdown statement`,
      { path: '$' });
  }
  if (rows.length > step.maxKeys) {
    throw new FarjoinError('not-supported',
      `the filter on remote relationship ${step.path} matched ${rows.length} keys in ${step.source}, more than the semi-join limit of ${step.maxKeys}; narrow the filter, or run \`farjoin fdw setup --from ${step.from} --to ${step.source}\` so the filter runs as one pushdown statement`,
      { path: '$' });
  }
  const columns: unknown[][] = step.placeholders.map(() => []);
  next: for (const row of rows) {
    for (let i = 0; i < columns.length; i++) if (!fitsRange(row[i], step.keyRanges[i] ?? null)) continue next;
    for (let i = 0; i < columns.length; i++) columns[i]!.push(row[i]);
  }
  return columns;
}
