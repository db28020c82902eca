/**
 * A SQL function call (issue 11 item 6): `"schema"."fn"($1::type, "name" => $2::type, …)`,
 * as a FROM item (tracked functions, table computed fields) or a value (scalar computed
 * fields). Every argument is a typed bind parameter; the table row of a computed field is
 * the whole-row reference `alias.*` of the rows being read.
 */
import type { PgType } from '../catalog/types.js';
import { invariant } from '../errors.js';
import type { FunctionCallIR } from '../ir/types.js';
import { geoValue, isGeoType } from './postgis.js';
import { aliasRef, ident, list, param, sql, typeRef, type Alias, type Sql } from './builder.js';

function isJsonType(t: PgType): boolean {
  return t.schema === 'pg_catalog' && (t.name === 'json' || t.name === 'jsonb');
}

/** A value as a parameter cast to its type; json values travel as JSON text. */
export function typedValue(value: unknown, type: PgType): Sql {
  if (isGeoType(type)) return geoValue(value, type);
  const bound = value === null || value === undefined ? null : isJsonType(type) ? JSON.stringify(value) : value;
  return sql`${param(bound)}::${typeRef(type.schema, type.name)}`;
}

/** The call; `row` is the alias whose row a `row` argument passes (computed fields). */
export function functionCallSql(call: FunctionCallIR, row: Alias | undefined): Sql {
  const args = call.args.map((a) => {
    let value: Sql;
    if (a.value.kind === 'row') {
      invariant(row, 'a computed field call has the row it is computed from');
      value = sql`${aliasRef(row)}.*`;
    } else value = typedValue(a.value.value, a.value.type);
    return a.name !== undefined ? sql`${ident(a.name)} => ${value}` : value;
  });
  return sql`${ident(call.schema, call.name)}(${list(args)})`;
}
