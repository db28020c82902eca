/**
 * Stitching (join core step 5): positional raw rows + shapes → response objects. Remote
 * fields look their key up in the join's index; hidden key slots are simply never
 * emitted, so they cannot leak into the response.
 */
import type { RootShape, RowShape } from '../../compiler/plan/types.js';
import type { JoinIndex } from './hash-join.js';
import { hashKeyAt } from './keys.js';
import type { RawRow } from './walk.js';

export type JoinLookup = ReadonlyMap<number, { readonly index: JoinIndex; readonly parentKeySlots: readonly number[] }>;

export function materializeRow(row: RawRow, shape: RowShape, joins: JoinLookup): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of shape.fields) {
    switch (f.kind) {
      case 'scalar':
        out[f.key] = row[f.slot];
        break;
      case 'constant':
        out[f.key] = f.value;
        break;
      case 'object': {
        const v = row[f.slot] as RawRow | null;
        out[f.key] = v === null || v === undefined ? null : materializeRow(v, f.shape, joins);
        break;
      }
      case 'array':
        out[f.key] = materializeRows(row[f.slot] as RawRow[] | null, f.shape, joins);
        break;
      case 'remote':
        out[f.key] = lookupRemote(row, f.join, joins);
        break;
    }
  }
  return out;
}

export function materializeRows(rows: readonly RawRow[] | null | undefined, shape: RowShape, joins: JoinLookup): Record<string, unknown>[] {
  if (!rows) return [];
  const out = new Array<Record<string, unknown>>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = materializeRow(rows[i]!, shape, joins);
  return out;
}

function lookupRemote(row: RawRow, joinId: number, joins: JoinLookup): unknown {
  const join = joins.get(joinId);
  if (!join) return null; // the join failed; its error is reported separately
  const h = hashKeyAt(row, join.parentKeySlots);
  if (h === null) return null; // a null key part: null without a call (Hasura's rule)
  const { step, map } = join.index;
  const hit = map.get(h);
  if (step.relationshipType === 'object') {
    return hit === undefined ? null : materializeRow(hit as RawRow, step.shape, joins);
  }
  return materializeRows(hit as RawRow[] | undefined, step.shape, joins);
}

/** Root fields: lists, by-pk objects (first row or null) and constants, in response order. */
export function materializeRoot(
  root: RootShape, fetched: ReadonlyMap<number, RawRow>, joins: JoinLookup,
): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const f of root.fields) {
    if (f.kind === 'constant') {
      data[f.key] = f.value;
      continue;
    }
    const rootRow = fetched.get(f.step);
    const rows = (rootRow?.[f.slot] ?? []) as RawRow[];
    if (f.kind === 'list') data[f.key] = materializeRows(rows, f.shape, joins);
    else data[f.key] = rows.length > 0 ? materializeRow(rows[0]!, f.shape, joins) : null;
  }
  return data;
}
