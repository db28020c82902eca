/**
 * The catalog: a plain, serialisable description of each source database that the
 * runtime produces by introspection (runtime/sources/introspect.ts). The compiler reads
 * nothing else about a database, so `farjoin explain` of a cached catalog needs no I/O.
 */
export interface Catalog {
  readonly sources: Readonly<Record<string, SourceCatalog>>;
}

export interface SourceCatalog {
  /** `server_version_num`, e.g. 170010. */
  readonly serverVersion: number;
  readonly tables: readonly TableCatalog[];
  /** Foreign servers in this database (postgres_fdw), for pushdown plans. */
  readonly foreignServers: readonly ForeignServerCatalog[];
  /**
   * Other sources reachable from this database through postgres_fdw, found by the runtime
   * (runtime/sources/fdw-links.ts) by matching foreign servers to the sources' connection
   * settings. Absent or empty: no pushdown plans from this source.
   */
  readonly fdwLinks?: readonly FdwLink[];
  /** SQL functions of the user schemas (tracked functions, computed fields); absent: none read. */
  readonly functions?: readonly FunctionCatalog[];
}

/** A SQL function (`pg_proc`), as tracked functions and computed fields need it. */
export interface FunctionCatalog {
  readonly schema: string;
  readonly name: string;
  /** `provolatile`. */
  readonly volatility: 'immutable' | 'stable' | 'volatile';
  /** `proretset`: `RETURNS SETOF …`. */
  readonly returnsSet: boolean;
  readonly returnType: PgType;
  /** The relation whose row type the function returns (`typrelid`), if any. */
  readonly returnTable?: { readonly schema: string; readonly name: string };
  /** Input arguments in declaration order (IN / INOUT / VARIADIC). */
  readonly args: readonly FunctionArgCatalog[];
  /** Whether any argument is OUT, INOUT, VARIADIC or TABLE (Hasura tracks IN-only functions). */
  readonly onlyInArgs: boolean;
  /** `pg_description`, when set. */
  readonly comment?: string;
}

export interface FunctionArgCatalog {
  /** Absent for unnamed arguments (Hasura calls them `arg_1`, `arg_2` …). */
  readonly name?: string;
  readonly type: PgType;
  /** The argument has a default (`pronargdefaults` counts from the end). */
  readonly hasDefault: boolean;
}

export function findFunctions(source: SourceCatalog, schema: string, name: string): readonly FunctionCatalog[] {
  return (source.functions ?? []).filter((f) => f.schema === schema && f.name === name);
}

/** A postgres_fdw path from this source to another source (DESIGN.md §5.2). */
export interface FdwLink {
  /** The target source's name in the metadata. */
  readonly target: string;
  /** The foreign server in this database. */
  readonly server: string;
  /** The target's server_version_num (cost constants differ by version). */
  readonly targetServerVersion: number;
  /** `fetch_size` of the server (postgres_fdw default 100). */
  readonly fetchSize: number;
  /** Target tables that have a foreign table here. */
  readonly tables: readonly FdwTable[];
  /**
   * Set when the link failed its check at start-up (the runtime reads one foreign table):
   * why it cannot be used. The planner then falls back and explain says why.
   */
  readonly unusable?: string;
}

export interface FdwTable {
  /** The table in the target database. */
  readonly schema: string;
  readonly name: string;
  /** The foreign table in this database that reads it. */
  readonly localSchema: string;
  readonly localName: string;
}

export type RelationKind = 'table' | 'view' | 'materialized_view' | 'foreign_table' | 'partitioned_table';

export interface TableCatalog {
  readonly schema: string;
  readonly name: string;
  readonly kind: RelationKind;
  /** `COMMENT ON TABLE`, when set: the type's description, as in Hasura. */
  readonly comment?: string;
  readonly columns: readonly ColumnCatalog[];
  readonly primaryKey: readonly string[];
  readonly uniqueKeys: readonly (readonly string[])[];
  readonly foreignKeys: readonly ForeignKeyCatalog[];
  /** `pg_class.reltuples`; -1 when never analysed. */
  readonly estimatedRows: number;
  /** Column sets that lead some index (for the cost model). */
  readonly indexedColumns: readonly (readonly string[])[];
  /**
   * The rows of a table the metadata marks `is_enum` (runtime/sources/enum-values.ts):
   * primary key value and comment, ordered by value. Absent when the table is no enum table
   * or its rows could not be read (resolution then reports it).
   */
  readonly enumRows?: readonly EnumRowCatalog[];
  /** Primary key and unique constraints by name (`T_constraint` of upserts, DESIGN.md §9). */
  readonly constraints?: readonly ConstraintCatalog[];
  /** Whether Postgres accepts INSERT / UPDATE / DELETE on it (tables; views it can update). */
  readonly insertable?: boolean;
}

/** One row of an enum table (Hasura "Enum type fields"). */
export interface EnumRowCatalog {
  readonly value: string;
  readonly comment: string | null;
}

export interface ConstraintCatalog {
  readonly name: string;
  readonly kind: 'primary-key' | 'unique';
  readonly columns: readonly string[];
}

export interface PgType {
  readonly schema: string;
  readonly name: string;
  /** `pg_type.typcategory`: N numeric, S string, B boolean, D date/time, U user, A array, E enum … */
  readonly category: string;
  /** Element type for arrays. */
  readonly element?: PgType;
  readonly enumValues?: readonly string[];
}

export interface ColumnCatalog {
  readonly name: string;
  readonly type: PgType;
  readonly nullable: boolean;
  /** `COMMENT ON COLUMN`, when set: the field's description, as in Hasura. */
  readonly comment?: string;
  readonly position: number;
  /** The column has a default (or is an identity / serial column). */
  readonly hasDefault?: boolean;
  /** `GENERATED ALWAYS` (identity or stored expression): no value may be given on insert. */
  readonly generated?: boolean;
  /** `pg_stats` of the column, when the table has been analysed (for the cost model). */
  readonly stats?: ColumnStats;
}

/** A column's planner statistics (`pg_stats`), values in their text form. */
export interface ColumnStats {
  readonly nullFrac: number;
  /** `n_distinct`: a count when positive, minus a fraction of the rows when negative. */
  readonly nDistinct: number;
  readonly mostCommon?: { readonly values: readonly string[]; readonly freqs: readonly number[] };
  /** Bounds of equal-population buckets, excluding the most common values. */
  readonly histogram?: readonly string[];
}

export interface ForeignKeyCatalog {
  readonly name: string;
  readonly columns: readonly string[];
  readonly refSchema: string;
  readonly refTable: string;
  readonly refColumns: readonly string[];
}

export interface ForeignServerCatalog {
  readonly name: string;
  readonly wrapper: string;
  readonly options: Readonly<Record<string, string>>;
}

export function findTable(source: SourceCatalog, schema: string, name: string): TableCatalog | undefined {
  return source.tables.find((t) => t.schema === schema && t.name === name);
}

/** Whether some index of `table` starts with `column` (Postgres can then probe or scan in its order). */
export function leadsIndex(table: TableCatalog, column: string): boolean {
  return table.indexedColumns.some((cols) => cols[0] === column);
}

/** Whether `columns` include all of the primary key or of a unique key: then they match at most one row. */
export function coversUniqueKey(table: TableCatalog, columns: readonly string[]): boolean {
  const covered = (key: readonly string[]): boolean => key.length > 0 && key.every((c) => columns.includes(c));
  return covered(table.primaryKey) || table.uniqueKeys.some(covered);
}
