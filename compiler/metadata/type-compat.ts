/**
 * Which column types may be joined across databases. Keys travel as JSON values and are
 * cast to the target column's type, so types of one family compare correctly
 * (int4 ↔ int8 ↔ numeric, text ↔ varchar), while int ↔ text would compare wrongly or fail.
 */
import type { PgType } from '../catalog/types.js';

const FAMILIES: readonly (readonly string[])[] = [
  ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'oid'],
  ['text', 'varchar', 'bpchar', 'citext', 'name'],
  ['timestamp', 'timestamptz'],
  ['json', 'jsonb'],
];

export function typesComparable(a: PgType, b: PgType): boolean {
  if (a.category === 'A' || b.category === 'A') {
    return a.category === b.category && !!a.element && !!b.element && typesComparable(a.element, b.element);
  }
  if (a.schema === b.schema && a.name === b.name) return true;
  // Enums compare only with the same enum: a text key cast to an enum errors on an unknown label.
  if (a.category === 'E' || b.category === 'E') return false;
  return FAMILIES.some((f) => f.includes(a.name) && f.includes(b.name));
}
