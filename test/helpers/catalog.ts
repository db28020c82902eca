/** Hand-built catalogs for pure compiler tests (no database needed). */
import type { Catalog, ColumnCatalog, PgType, TableCatalog } from '../../compiler/catalog/types.js';

const CATEGORY: Record<string, string> = { int2: 'N', int4: 'N', int8: 'N', numeric: 'N', float8: 'N', text: 'S', varchar: 'S', bool: 'B', uuid: 'U', timestamptz: 'D', jsonb: 'U' };

export function pgType(name: string): PgType {
  return { schema: 'pg_catalog', name, category: CATEGORY[name] ?? 'U' };
}

export function table(
  schema: string, name: string, columns: readonly (readonly [string, string, boolean?])[],
  extra: Partial<Pick<TableCatalog, 'primaryKey' | 'foreignKeys' | 'estimatedRows'>> = {},
): TableCatalog {
  const cols: ColumnCatalog[] = columns.map(([n, t, nullable], i) => ({ name: n, type: pgType(t), nullable: nullable ?? true, position: i + 1 }));
  return {
    schema, name, kind: 'table', columns: cols, primaryKey: extra.primaryKey ?? [], uniqueKeys: [],
    foreignKeys: extra.foreignKeys ?? [], estimatedRows: extra.estimatedRows ?? 1000, indexedColumns: [],
  };
}

/** The demo databases (DESIGN.md §2) as a catalog. */
export function demoCatalog(): Catalog {
  return {
    sources: {
      source_db: { serverVersion: 170010, foreignServers: [], tables: [table('public', 'orders', [['id', 'int4', false], ['user_id', 'int4']], { primaryKey: ['id'] })] },
      target_db: { serverVersion: 170010, foreignServers: [], tables: [table('public', 'user', [['id', 'int4', false], ['name', 'text', false]], { primaryKey: ['id'] })] },
    },
  };
}
