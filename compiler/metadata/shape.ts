/**
 * The first stage of metadata checking (DESIGN.md §3, issue 16): the shape of every object
 * — unknown keys at any level (with a "did you mean"), values of the wrong kind, duplicate
 * names, and objects farjoin does not serve (remote schemas, remote-schema relationships,
 * actions, event triggers). Each mistake makes the object that contains it inconsistent;
 * later stages leave such objects out. Needs no catalog.
 */
import { parseQualifiedTable } from './parse.js';
import {
  COMPUTED_FIELD_SHAPE, didYouMean, FUNCTION_SHAPE, LOCAL_RELATIONSHIP_SHAPE, PERMISSION_SHAPES, REMOTE_RELATIONSHIP_SHAPE,
  ROOT_KEYS, SOURCE_SHAPE, TABLE_SHAPE, type Shape,
} from './keys.js';
import {
  METADATA_OBJECT, sourceObject, tableChildObject, tableObject, topLevelObject,
  type Inconsistencies, type InconsistentObjectType, type MetadataObjectRef,
} from './inconsistent.js';
import type { Metadata } from './types.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

/** Checks `value` against `shape`; reports each mistake on `owner`. Returns false when it found one. */
function checkValue(value: unknown, shape: Shape, path: string, owner: MetadataObjectRef, issues: Inconsistencies): boolean {
  if (value === undefined || shape.kind === 'any') return true;
  const wrong = (expected: string): boolean => {
    issues.report(owner, `${path.slice(path.lastIndexOf('.') + 1)} must be ${expected}, not ${describe(value)}`, `write ${expected} at ${path}`, path);
    return false;
  };
  switch (shape.kind) {
    case 'string': return typeof value === 'string' || value === null ? true : wrong('a string');
    case 'number': return typeof value === 'number' || value === null ? true : wrong('a number');
    case 'boolean': return typeof value === 'boolean' || value === null ? true : wrong('true or false');
    case 'columns':
      return value === '*' || (Array.isArray(value) && value.every((c) => typeof c === 'string')) ? true : wrong('a list of column names or "*"');
    case 'list': {
      if (value === null) return true;
      if (!Array.isArray(value)) return wrong('a list');
      return value.map((v, i) => checkValue(v, shape.of, `${path}[${i}]`, owner, issues)).every(Boolean);
    }
    case 'map': {
      if (value === null) return true;
      if (!isObject(value)) return wrong('an object');
      return Object.entries(value).map(([k, v]) => checkValue(v, shape.of, `${path}.${k}`, owner, issues)).every(Boolean);
    }
    case 'object': {
      if (value === null || (shape.orString && typeof value === 'string')) return true;
      if (!isObject(value)) return wrong(shape.orString ? 'a name or an object' : 'an object');
      let ok = true;
      for (const [k, v] of Object.entries(value)) {
        const inner = shape.keys[k];
        if (!inner) {
          const guess = didYouMean(k, Object.keys(shape.keys));
          issues.report(owner, `unknown key "${k}"${guess ? ` (did you mean "${guess}"?)` : ''}`,
            guess ? `rename "${k}" to "${guess}"` : `remove "${k}"; the keys allowed here are ${Object.keys(shape.keys).join(', ')}`, `${path}.${k}`);
          ok = false;
        } else if (!checkValue(v, inner, `${path}.${k}`, owner, issues)) ok = false;
      }
      return ok;
    }
  }
}

function listAt(owner: MetadataObjectRef, parent: Json, key: string, path: string, issues: Inconsistencies): unknown[] {
  const v = parent[key];
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  issues.report(owner, `${key} must be a list, not ${describe(v)}`, `write ${key} as a list`, `${path}.${key}`);
  return [];
}

/** Reports a second object of the same name (the first one is kept). */
class Names {
  private readonly seen = new Map<string, string>();
  duplicate(name: string, path: string): string | undefined {
    const first = this.seen.get(name);
    if (first === undefined) this.seen.set(name, path);
    return first;
  }
}

export function checkMetadataShape(metadata: Metadata, issues: Inconsistencies): void {
  const root = metadata as unknown as Json;
  checkValue(
    Object.fromEntries(Object.entries(root).filter(([k]) => k !== 'sources')),
    { kind: 'object', keys: Object.fromEntries(ROOT_KEYS.map((k) => [k, { kind: 'any' }])) }, '$', METADATA_OBJECT, issues,
  );
  unsupportedTopLevel(root, issues);
  const sourceNames = new Names();
  listAt(METADATA_OBJECT, root, 'sources', '$', issues).forEach((s, i) => {
    const sp = `$.sources[${i}]`;
    const name = isObject(s) && typeof s.name === 'string' && s.name !== '' ? s.name : `[${i}]`;
    const owner = sourceObject(isObject(s) ? s : {}, name);
    if (!isObject(s) || name === `[${i}]`) {
      issues.report(owner, 'a source needs a "name"', 'give the source a non-empty name', `${sp}.name`);
      return;
    }
    const first = sourceNames.duplicate(name, sp);
    if (first) {
      issues.report(owner, `source "${name}" is defined twice (first at ${first})`, 'rename or remove one of them', `${sp}.name`);
      return;
    }
    checkSource(s, name, sp, owner, issues);
  });
}

