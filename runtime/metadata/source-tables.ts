/**
 * pg_get_source_tables and pg_get_table_info: what a source's database holds, tracked or
 * not, from its last introspection (the console lists untracked tables and the columns a
 * relationship can map). Hasura answers these for data connectors; farjoin for Postgres.
 */
import type { SourceCatalog, TableCatalog } from '../../compiler/catalog/types.js';
import { apiError } from './errors.js';
import { findSource, qualifiedName, requireString, sameName, showName, type JsonObject, type RawMetadata } from './doc.js';
import { read, type OpContext, type Operation } from './operation.js';

function catalogOf(md: RawMetadata, a: JsonObject, ctx: OpContext): SourceCatalog {
  const name = requireString(a, 'source');
  findSource(md, name);
  const catalog = ctx.catalog(name);
  if (!catalog) throw apiError('unexpected', `source with name "${name}" is inconsistent`);
  return catalog;
}

function typeName(t: TableCatalog['columns'][number]['type']): string {
  return t.schema === 'pg_catalog' ? t.name : `${t.schema}.${t.name}`;
}

const sourceTables = read((md, a, ctx) =>
  catalogOf(md, a, ctx).tables
    .map((t) => ({ schema: t.schema, name: t.name }))
    .sort((x, y) => x.schema.localeCompare(y.schema) || x.name.localeCompare(y.name)));

const tableInfo = read((md, a, ctx) => {
  const name = qualifiedName(a.table, '$.args.table');
  const table = catalogOf(md, a, ctx).tables.find((t) => sameName(t, name));
  if (!table) throw apiError('not-exists', `no such table/view exists in source: "${showName(name)}"`, '$.args.table');
  return {
    name: { schema: table.schema, name: table.name },
    type: table.kind,
    columns: [...table.columns].sort((x, y) => x.position - y.position).map((c) => ({
      name: c.name, type: typeName(c.type), nullable: c.nullable, ...(c.type.category === 'A' ? { is_array: true } : {}),
    })),
    primary_key: [...table.primaryKey],
    unique_keys: table.uniqueKeys.map((k) => [...k]),
    foreign_keys: Object.fromEntries(table.foreignKeys.map((k) => [k.name, {
      foreign_table: { schema: k.refSchema, name: k.refTable },
      column_mapping: Object.fromEntries(k.columns.map((c, i) => [c, k.refColumns[i] ?? ''])),
    }])),
  };
});

export const sourceTableOperations: Record<string, Operation> = {
  pg_get_source_tables: sourceTables,
  pg_get_table_info: tableInfo,
};
