/**
 * Enum columns in the response (issue 11 item 4): a column that references an enum table
 * is answered with the GraphQL enum value's name. Under `graphql-default` those names are
 * upper-cased (`Sunday` → `SUNDAY`), so the stored value is mapped to its name in the
 * statement — `CASE col::text WHEN $1 THEN $2 … ELSE col::text END`, every value a
 * parameter. Where every name is its value (the default convention) nothing changes.
 */
import type { ColumnModel } from '../metadata/model.js';
import { join, param, sql, type Sql } from './builder.js';

/** The value → name pairs that differ, or undefined when the column is answered as stored. */
export function renamedEnumValues(column: ColumnModel): readonly { readonly value: string; readonly name: string }[] | undefined {
  const renamed = column.enumReference?.values.filter((v) => v.name !== v.value) ?? [];
  return renamed.length > 0 ? renamed : undefined;
}

export function enumNames(expr: Sql, renamed: readonly { readonly value: string; readonly name: string }[]): Sql {
  const whens = renamed.map((v) => sql`WHEN ${param(v.value)} THEN ${param(v.name)}`);
  return sql`CASE (${expr})::text ${join(whens, sql` `)} ELSE (${expr})::text END`;
}
