/**
 * Catalog introspection: reads pg_catalog into the plain `SourceCatalog` the compiler
 * uses. One round trip per query kind; system schemas are skipped.
 */
import type { ClientBase } from 'pg';
import { introspectFunctions } from './introspect-functions.js';
import type { ColumnCatalog, ColumnStats, ForeignKeyCatalog, PgType, RelationKind, SourceCatalog, TableCatalog } from '../../compiler/catalog/types.js';

const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;

const RELATIONS_SQL = `
SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind, c.reltuples::float8 AS reltuples,
       (pg_relation_is_updatable(c.oid, false) & 28) = 28 AS insertable, obj_description(c.oid, 'pg_class') AS comment
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') AND ${USER_SCHEMAS}`;

const COLUMNS_SQL = `
SELECT a.attrelid::int AS relid, a.attname AS name, a.attnum AS position, NOT a.attnotnull AS nullable, col_description(a.attrelid, a.attnum) AS comment,
       (a.atthasdef OR a.attidentity <> '') AS has_default, (a.attidentity = 'a' OR a.attgenerated <> '') AS generated,
       tn.nspname AS type_schema, t.typname AS type_name, t.typcategory AS category,
       en.nspname AS elem_schema, e.typname AS elem_name, e.typcategory AS elem_category,
       CASE WHEN t.typtype = 'e' THEN (SELECT array_agg(enumlabel ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid) END AS enum_values
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
LEFT JOIN pg_namespace en ON en.oid = e.typnamespace
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'm', 'f', 'p') AND ${USER_SCHEMAS}
ORDER BY a.attrelid, a.attnum`;

const CONSTRAINTS_SQL = `
SELECT con.conrelid::int AS relid, con.conname AS name, con.contype AS type,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, ord) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord)::text[] AS columns,
       rn.nspname AS ref_schema, rc.relname AS ref_table,
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, ord) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord)::text[] AS ref_columns
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE con.contype IN ('p', 'u', 'f') AND ${USER_SCHEMAS}`;

const INDEXES_SQL = `
SELECT i.indrelid::int AS relid,
       ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(num, ord) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num ORDER BY k.ord)::text[] AS columns
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${USER_SCHEMAS}`;

/**
 * Planner statistics for the cost model (compiler/plan/estimate.ts), for the scalar types
 * it compares (numbers, text, dates and times, booleans, enums, uuid); values travel as
 * text. Other types (arrays, geometry, json) keep Postgres's defaults.
 */
const STATS_SQL = `
SELECT c.oid::int AS relid, s.attname AS name, s.null_frac::float8 AS null_frac, s.n_distinct::float8 AS n_distinct,
       s.most_common_vals::text::text[] AS mcv, s.most_common_freqs::float8[] AS mcf, s.histogram_bounds::text::text[] AS hist
FROM pg_stats s
JOIN pg_namespace n ON n.nspname = s.schemaname
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = s.attname
JOIN pg_type t ON t.oid = a.atttypid
WHERE NOT s.inherited AND (t.typcategory IN ('N', 'S', 'D', 'B', 'E') OR t.typname = 'uuid') AND ${USER_SCHEMAS}`;

interface StatsRow {
  relid: number; name: string; null_frac: number; n_distinct: number;
  mcv: string[] | null; mcf: number[] | null; hist: string[] | null;
}

const SERVERS_SQL = `
SELECT s.srvname AS name, w.fdwname AS wrapper, coalesce(s.srvoptions, '{}') AS options
FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw`;

/**
 * For fdw link detection (fdw-links.ts): every foreign server with whether the connecting
 * user has a user mapping for it (its own or PUBLIC, the two postgres_fdw looks up), and
 * every foreign table with its server, options and whether this user may read it.
 */
const FDW_SERVERS_SQL = `
SELECT s.srvname AS name, w.fdwname AS wrapper, coalesce(s.srvoptions, '{}') AS options,
       EXISTS (SELECT 1 FROM pg_user_mappings um
               WHERE um.srvid = s.oid AND (um.umuser = 0 OR um.umuser = (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user))) AS user_mapping
FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw`;

const FOREIGN_TABLES_SQL = `
SELECT n.nspname AS schema, c.relname AS name, s.srvname AS server, coalesce(ft.ftoptions, '{}') AS options,
       has_table_privilege(c.oid, 'SELECT') AS readable
FROM pg_foreign_table ft
JOIN pg_class c ON c.oid = ft.ftrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_foreign_server s ON s.oid = ft.ftserver
WHERE ${USER_SCHEMAS}`;

const KINDS: Readonly<Record<string, RelationKind>> = {
  r: 'table', v: 'view', m: 'materialized_view', f: 'foreign_table', p: 'partitioned_table',
};

interface ColumnRow {
  relid: number; name: string; position: number; nullable: boolean; comment: string | null; has_default: boolean; generated: boolean;
  type_schema: string; type_name: string; category: string;
  elem_schema: string | null; elem_name: string | null; elem_category: string | null;
  enum_values: string[] | null;
}

/** `{key=value}` option arrays (srvoptions, ftoptions) as an object. */
export function parseOptions(options: readonly string[]): Record<string, string> {
  return Object.fromEntries(options.map((o) => {
    const i = o.indexOf('=');
    return i < 0 ? [o, ''] : [o.slice(0, i), o.slice(i + 1)];
  }));
}

export interface FdwServerInfo {
  readonly name: string;
  readonly wrapper: string;
  readonly options: Readonly<Record<string, string>>;
  /** The connecting user has a user mapping for the server (its own or PUBLIC). */
  readonly userMapping: boolean;
}

