/**
 * The keys Hasura v2 metadata (export_metadata, version 3) allows at each level, so that a
 * misspelt key (`select_permission:`, `fliter:`) is reported at start-up with a "did you
 * mean" instead of being ignored (issue 16). Values the engine reads further (filters,
 * presets) are `any` here: their contents are checked against the catalogs later.
 */

export type Shape =
  | { readonly kind: 'object'; readonly keys: Readonly<Record<string, Shape>>; readonly orString?: boolean }
  | { readonly kind: 'list'; readonly of: Shape }
  /** A record of user-chosen names (column names, argument names) to values of one shape. */
  | { readonly kind: 'map'; readonly of: Shape }
  | { readonly kind: 'string' | 'number' | 'boolean' | 'any' }
  /** A list of strings, or `"*"` (permission `columns`). */
  | { readonly kind: 'columns' };

const obj = (keys: Record<string, Shape>, orString = false): Shape => ({ kind: 'object', keys, orString });
const list = (of: Shape): Shape => ({ kind: 'list', of });
const map = (of: Shape): Shape => ({ kind: 'map', of });
const STRING: Shape = { kind: 'string' };
const NUMBER: Shape = { kind: 'number' };
const BOOLEAN: Shape = { kind: 'boolean' };
const ANY: Shape = { kind: 'any' };
const COLUMNS: Shape = { kind: 'columns' };

const QUALIFIED_TABLE = obj({ schema: STRING, name: STRING }, true);
const COMMENT = ANY; // a string or null

export const ROOT_KEYS = [
  'version', 'sources', 'remote_schemas', 'actions', 'custom_types', 'query_collections', 'allowlist',
  'cron_triggers', 'network', 'backend_configs', 'inherited_roles', 'rest_endpoints', 'api_limits',
  'metrics_config', 'opentelemetry', 'graphql_schema_introspection',
] as const;

const POOL_SETTINGS = obj({
  max_connections: NUMBER, total_max_connections: NUMBER, idle_timeout: NUMBER, retries: NUMBER,
  pool_timeout: NUMBER, connection_lifetime: NUMBER,
});

const CONNECTION_INFO = obj({
  database_url: ANY, pool_settings: POOL_SETTINGS, use_prepared_statements: BOOLEAN, isolation_level: STRING,
  ssl_configuration: ANY,
});

/** A source entry, without `tables` and `functions` (objects of their own). */
export const SOURCE_SHAPE = obj({
  name: STRING, kind: STRING, tables: ANY, functions: ANY, logical_models: ANY, native_queries: ANY, stored_procedures: ANY,
  query_tags: ANY, health_check: ANY,
  configuration: obj({ connection_info: CONNECTION_INFO, read_replicas: ANY, extensions_schema: STRING, connection_template: ANY, connection_set: ANY }),
  customization: obj({
    root_fields: obj({ namespace: STRING, prefix: STRING, suffix: STRING }),
    type_names: obj({ prefix: STRING, suffix: STRING }),
    naming_convention: STRING,
  }),
});

const ROOT_FIELD_NAME = obj({ name: ANY, comment: COMMENT }, true);

/** A table entry, without its relationships, permissions, computed fields and event triggers. */
export const TABLE_SHAPE = obj({
  table: QUALIFIED_TABLE, is_enum: BOOLEAN, apollo_federation_config: ANY, logical_model: ANY,
  object_relationships: ANY, array_relationships: ANY, remote_relationships: ANY, computed_fields: ANY,
  select_permissions: ANY, insert_permissions: ANY, update_permissions: ANY, delete_permissions: ANY, event_triggers: ANY,
  configuration: obj({
    custom_name: STRING,
    comment: COMMENT,
    custom_column_names: map(STRING),
    column_config: map(obj({ custom_name: STRING, comment: COMMENT })),
    custom_root_fields: obj(Object.fromEntries([
      'select', 'select_by_pk', 'select_aggregate', 'select_stream', 'insert', 'insert_one',
      'update', 'update_by_pk', 'update_many', 'delete', 'delete_by_pk',
    ].map((k) => [k, ROOT_FIELD_NAME]))),
  }),
});

export const LOCAL_RELATIONSHIP_SHAPE = obj({
  name: STRING, comment: COMMENT,
  using: obj({
    foreign_key_constraint_on: ANY,
    manual_configuration: obj({ remote_table: QUALIFIED_TABLE, column_mapping: map(STRING), insertion_order: ANY }),
  }),
});

export const REMOTE_RELATIONSHIP_SHAPE = obj({
  name: STRING, comment: COMMENT,
  definition: obj({
    to_source: obj({ relationship_type: STRING, source: STRING, table: QUALIFIED_TABLE, field_mapping: map(STRING) }),
    to_remote_schema: ANY,
    // Hasura's older remote-schema relationship format.
    remote_schema: ANY, hasura_fields: ANY, remote_field: ANY,
  }),
});

const PERMISSION_ENTRY = (permission: Record<string, Shape>): Shape => obj({ role: STRING, comment: COMMENT, permission: obj(permission) });

export const PERMISSION_SHAPES = {
  select_permissions: PERMISSION_ENTRY({
    columns: COLUMNS, filter: ANY, limit: NUMBER, allow_aggregations: BOOLEAN, computed_fields: list(STRING),
    query_root_fields: list(STRING), subscription_root_fields: list(STRING),
  }),
  insert_permissions: PERMISSION_ENTRY({ check: ANY, set: map(ANY), columns: COLUMNS, backend_only: BOOLEAN, validate_input: ANY }),
  update_permissions: PERMISSION_ENTRY({ columns: COLUMNS, filter: ANY, check: ANY, set: map(ANY), backend_only: BOOLEAN, validate_input: ANY }),
  delete_permissions: PERMISSION_ENTRY({ filter: ANY, backend_only: BOOLEAN, validate_input: ANY }),
} as const;

export const COMPUTED_FIELD_SHAPE = obj({
  name: STRING, comment: COMMENT,
  definition: obj({ function: QUALIFIED_TABLE, table_argument: STRING, session_argument: STRING }),
});

export const FUNCTION_SHAPE = obj({
  function: QUALIFIED_TABLE, comment: COMMENT, permissions: list(obj({ role: STRING })),
  configuration: obj({
    custom_name: STRING, session_argument: STRING, exposed_as: STRING,
    custom_root_fields: obj({ function: STRING, function_aggregate: STRING }),
  }),
});

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest of `candidates` to `name`, when it is close enough to be a typo. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}
