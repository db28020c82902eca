/**
 * The resolved model: metadata checked against the catalogs. Everything downstream
 * (schema, lowering, planning) reads this, never raw metadata.
 */
import type { ColumnCatalog, FdwLink, PgType, TableCatalog } from '../catalog/types.js';
import type { SourceCustomization, TableNaming } from '../schema/naming.js';
import type { DeletePermissionMetadata, InsertPermissionMetadata, SelectPermissionMetadata, UpdatePermissionMetadata } from './types.js';


export interface Model {
  readonly sources: readonly SourceModel[];
  readonly tables: readonly TableModel[];
  /** Tracked SQL functions (compiler/metadata/functions.ts); absent: none. */
  readonly functions?: readonly FunctionModel[];
}

/**
 * One input argument of a SQL function, in declaration order: a value from the GraphQL
 * `args` object, the session variables as json, or (computed fields) the table row.
 */
export type FunctionParam =
  | { readonly kind: 'input'; readonly sqlName: string | undefined; readonly fieldName: string; readonly type: PgType; readonly hasDefault: boolean }
  | { readonly kind: 'session'; readonly sqlName: string }
  | { readonly kind: 'row'; readonly sqlName: string | undefined };

/** A SQL function as a tracked function or a computed field calls it. */
export interface FunctionRef {
  readonly schema: string;
  readonly name: string;
  readonly params: readonly FunctionParam[];
  /** `<name>_args`: the input object of the `args` argument (when some param is an input). */
  readonly argsTypeName: string;
}

/** A tracked function (Hasura `functions`): root fields over the rows of a tracked table. */
export interface FunctionModel extends FunctionRef {
  readonly source: string;
  readonly rootFields: { readonly select: string; readonly selectAggregate: string };
  readonly returns: TableRef;
  /** `SETOF` the table (a list) or one row of it (an object). */
  readonly returnsSet: boolean;
  readonly exposedAs: 'query' | 'mutation';
  /** Roles with a function permission. */
  readonly roles: readonly string[];
  readonly description: string;
  readonly path: string;
}

/** A computed field (Hasura `computed_fields`): a function of the row. */
export interface ComputedFieldModel {
  readonly name: string;
  readonly function: FunctionRef;
  /** A scalar of the function's return type, or `SETOF` a tracked table. */
  readonly returns: { readonly kind: 'scalar'; readonly type: PgType } | { readonly kind: 'table'; readonly table: TableRef };
  readonly description: string | undefined;
  readonly path: string;
}

export interface SourceModel {
  readonly name: string;
  readonly serverVersion: number;
  /** postgres_fdw paths from this source to others (from the catalog). */
  readonly fdwLinks: readonly FdwLink[];
  /** Naming convention, root field and type name customization (absent: hasura-default, none). */
  readonly customization?: SourceCustomization;
}

export interface ColumnModel {
  /** Database column name. */
  readonly name: string;
  /** GraphQL field name (column_config custom_name, or the column name). */
  readonly fieldName: string;
  readonly catalog: ColumnCatalog;
  /** Set when the column references an enum table (metadata/enums.ts): typed with its GraphQL enum. */
  readonly enumReference?: EnumReference;
}

/** The GraphQL enum of an enum table, as the columns referencing it are typed. */
export interface EnumReference {
  /** `<table>_enum`, customized. */
  readonly typeName: string;
  /** GraphQL name (upper-cased by graphql-default), the row's value, its comment; in name order. */
  readonly values: readonly { readonly name: string; readonly value: string; readonly description: string | null }[];
  readonly table: TableRef;
}

export interface TableModel {
  readonly source: string;
  readonly schema: string;
  readonly name: string;
  /** GraphQL type / root field base name: `orders`, `other_schema_orders`, or custom_name. */
  readonly typeName: string;
  /** Root field names (custom_root_fields, or `T`, `T_by_pk`, `T_aggregate`). */
  readonly rootFields: {
    readonly select: string; readonly selectByPk: string; readonly selectAggregate: string;
    /** `T_stream` (custom_root_fields.select_stream); absent in models built by hand. */
    readonly selectStream?: string;
  };
  /** Mutation root field names (custom_root_fields, or Hasura's `insert_T`, `update_T_by_pk` …). */
  readonly mutationRootFields?: MutationRootNames;
  readonly catalog: TableCatalog;
  readonly columns: readonly ColumnModel[];
  readonly relationships: readonly RelationshipModel[];
  readonly permissions: readonly SelectPermissionMetadata[];
  /** Computed fields (compiler/metadata/functions.ts); absent: none. */
  readonly computedFields?: readonly ComputedFieldModel[];
  /** Insert, update and delete permissions as written in metadata (permissions/mutation-access.ts). */
  readonly mutationPermissions?: MutationPermissions;
  /** A role's insert / update / delete access (permissions/mutation-access.ts); absent for admin. */
  readonly mutationAccess?: MutationAccess;
  /** Set in a role's view of the model (permissions/access.ts); absent for admin. */
  readonly access?: TableAccess;
  /** Metadata path of this table entry, for error messages. */
  readonly path: string;
  /** What its generated GraphQL names are built from (schema/naming.ts); absent: hasura-default from typeName. */
  readonly naming?: TableNaming;
}