export interface ForeignTableInfo {
  readonly schema: string;
  readonly name: string;
  readonly server: string;
  /** `schema_name`, `table_name`, … as set on the foreign table. */
  readonly options: Readonly<Record<string, string>>;
  /** The connecting user has SELECT on it. */
  readonly readable: boolean;
}

/** What fdw link detection reads beyond the catalog; not part of the compiler's catalog. */
export interface FdwIntrospection {
  readonly servers: readonly FdwServerInfo[];
  readonly foreignTables: readonly ForeignTableInfo[];
}

export async function introspectFdw(client: ClientBase): Promise<FdwIntrospection> {
  const servers = await client.query<{ name: string; wrapper: string; options: string[]; user_mapping: boolean }>(FDW_SERVERS_SQL);
  const tables = await client.query<{ schema: string; name: string; server: string; options: string[]; readable: boolean }>(FOREIGN_TABLES_SQL);
  return {
    servers: servers.rows.map((s) => ({ name: s.name, wrapper: s.wrapper, options: parseOptions(s.options), userMapping: s.user_mapping })),
    foreignTables: tables.rows.map((t) => ({ schema: t.schema, name: t.name, server: t.server, options: parseOptions(t.options), readable: t.readable })),
  };
}

/**
 * Statistics by `relid.column`. They only refine cost estimates: a database that does not
 * let this user read them (or a value that does not parse) leaves the planner on its
 * defaults rather than failing start-up.
 */
async function columnStats(client: ClientBase): Promise<Map<string, ColumnStats>> {
  const byColumn = new Map<string, ColumnStats>();
  let rows: StatsRow[];
  try {
    rows = (await client.query<StatsRow>(STATS_SQL)).rows;
  } catch {
    return byColumn;
  }
  for (const r of rows) {
    byColumn.set(`${r.relid}.${r.name}`, {
      nullFrac: r.null_frac,
      nDistinct: r.n_distinct,
      ...(r.mcv && r.mcf ? { mostCommon: { values: r.mcv, freqs: r.mcf } } : {}),
      ...(r.hist ? { histogram: r.hist } : {}),
    });
  }
  return byColumn;
}

export async function introspect(client: ClientBase): Promise<SourceCatalog> {
  // `SHOW` names its column after the setting; select it under the name read below.
  const version = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
  const relations = await client.query<{ oid: number; schema: string; name: string; kind: string; reltuples: number; insertable: boolean; comment: string | null }>(RELATIONS_SQL);
  const columns = await client.query<ColumnRow>(COLUMNS_SQL);
  const constraints = await client.query<{ relid: number; name: string; type: string; columns: string[]; ref_schema: string | null; ref_table: string | null; ref_columns: string[] }>(CONSTRAINTS_SQL);
  const indexes = await client.query<{ relid: number; columns: string[] }>(INDEXES_SQL);
  const servers = await client.query<{ name: string; wrapper: string; options: string[] }>(SERVERS_SQL);
  const stats = await columnStats(client);
  const functions = await introspectFunctions(client);

  const colsByRel = new Map<number, ColumnCatalog[]>();
  for (const r of columns.rows) {
    const type: PgType = {
      schema: r.type_schema, name: r.type_name, category: r.category,
      ...(r.elem_name && r.elem_schema ? { element: { schema: r.elem_schema, name: r.elem_name, category: r.elem_category ?? 'U' } } : {}),
      ...(r.enum_values ? { enumValues: r.enum_values } : {}),
    };
    const list = colsByRel.get(r.relid) ?? [];
    const columnStats = stats.get(`${r.relid}.${r.name}`);
    list.push({ name: r.name, type, nullable: r.nullable, position: r.position, hasDefault: r.has_default, generated: r.generated, ...(columnStats ? { stats: columnStats } : {}), ...(r.comment ? { comment: r.comment } : {}) });
    colsByRel.set(r.relid, list);
  }
  const tables: TableCatalog[] = relations.rows.map((rel) => {
    const cons = constraints.rows.filter((c) => c.relid === rel.oid);
    const fks: ForeignKeyCatalog[] = cons.filter((c) => c.type === 'f').map((c) => ({
      name: c.name, columns: c.columns, refSchema: c.ref_schema ?? '', refTable: c.ref_table ?? '', refColumns: c.ref_columns,
    }));
    return {
      schema: rel.schema,
      name: rel.name,
      kind: KINDS[rel.kind] ?? 'table',
      columns: colsByRel.get(rel.oid) ?? [],
      primaryKey: cons.find((c) => c.type === 'p')?.columns ?? [],
      uniqueKeys: cons.filter((c) => c.type === 'u').map((c) => c.columns),
      foreignKeys: fks,
      estimatedRows: rel.reltuples,
      indexedColumns: indexes.rows.filter((i) => i.relid === rel.oid).map((i) => i.columns),
      constraints: cons.filter((c) => c.type === 'p' || c.type === 'u').map((c) => ({ name: c.name, kind: c.type === 'p' ? 'primary-key' as const : 'unique' as const, columns: c.columns })),
      insertable: rel.insertable,
      ...(rel.comment ? { comment: rel.comment } : {}),
    };
  });
  return {
    serverVersion: Number(version.rows[0]?.v ?? 0),
    tables,
    foreignServers: servers.rows.map((s) => ({
      name: s.name,
      wrapper: s.wrapper,
      options: parseOptions(s.options),
    })),
    functions,
  };
}
