/**
 * Hasura v2 metadata (export_metadata, version 3) as farjoin reads it (DESIGN.md §3).
 * These are the *raw* shapes after structural validation; `resolve.ts` checks them
 * against the live catalogs and produces the resolved model.
 */
export interface QualifiedTable {
  readonly schema: string;
  readonly name: string;
}

export type DatabaseUrl = string | { readonly from_env: string };

export interface SourceMetadata {
  readonly name: string;
  readonly kind: 'postgres';
  readonly configuration: {
    readonly connection_info: {
      readonly database_url: DatabaseUrl;
      readonly pool_settings?: {
        readonly max_connections?: number;
        readonly idle_timeout?: number;
        readonly connection_lifetime?: number;
      };
    };
  };
  readonly tables: readonly TableMetadata[];
  /** Tracked SQL functions (root fields `fn`, `fn_aggregate`). */
  readonly functions?: readonly FunctionMetadata[];
  /** Hasura source customization: `{root_fields, type_names, naming_convention}` (compiler/schema/naming.ts). */
  readonly customization?: unknown;
}

/** Hasura's `functions` entry of a source. */
export interface FunctionMetadata {
  readonly function: QualifiedTable | string;
  readonly configuration?: {
    readonly custom_name?: string;
    readonly custom_root_fields?: { readonly function?: string; readonly function_aggregate?: string };
    readonly session_argument?: string;
    readonly exposed_as?: 'query' | 'mutation';
  };
  readonly permissions?: readonly { readonly role: string }[];
  readonly comment?: string;
}

/** Hasura's `computed_fields` entry of a table. */
export interface ComputedFieldMetadata {
  readonly name: string;
  readonly definition: {
    readonly function: QualifiedTable | string;
    readonly table_argument?: string | null;
    readonly session_argument?: string | null;
  };
  readonly comment?: string | null;
}

export type ForeignKeyUsing =
  | string
  | readonly string[]
  | { readonly column: string }
  | { readonly columns: readonly string[] }
  | { readonly table: QualifiedTable | string; readonly column?: string; readonly columns?: readonly string[] };

export interface ManualConfiguration {
  readonly remote_table: QualifiedTable;
  readonly column_mapping: Readonly<Record<string, string>>;
}

export interface LocalRelationshipMetadata {
  readonly name: string;
  readonly using: {
    readonly foreign_key_constraint_on?: ForeignKeyUsing;
    readonly manual_configuration?: ManualConfiguration;
  };
}

export interface RemoteRelationshipMetadata {
  readonly name: string;
  readonly definition: {
    readonly to_source?: {
      readonly relationship_type: 'object' | 'array';
      readonly source: string;
      readonly table: QualifiedTable;
      readonly field_mapping: Readonly<Record<string, string>>;
    };
    readonly to_remote_schema?: unknown;
    readonly remote_schema?: unknown;
  };
}

export interface SelectPermissionMetadata {
  readonly role: string;
  readonly permission: {
    readonly columns: readonly string[] | '*';
    readonly filter?: Readonly<Record<string, unknown>>;
    readonly limit?: number;
    readonly allow_aggregations?: boolean;
    /** Scalar computed fields the role may select. */
    readonly computed_fields?: readonly string[];
  };
}

/** Hasura insert permission: `check` on the new rows, `set` presets, insertable `columns`. */
export interface InsertPermissionMetadata {
  readonly role: string;
  readonly permission: {
    readonly check?: Readonly<Record<string, unknown>>;
    readonly set?: Readonly<Record<string, unknown>>;
    readonly columns?: readonly string[] | '*';
    readonly backend_only?: boolean;
  };
}

/** Hasura update permission: `filter` on the rows updated, `check` on them after, `set`, `columns`. */
export interface UpdatePermissionMetadata {
  readonly role: string;
  readonly permission: {
    readonly filter?: Readonly<Record<string, unknown>>;
    readonly check?: Readonly<Record<string, unknown>> | null;
    readonly set?: Readonly<Record<string, unknown>>;
    readonly columns?: readonly string[] | '*';
    readonly backend_only?: boolean;
  };
}

/** Hasura delete permission: `filter` on the rows deleted. */
export interface DeletePermissionMetadata {
  readonly role: string;
  readonly permission: {
    readonly filter?: Readonly<Record<string, unknown>>;
    readonly backend_only?: boolean;
  };
}

export interface TableMetadata {
  readonly table: QualifiedTable;
  /** Hasura enum table: its rows become a GraphQL enum for the columns that reference it. */
  readonly is_enum?: boolean;
  readonly configuration?: {
    readonly custom_name?: string;
    /** Hasura: a name, or `{name, comment}`. */
    readonly custom_root_fields?: Readonly<Record<string, string | { readonly name?: string | null } | null>>;
    readonly column_config?: Readonly<Record<string, { readonly custom_name?: string }>>;
    /** Hasura's older spelling of column_config custom names. */
    readonly custom_column_names?: Readonly<Record<string, string>>;
  };
  readonly object_relationships?: readonly LocalRelationshipMetadata[];
  readonly array_relationships?: readonly LocalRelationshipMetadata[];
  readonly remote_relationships?: readonly RemoteRelationshipMetadata[];
  readonly select_permissions?: readonly SelectPermissionMetadata[];
  readonly computed_fields?: readonly ComputedFieldMetadata[];
  readonly insert_permissions?: readonly InsertPermissionMetadata[];
  readonly update_permissions?: readonly UpdatePermissionMetadata[];
  readonly delete_permissions?: readonly DeletePermissionMetadata[];
}

export interface Metadata {
  readonly version: 3;
  readonly sources: readonly SourceMetadata[];
}
