/**
 * How join keys travel (DESIGN.md §5.1). Both sides of a field-mapping pair emit the key
 * in one canonical JSON form, so equal values hash equally in JavaScript:
 * - `raw`: the JSON value itself (int2/int4 pairs, text, uuid …: exact in JSON);
 * - `text`: the decimal text of an integer when a bigint is involved (JSON numbers lose
 *   digits above 2^53);
 * - `numeric`: `trim_scale(x::numeric)::text` when numeric or floating types are involved,
 *   so 1, 1.0 and 1.00 meet.
 * Keys that cannot exist in the target's integer type (fractions, out of range) are
 * dropped before sending: they match nothing, and casting them would fail the statement.
 */
import type { PgType } from '../catalog/types.js';
import { invariant } from '../errors.js';
import { queryTable, type RemoteFieldIR } from '../ir/types.js';
import { keyColumn, type TableModel } from '../metadata/model.js';
import { sql, type Sql } from '../sql/builder.js';

export type KeyForm = 'raw' | 'text' | 'numeric';

/** Integer range a key must fit to be sent, or none. */
export type KeyRange = 'int2' | 'int4' | 'int8' | null;

const SMALL_INTS = new Set(['int2', 'int4']);
const INTS = new Set(['int2', 'int4', 'int8']);
const NUMERICS = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8']);

function builtin(t: PgType, names: ReadonlySet<string>): boolean {
  return t.schema === 'pg_catalog' && names.has(t.name);
}

export function keyForm(parent: PgType, target: PgType): KeyForm {
  if (builtin(parent, SMALL_INTS) && builtin(target, SMALL_INTS)) return 'raw';
  if (builtin(parent, INTS) && builtin(target, INTS)) return 'text';
  if (builtin(parent, NUMERICS) && builtin(target, NUMERICS)) return 'numeric';
  return 'raw';
}

export function keyRange(parent: PgType, target: PgType): KeyRange {
  if (!builtin(target, INTS)) return null;
  // A key of the same integer type always fits.
  if (parent.schema === target.schema && parent.name === target.name) return null;
  return target.name as KeyRange;
}

export function keyExpr(expr: Sql, form: KeyForm): Sql {
  switch (form) {
    case 'raw':
      return expr;
    case 'text':
      return sql`(${expr})::text`;
    case 'numeric':
      return sql`trim_scale((${expr})::numeric)::text`;
  }
}

export interface RemoteKey {
  readonly parent: { readonly column: string; readonly form: KeyForm };
  readonly target: { readonly column: string; readonly form: KeyForm; readonly type: PgType };
  readonly range: KeyRange;
}

/** The key columns of a remote field on both sides, in mapping order, with their forms. */
export function remoteKeys(field: RemoteFieldIR, parent: TableModel): RemoteKey[] {
  const target = queryTable(field.query);
  return field.mapping.map((m) => {
    const p = keyColumn(parent, m.from);
    const t = keyColumn(target, m.to);
    invariant(p && t, `key columns ${m.from} → ${m.to} exist`);
    const form = keyForm(p.catalog.type, t.catalog.type);
    return {
      parent: { column: p.name, form },
      target: { column: t.name, form, type: t.catalog.type },
      range: keyRange(p.catalog.type, t.catalog.type),
    };
  });
}