export interface MutationRootNames {
  readonly insert: string;
  readonly insertOne: string;
  readonly update: string;
  readonly updateByPk: string;
  readonly updateMany: string;
  readonly delete: string;
  readonly deleteByPk: string;
}

export interface MutationPermissions {
  readonly insert: readonly InsertPermissionMetadata[];
  readonly update: readonly UpdatePermissionMetadata[];
  readonly delete: readonly DeletePermissionMetadata[];
}

/** A role's write access to a table; a missing kind means the role may not do it. */
export interface MutationAccess {
  readonly insert?: WriteAccess;
  readonly update?: WriteAccess;
  readonly delete?: WriteAccess;
}

/** One insert, update or delete permission of a role, resolved against the table. */
export interface WriteAccess {
  /** Columns the role may give values for (insert, update), from the full table; empty for delete. */
  readonly columns: readonly ColumnModel[];
  /** Row filter (update, delete) as written in metadata. */
  readonly filter: unknown;
  /** Check on the rows written (insert, update) as written in metadata; undefined: none. */
  readonly check: unknown;
  /** Column presets: column → value or `X-Hasura-*` session variable name. */
  readonly set: Readonly<Record<string, unknown>>;
  /** Every column of the table (presets may name columns the role cannot select or give). */
  readonly tableColumns: readonly ColumnModel[];
  readonly backendOnly: boolean;
  /** Metadata path of the permission. */
  readonly path: string;
}

/** What a non-admin role may do with a table (Hasura select permission). */
export interface TableAccess {
  readonly role: string;
  /** The permission's row filter, as written in metadata (lowered per request with the session). */
  readonly filter: unknown;
  readonly limit: number | undefined;
  readonly allowAggregations: boolean;
  readonly rootFields: ReadonlySet<'select' | 'select_by_pk' | 'select_aggregate'>;
  /** Metadata path of the permission, for errors. */
  readonly path: string;
}

export interface ColumnPair {
  /** Column of the table that owns the relationship. */
  readonly from: string;
  /** Column of the target table. */
  readonly to: string;
}

export interface RelationshipModel {
  readonly name: string;
  readonly type: 'object' | 'array';
  /** true when the target lives in another source (a remote database relationship). */
  readonly remote: boolean;
  readonly target: TableRef;
  readonly mapping: readonly ColumnPair[];
  readonly path: string;
  /**
   * An object relationship along a foreign key on this table's own columns, all NOT NULL:
   * the related row always exists, and Hasura types the field non-null (`T!`).
   */
  readonly nonNullable?: true;
}

export interface TableRef {
  readonly source: string;
  readonly schema: string;
  readonly name: string;
}

export function tableKey(t: TableRef): string {
  return JSON.stringify([t.source, t.schema, t.name]);
}

/**
 * A column by database name, whether or not the role may select it. Join keys are read by
 * the engine to attach rows, never shown: Hasura returns the joined row even when the
 * role's column permission leaves the target's join column out.
 */
export function keyColumn(table: TableModel, name: string): ColumnModel | undefined {
  const visible = table.columns.find((c) => c.name === name);
  if (visible) return visible;
  const catalog = table.catalog.columns.find((c) => c.name === name);
  return catalog && { name, fieldName: name, catalog };
}

/** Index for lookups by (source, schema, name). */
export class ModelIndex {
  private readonly byKey = new Map<string, TableModel>();
  constructor(readonly model: Model) {
    for (const t of model.tables) this.byKey.set(tableKey(t), t);
  }
  table(ref: TableRef): TableModel | undefined {
    return this.byKey.get(tableKey(ref));
  }
}
