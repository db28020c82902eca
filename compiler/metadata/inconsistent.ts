/**
 * Inconsistent metadata objects, as Hasura v2 treats them (DESIGN.md §3): an object that
 * cannot be served — a relationship whose join keys cannot be compared, a remote-schema
 * relationship, an unknown column, a name collision, a source that does not answer — is
 * reported and left out of the schema, and everything else is served.
 *
 * The shape is Hasura's `get_inconsistent_metadata` entry (`type`, `name`, `reason`,
 * `definition`, named as Hasura's `moiName`/`moiTypeName` name them) plus farjoin's `path`
 * (where in the metadata file) and `fix` (what to change).
 */

export type InconsistentObjectType =
  | 'source'
  | 'table'
  | 'object_relation'
  | 'array_relation'
  | 'remote_relationship'
  | 'select_permission'
  | 'insert_permission'
  | 'update_permission'
  | 'delete_permission'
  | 'computed_field'
  | 'function'
  | 'event_trigger'
  | 'remote_schema'
  | 'action'
  | 'cron_trigger'
  | 'rest_endpoint'
  | 'inherited_role'
  /** A mistake outside any served object (e.g. an unknown top-level key): reported, nothing left out. */
  | 'metadata';

export interface InconsistentObject {
  readonly type: InconsistentObjectType;
  /** Hasura's object name, e.g. `remote_relationship user in table public.orders in source source_db`. */
  readonly name: string;
  /** Hasura's wording: `Inconsistent object: in table "public.orders": in remote relationship "user": …`. */
  readonly reason: string;
  /** The object as written in the metadata, with `source` and `table` for table objects (as Hasura shows it). */
  readonly definition: unknown;
  /** farjoin: the metadata path of the mistake, e.g. `$.sources[0].tables[1].remote_relationships[0].definition`. */
  readonly path: string;
  /** farjoin: what to change. */
  readonly fix: string;
}

/** One metadata object that can be inconsistent: what Hasura calls a `MetadataObject`. */
export interface MetadataObjectRef {
  readonly type: InconsistentObjectType;
  readonly name: string;
  readonly definition: unknown;
  /** Prefix of `reason` (`in table "public.orders": in relationship "user": `). */
  readonly context: string;
  /** The raw metadata object, so later stages can leave it out. */
  readonly raw: object | undefined;
}

type Json = Record<string, unknown>;

/** Hasura's `qualifiedObjectToText`: the schema is left out when it is `public`. */
export function qualified(table: { schema: string; name: string }): string {
  return table.schema === 'public' ? table.name : `${table.schema}.${table.name}`;
}

export function sourceObject(raw: object, name: string): MetadataObjectRef {
  return { type: 'source', name: `source ${name}`, definition: name, context: '', raw };
}

export function tableObject(raw: object, source: string, table: { schema: string; name: string }): MetadataObjectRef {
  return { type: 'table', name: `table ${qualified(table)} in source ${source}`, definition: { schema: table.schema, name: table.name }, context: '', raw };
}

const TABLE_OBJECT_WORDS: Partial<Record<InconsistentObjectType, string>> = {
  object_relation: 'relationship',
  array_relation: 'relationship',
  remote_relationship: 'remote relationship',
  computed_field: 'computed field',
  event_trigger: 'event trigger',
};

/**
 * An object inside a table entry (relationship, permission, computed field, event trigger),
 * named as Hasura names it: `<type> <name> in table <schema>.<table> in source <source>`.
 */
export function tableChildObject(
  type: InconsistentObjectType, raw: object, source: string, table: { schema: string; name: string }, name: string,
): MetadataObjectRef {
  const permission = type.endsWith('_permission');
  const context = permission
    ? `in table "${qualified(table)}": in permission for role "${name}": `
    : `in table "${qualified(table)}": in ${TABLE_OBJECT_WORDS[type] ?? type} "${name}": `;
  return {
    type,
    name: `${type} ${name} in table ${qualified(table)} in source ${source}`,
    definition: { ...(raw as Json), source, table: { schema: table.schema, name: table.name } },
    context,
    raw,
  };
}

/** A top-level object farjoin does not serve (remote schema, action, cron trigger, REST endpoint). */
export function topLevelObject(type: InconsistentObjectType, raw: object, name: string): MetadataObjectRef {
  return { type, name: `${type} ${name}`, definition: raw, context: '', raw };
}

export const METADATA_OBJECT: MetadataObjectRef = { type: 'metadata', name: 'metadata', definition: null, context: '', raw: undefined };

/**
 * Collects inconsistencies while metadata is checked, stage by stage (shape → catalogs →
 * permissions). A later stage asks `has(raw)` to leave an object out.
 */
export class Inconsistencies {
  private readonly found: InconsistentObject[] = [];
  private readonly flagged = new WeakSet<object>();

  report(object: MetadataObjectRef, reason: string, fix: string, path: string): void {
    if (object.raw) this.flagged.add(object.raw);
    this.found.push({ type: object.type, name: object.name, reason: `Inconsistent object: ${object.context}${reason}`, definition: object.definition, path, fix });
  }

  /** Whether this raw metadata object was found inconsistent (so it is left out). */
  has(raw: unknown): boolean {
    return typeof raw === 'object' && raw !== null && this.flagged.has(raw);
  }

  get list(): readonly InconsistentObject[] {
    return this.found;
  }
}

/** `path: reason (fix)` lines, for logs, `farjoin check` and `--strict`'s refusal. */
export function describeInconsistency(o: InconsistentObject): string {
  return `${o.path}: ${o.reason.replace(/^Inconsistent object: /, '')}; ${o.fix}`;
}