function checkSource(s: Json, name: string, sp: string, owner: MetadataObjectRef, issues: Inconsistencies): void {
  checkValue(s, SOURCE_SHAPE, sp, owner, issues);
  if (s.kind !== undefined && s.kind !== 'postgres' && s.kind !== 'pg') {
    issues.report(owner, `source kind "${String(s.kind)}" is not supported; farjoin serves postgres sources`, 'remove the source, or serve it with Hasura', `${sp}.kind`);
  }
  const ci = isObject(s.configuration) ? s.configuration.connection_info : undefined;
  const url = isObject(ci) ? ci.database_url : undefined;
  const up = `${sp}.configuration.connection_info.database_url`;
  if (!(typeof url === 'string' && url !== '') && !(isObject(url) && typeof url.from_env === 'string' && url.from_env !== '')) {
    const given = isObject(url) && 'connection_parameters' in url ? 'connection_parameters are not supported' : 'no database_url';
    issues.report(owner, `${given}`, 'set configuration.connection_info.database_url to a URL or to {from_env: VARIABLE}', up);
  }
  const tables = new Names();
  listAt(owner, s, 'tables', sp, issues).forEach((t, j) => {
    const tp = `${sp}.tables[${j}]`;
    let qt: { schema: string; name: string };
    try {
      qt = parseQualifiedTable(isObject(t) ? t.table : undefined, `${tp}.table`);
    } catch (e) {
      issues.report(tableObject(isObject(t) ? t : {}, name, { schema: 'public', name: `[${j}]` }), (e as Error).message,
        'name the table as {schema, name}', `${tp}.table`);
      return;
    }
    const table = t as Json;
    const tableRef = tableObject(table, name, qt);
    const first = tables.duplicate(`${qt.schema}.${qt.name}`, tp);
    if (first) {
      issues.report(tableRef, `table ${qt.schema}.${qt.name} is tracked twice in source "${name}" (first at ${first})`, 'remove one of the two entries', `${tp}.table`);
      return;
    }
    checkValue(table, TABLE_SHAPE, tp, tableRef, issues);
    checkTableChildren(table, name, qt, tp, issues);
  });
  listAt(owner, s, 'functions', sp, issues).forEach((f, j) => {
    const fp = `${sp}.functions[${j}]`;
    const fn = isObject(f) ? f : {};
    const label = isObject(fn.function) ? `${String(fn.function.schema ?? 'public')}.${String(fn.function.name)}` : String(fn.function);
    const ref: MetadataObjectRef = { type: 'function', name: `function ${label} in source ${name}`, definition: fn, context: '', raw: fn };
    try {
      parseQualifiedTable(fn.function, `${fp}.function`);
    } catch (e) {
      issues.report(ref, (e as Error).message, 'name the function as {schema, name}', `${fp}.function`);
      return;
    }
    checkValue(fn, FUNCTION_SHAPE, fp, ref, issues);
  });
}

const CHILD_LISTS: readonly { key: string; type: InconsistentObjectType; shape: Shape; nameKey: 'name' | 'role' }[] = [
  { key: 'object_relationships', type: 'object_relation', shape: LOCAL_RELATIONSHIP_SHAPE, nameKey: 'name' },
  { key: 'array_relationships', type: 'array_relation', shape: LOCAL_RELATIONSHIP_SHAPE, nameKey: 'name' },
  { key: 'remote_relationships', type: 'remote_relationship', shape: REMOTE_RELATIONSHIP_SHAPE, nameKey: 'name' },
  { key: 'computed_fields', type: 'computed_field', shape: COMPUTED_FIELD_SHAPE, nameKey: 'name' },
  { key: 'select_permissions', type: 'select_permission', shape: PERMISSION_SHAPES.select_permissions, nameKey: 'role' },
  { key: 'insert_permissions', type: 'insert_permission', shape: PERMISSION_SHAPES.insert_permissions, nameKey: 'role' },
  { key: 'update_permissions', type: 'update_permission', shape: PERMISSION_SHAPES.update_permissions, nameKey: 'role' },
  { key: 'delete_permissions', type: 'delete_permission', shape: PERMISSION_SHAPES.delete_permissions, nameKey: 'role' },
  { key: 'event_triggers', type: 'event_trigger', shape: { kind: 'any' }, nameKey: 'name' },
];

