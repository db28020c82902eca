/**
 * Reads the rows of enum tables (Hasura "Enum type fields", issue 11 item 4): for each table
 * the metadata marks `is_enum`, its single primary-key column's values and, when the table
 * has exactly one other column of a text type, that column as the comment. Whether the
 * table is a valid enum table is the compiler's to say (compiler/metadata/enums.ts); a
 * table that does not look like one, or cannot be read, is left without rows here.
 */
import type pg from 'pg';
import type { EnumRowCatalog, SourceCatalog, TableCatalog } from '../../compiler/catalog/types.js';
import type { QualifiedTable } from '../../compiler/metadata/types.js';
import { ident, print, sql } from '../../compiler/sql/builder.js';

const TEXT_TYPES = new Set(['text', 'varchar', 'bpchar', 'citext', 'name']);

export async function withEnumRows(client: pg.ClientBase, catalog: SourceCatalog, enumTables: readonly QualifiedTable[]): Promise<SourceCatalog> {
  if (enumTables.length === 0) return catalog;
  const wanted = new Set(enumTables.map((t) => `${t.schema}.${t.name}`));
  const tables = await Promise.all(catalog.tables.map(async (t): Promise<TableCatalog> => {
    if (!wanted.has(`${t.schema}.${t.name}`)) return t;
    const rows = await readRows(client, t);
    return rows ? { ...t, enumRows: rows } : t;
  }));
  return { ...catalog, tables };
}

async function readRows(client: pg.ClientBase, t: TableCatalog): Promise<EnumRowCatalog[] | undefined> {
  const [key] = t.primaryKey;
  if (key === undefined || t.primaryKey.length !== 1) return undefined;
  const others = t.columns.filter((c) => c.name !== key);
  const comment = others.length === 1 && others[0] && TEXT_TYPES.has(others[0].type.name) ? others[0].name : undefined;
  const query = comment === undefined
    ? sql`SELECT ${ident(key)}::text AS value, NULL::text AS comment FROM ${ident(t.schema, t.name)} ORDER BY 1`
    : sql`SELECT ${ident(key)}::text AS value, ${ident(comment)}::text AS comment FROM ${ident(t.schema, t.name)} ORDER BY 1`;
  const printed = print(query);
  try {
    const r = await client.query<{ value: string; comment: string | null }>(printed.text, printed.values as unknown[]);
    return r.rows.map((row) => ({ value: row.value, comment: row.comment }));
  } catch {
    return undefined;
  }
}
