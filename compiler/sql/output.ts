/** Output formatting of column values (DESIGN.md §4). */
import type { PgType } from '../catalog/types.js';
import type { ColumnModel } from '../metadata/model.js';

/** How column values are printed (DESIGN.md §4; Hasura's HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES). */
export interface OutputOptions {
  /** bigint, numeric and double precision as JSON strings, so no digit is lost in JavaScript. */
  readonly stringifyNumeric: boolean;
}

export const DEFAULT_OUTPUT: OutputOptions = { stringifyNumeric: false };

const STRINGIFIED_TYPES: ReadonlySet<string> = new Set(['int8', 'numeric', 'float8']);

export function isStringifiedType(column: ColumnModel): boolean {
  return isStringifiedPgType(column.catalog.type);
}

export function isStringifiedPgType(t: PgType): boolean {
  return t.schema === 'pg_catalog' && STRINGIFIED_TYPES.has(t.name);
}
