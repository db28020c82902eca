/**
 * What every system under test serves: the demo schema at scale (fixtures/scale.ts) and
 * the same GraphQL queries. Farjoin gets two metadata documents over the same rows:
 * `remote` (orders on source_db, "user" on target_db, remote relationships both ways) and
 * `local` (both tables in source_db, local relationships with the same field names), so
 * the query text and the response are identical.
 */
import type { Catalog, ColumnCatalog, PgType, TableCatalog } from '../compiler/catalog/types.js';

/** Object join: each order with its user (DESIGN.md §2's first query, with a size). */
export const OBJECT_QUERY = 'query Orders($n: Int!) { orders(order_by: {id: asc}, limit: $n) { id user_id user { id name } } }';

/** Array join: each user with its orders (fan-out ~10). */
export const ARRAY_QUERY = 'query Users($n: Int!) { user(order_by: {id: asc}, limit: $n) { id name orders(order_by: {id: asc}) { id user_id } } }';

/** Rows of the scale fixture as the baselines read them. */
export interface OrderRow {
  id: number;
  user_id: number | null;
}

export interface UserRow {
  id: number;
  name: string;
}

/**
 * Every engine the bench starts: its 1e5–1e6-row cases are far past the default row and
 * response-size limits of a served engine (docs/operating-limits.md), so none here.
 */
export const BENCH_LIMITS = { maxRows: 0, maxResponseBytes: 0 } as const;

export interface BenchUrls {
  readonly source: string;
  readonly target: string;
}

const orders = { schema: 'public', name: 'orders' } as const;
const user = { schema: 'public', name: 'user' } as const;

function source(name: string, url: string, tables: readonly unknown[]): unknown {
  return { name, kind: 'postgres', configuration: { connection_info: { database_url: url, pool_settings: { max_connections: 20 } } }, tables };
}

/** orders (source_db) → user (target_db), and back: remote database relationships. */
export function remoteMetadata(urls: BenchUrls): unknown {
  return {
    version: 3,
    sources: [
      source('source_db', urls.source, [{
        table: orders,
        remote_relationships: [{ name: 'user', definition: { to_source: { relationship_type: 'object', source: 'target_db', table: user, field_mapping: { user_id: 'id' } } } }],
      }]),
      source('target_db', urls.target, [{
        table: user,
        remote_relationships: [{ name: 'orders', definition: { to_source: { relationship_type: 'array', source: 'source_db', table: orders, field_mapping: { id: 'user_id' } } } }],
      }]),
    ],
  };
}

/** Both tables in source_db, joined by local relationships with the same field names. */
export function localMetadata(urls: BenchUrls): unknown {
  return {
    version: 3,
    sources: [
      source('source_db', urls.source, [
        { table: orders, object_relationships: [{ name: 'user', using: { manual_configuration: { remote_table: user, column_mapping: { user_id: 'id' } } } }] },
        { table: user, array_relationships: [{ name: 'orders', using: { manual_configuration: { remote_table: orders, column_mapping: { id: 'user_id' } } } }] },
      ]),
    ],
  };
}

function int4(): PgType {
  return { schema: 'pg_catalog', name: 'int4', category: 'N' };
}

function table(name: string, columns: readonly [string, PgType, boolean][], rows: number): TableCatalog {
  const cols: ColumnCatalog[] = columns.map(([n, type, nullable], i) => ({ name: n, type, nullable, position: i + 1 }));
  return { schema: 'public', name, kind: 'table', columns: cols, primaryKey: ['id'], uniqueKeys: [], foreignKeys: [], estimatedRows: rows, indexedColumns: [['id']] };
}

/** The catalog introspection would produce for the remote layout (for database-free benchmarks). */
export function remoteCatalog(ordersRows = 1e6, userRows = 1e5): Catalog {
  const text: PgType = { schema: 'pg_catalog', name: 'text', category: 'S' };
  return {
    sources: {
      source_db: { serverVersion: 170000, foreignServers: [], tables: [table('orders', [['id', int4(), false], ['user_id', int4(), true]], ordersRows)] },
      target_db: { serverVersion: 170000, foreignServers: [], tables: [table('user', [['id', int4(), false], ['name', text, false]], userRows)] },
    },
  };
}