function checkTableChildren(table: Json, source: string, qt: { schema: string; name: string }, tp: string, issues: Inconsistencies): void {
  const tableRef = tableObject(table, source, qt);
  // Relationships and computed fields share one namespace (they are all fields of the type).
  const fieldNames = new Names();
  for (const { key, type, shape, nameKey } of CHILD_LISTS) {
    /** Per list: permission roles, event trigger names. */
    const roles = new Names();
    listAt(tableRef, table, key, tp, issues).forEach((item, k) => {
      const ip = `${tp}.${key}[${k}]`;
      const o = isObject(item) ? item : {};
      const name = typeof o[nameKey] === 'string' && o[nameKey] !== '' ? o[nameKey] as string : `[${k}]`;
      const ref = tableChildObject(type, o, source, qt, name);
      if (name === `[${k}]`) {
        issues.report(ref, `a ${key.replace(/s$/, '').replace('_', ' ')} needs a "${nameKey}"`, `add "${nameKey}"`, `${ip}.${nameKey}`);
        return;
      }
      const first = (nameKey === 'role' || type === 'event_trigger' ? roles : fieldNames).duplicate(name, ip);
      if (first) {
        issues.report(ref, nameKey === 'role' ? `a second ${type.replace('_', ' ')} for role "${name}" (first at ${first})` : `duplicate field name "${name}" (first defined at ${first})`,
          nameKey === 'role' ? 'merge the two permissions into one' : 'rename one of them', `${ip}.${nameKey}`);
        return;
      }
      if (!checkValue(o, shape, ip, ref, issues)) return;
      if (type === 'event_trigger') {
        issues.report(ref, 'event triggers are not supported by farjoin (no webhook is called)', 'remove the event trigger, or keep it on a Hasura instance', ip);
      } else if (type === 'remote_relationship') {
        const d = isObject(o.definition) ? o.definition : {};
        if (d.to_remote_schema !== undefined || d.remote_schema !== undefined) {
          issues.report(ref, 'remote schema relationships are not supported by farjoin; it serves database-to-database relationships ("to_source")',
            'remove the relationship, or replace it with a "to_source" relationship to a database', `${ip}.definition`);
        } else if (!isObject(d.to_source)) {
          issues.report(ref, 'the relationship has no "to_source" definition', 'add definition.to_source {relationship_type, source, table, field_mapping}', `${ip}.definition`);
        } else if (d.to_source.relationship_type !== 'object' && d.to_source.relationship_type !== 'array') {
          issues.report(ref, 'relationship_type must be "object" or "array"', 'set relationship_type to object or array', `${ip}.definition.to_source.relationship_type`);
        }
      } else if (type.endsWith('_permission') && !isObject(o.permission)) {
        issues.report(ref, 'the permission has no "permission" object', 'add permission: {…}', `${ip}.permission`);
      } else if ((type === 'object_relation' || type === 'array_relation') && !isObject(o.using)) {
        issues.report(ref, 'the relationship has no "using"', 'add using.foreign_key_constraint_on or using.manual_configuration', `${ip}.using`);
      }
    });
  }
}

export const UNSUPPORTED_TOP_LEVEL: readonly { key: string; type: InconsistentObjectType; what: string; nameKey: string }[] = [
  { key: 'remote_schemas', type: 'remote_schema', what: 'remote schemas', nameKey: 'name' },
  { key: 'actions', type: 'action', what: 'actions', nameKey: 'name' },
  { key: 'cron_triggers', type: 'cron_trigger', what: 'cron triggers', nameKey: 'name' },
  { key: 'rest_endpoints', type: 'rest_endpoint', what: 'REST endpoints', nameKey: 'name' },
  // A request naming an inherited role gets no permissions of the roles it combines.
  { key: 'inherited_roles', type: 'inherited_role', what: 'inherited roles', nameKey: 'role_name' },
];

function unsupportedTopLevel(root: Json, issues: Inconsistencies): void {
  for (const { key, type, what, nameKey } of UNSUPPORTED_TOP_LEVEL) {
    const items = Array.isArray(root[key]) ? root[key] as unknown[] : [];
    items.forEach((item, i) => {
      const o = isObject(item) ? item : {};
      const name = typeof o[nameKey] === 'string' ? o[nameKey] as string : `[${i}]`;
      issues.report(topLevelObject(type, o, name), `${what} are not supported by farjoin`, `remove it from the metadata, or serve it from another GraphQL server`, `$.${key}[${i}]`);
    });
  }
}
