/**
 * Enum tables (Hasura "Enum type fields", issue 11 item 4). A table marked `is_enum` must
 * have a single-column `text` primary key whose values are valid GraphQL enum value names,
 * at most one other column (a text comment) and at least one row; then every column that
 * references its key by a single-column foreign key is typed with the GraphQL enum
 * `<table>_enum` (`<custom_name>_enum`, under the source's naming convention and type
 * prefix/suffix), whose values are the rows (upper-cased by graphql-default; the value
 * reaching SQL stays the row's text), described by the comment column.
 */
import type { TableCatalog } from '../catalog/types.js';
import { MetadataError } from '../errors.js';
import { enumValueCase, tableTypeName } from '../schema/naming.js';
import type { ColumnModel, EnumReference, TableModel } from './model.js';

const TEXT_TYPES = new Set(['text', 'varchar', 'bpchar', 'citext', 'name']);
const ENUM_VALUE_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** Hasura's EnumTableIntegrityError reasons, or the enum's values. */
function checkEnumTable(t: TableCatalog): { problem: string } | { rows: NonNullable<TableCatalog['enumRows']> } {
  const key = t.primaryKey;
  if (key.length === 0) return { problem: 'the table must have a primary key' };
  if (key.length > 1) return { problem: `the table’s primary key must not span multiple columns (${key.join(', ')})` };
  const keyColumn = t.columns.find((c) => c.name === key[0]);
  if (!keyColumn || !TEXT_TYPES.has(keyColumn.type.name)) {
    return { problem: `the table’s primary key column (${key[0] ?? ''}) must have type “text”, not type “${keyColumn?.type.name ?? 'unknown'}”` };
  }
  const others = t.columns.filter((c) => c.name !== keyColumn.name);
  if (others.length > 1) {
    return { problem: `the table must have exactly one primary key and optionally one comment column, not ${t.columns.length} columns (${t.columns.map((c) => c.name).join(', ')})` };
  }
  const comment = others[0];
  if (comment && !TEXT_TYPES.has(comment.type.name)) return { problem: `the table’s comment column (${comment.name}) must have a textual type, not type “${comment.type.name}”` };
  const rows = t.enumRows;
  if (!rows) return { problem: 'its rows could not be read' };
  if (rows.length === 0) return { problem: 'the table must have at least one row' };
  const invalid = rows.filter((r) => !ENUM_VALUE_NAME.test(r.value) || ['true', 'false', 'null'].includes(r.value)).map((r) => `“${r.value}”`);
  if (invalid.length > 0) return { problem: `the following values in the table’s primary key column are not valid GraphQL enum value names: ${invalid.join(', ')}` };
  return { rows };
}

/** `<table>_enum` (`<custom_name>_enum`), under the source's convention and type prefix/suffix. */
export function enumTypeName(table: TableModel): string {
  return table.naming ? tableTypeName(table.naming, 'enum') : `${table.typeName}_enum`;
}

/**
 * Checks every `is_enum` table and types the columns that reference one. Returns the tables
 * with `enumReference` set on those columns; problems go to `errors` (the enum table is then
 * served as an ordinary table and its referencing columns as text).
 */
export function resolveEnums(tables: readonly { table: TableModel; isEnum: boolean }[], errors: MetadataError[]): TableModel[] {
  const enums = new Map<string, EnumReference>();
  for (const { table, isEnum } of tables) {
    if (!isEnum) continue;
    const checked = checkEnumTable(table.catalog);
    if ('problem' in checked) {
      errors.push(new MetadataError(`the table ${table.schema}.${table.name} cannot be used as an enum because ${checked.problem}; fix the table or set is_enum: false`, `${table.path}.is_enum`));
      continue;
    }
    const typeName = enumTypeName(table);
    const customization = table.naming?.customization;
    const values = checked.rows.map((r) => ({
      name: customization ? enumValueCase(customization, r.value) : r.value,
      value: r.value,
      description: r.comment,
    })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    enums.set(`${table.source}.${table.schema}.${table.name}`, { typeName, values, table: { source: table.source, schema: table.schema, name: table.name } });
  }
  if (enums.size === 0) return tables.map((t) => t.table);
  return tables.map(({ table }) => {
    const byColumn = new Map<string, EnumReference>();
    for (const fk of table.catalog.foreignKeys) {
      const ref = enums.get(`${table.source}.${fk.refSchema}.${fk.refTable}`);
      const [column] = fk.columns;
      if (ref && column !== undefined && fk.columns.length === 1) byColumn.set(column, ref);
    }
    if (byColumn.size === 0) return table;
    const columns: ColumnModel[] = table.columns.map((c) => {
      const ref = byColumn.get(c.name);
      return ref ? { ...c, enumReference: ref } : c;
    });
    return { ...table, columns };
  });
}
