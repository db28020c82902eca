/**
 * The parts of Hasura's v3 metadata (`export_metadata`) the console reads, and the
 * catalog answers of `pg_get_source_tables` / `pg_get_table_info`.
 */
import { metadataCall } from './api.js';

export interface QualifiedTable {
  schema: string;
  name: string;
}

export interface ManualConfiguration {
  remote_table: QualifiedTable | string;
  column_mapping: Record<string, string>;
}

export interface LocalRelationship {
  name: string;
  using: { manual_configuration?: ManualConfiguration; foreign_key_constraint_on?: unknown };
}

export interface RemoteRelationship {
  name: string;
  definition: {
    to_source?: { source: string; table: QualifiedTable; relationship_type: 'object' | 'array'; field_mapping: Record<string, string> };
  };
}

export interface SelectPermission {
  role: string;
  permission: { columns: string[] | '*'; filter?: unknown; limit?: number; allow_aggregations?: boolean };
}

export interface TableEntry {
  table: QualifiedTable;
  object_relationships?: LocalRelationship[];
  array_relationships?: LocalRelationship[];
  remote_relationships?: RemoteRelationship[];
  select_permissions?: SelectPermission[];
}

export interface SourceEntry {
  name: string;
  kind?: string;
  tables: TableEntry[];
  configuration?: { connection_info?: { database_url?: string | { from_env: string } } };
}

export interface Metadata {
  version: number;
  sources: SourceEntry[];
}

export interface ColumnInfo {
  name: string;
  type: string;
  nullable?: boolean;
}

export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  primary_key?: string[] | null;
  foreign_keys?: unknown[];
}

/** Where a table is: its database and its qualified name. */
export interface TableRef {
  source: string;
  schema: string;
  name: string;
}

export function tableLabel(t: QualifiedTable): string {
  return `${t.schema}.${t.name}`;
}

export function sameTable(a: QualifiedTable, b: QualifiedTable): boolean {
  return a.schema === b.schema && a.name === b.name;
}

/** Hasura writes a table as `{schema, name}` or, in the public schema, as its name alone. */
export function qualified(t: QualifiedTable | string): QualifiedTable {
  return typeof t === 'string' ? { schema: 'public', name: t } : t;
}

export async function exportMetadata(): Promise<Metadata> {
  const body = await metadataCall<Metadata | { metadata: Metadata }>('export_metadata', {});
  const metadata = 'metadata' in body ? body.metadata : body;
  return { ...metadata, sources: (metadata.sources ?? []).map((s) => ({ ...s, tables: s.tables ?? [] })) };
}

export function findTable(metadata: Metadata, ref: TableRef): TableEntry | undefined {
  return metadata.sources.find((s) => s.name === ref.source)?.tables.find((t) => sameTable(t.table, ref));
}

/** Every tracked table of every database, in metadata order. */
export function trackedTables(metadata: Metadata): TableRef[] {
  return metadata.sources.flatMap((s) => s.tables.map((t) => ({ source: s.name, ...t.table })));
}

/** `pg_get_source_tables`: the tables and views a database has, tracked or not. */
export async function sourceTables(source: string): Promise<QualifiedTable[]> {
  return metadataCall<QualifiedTable[]>('pg_get_source_tables', { source });
}

/** `pg_get_table_info`: a table's columns (with types) and keys. */
export async function tableInfo(ref: TableRef): Promise<TableInfo> {
  return metadataCall<TableInfo>('pg_get_table_info', { source: ref.source, table: { schema: ref.schema, name: ref.name } });
}
