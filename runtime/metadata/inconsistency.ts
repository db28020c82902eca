/**
 * Inconsistent objects as `get_inconsistent_metadata` reports them (Hasura's
 * `{definition, reason, name, type}`), found from the metadata paths that validation gives
 * its problems, and metadata without them (what is served under
 * `allow_inconsistent_metadata`, and what `drop_inconsistent_metadata` keeps).
 */
import type { MetadataError } from '../../compiler/errors.js';
import { isObject, showName, tableName, type JsonObject, type RawMetadata } from './doc.js';
import { UNSUPPORTED_TOP_LEVEL } from '../../compiler/metadata/shape.js';
import { qualified } from '../../compiler/metadata/inconsistent.js';

export interface InconsistentObject {
  readonly type: string;
  readonly name: string;
  readonly reason: string;
  readonly definition: unknown;
  /** The metadata path of the object (farjoin's addition, with the fix in `reason`). */
  readonly path: string;
}

const PATH = /^\$\.sources\[(\d+)\](?:\.tables\[(\d+)\](?:\.(\w+)\[(\d+)\])?)?/;
/** A tracked function of a source (its own list, beside `tables`). */
const FUNCTION_PATH = /^\$\.sources\[(\d+)\]\.functions\[(\d+)\]/;

const TYPES: Record<string, string> = {
  object_relationships: 'object_relation',
  array_relationships: 'array_relation',
  remote_relationships: 'remote_relationship',
  select_permissions: 'select_permission',
  insert_permissions: 'insert_permission',
  update_permissions: 'update_permission',
  delete_permissions: 'delete_permission',
  computed_fields: 'computed_field',
  event_triggers: 'event_trigger',
};

/** Top-level objects farjoin does not serve (compiler/metadata/shape.ts reports them). */
const TOP_LEVEL_PATH = new RegExp(`^\\$\\.(${UNSUPPORTED_TOP_LEVEL.map((u) => u.key).join('|')})\\[(\\d+)\\]`);
const TOP_LEVEL = new Map(UNSUPPORTED_TOP_LEVEL.map((u) => [u.key, u]));
/** A key of the top level that Hasura's metadata does not have. */
const ROOT_KEY_PATH = /^\$\.(\w+)$/;

interface Located {
  readonly object: InconsistentObject;
  /** The list that holds it and the item itself, for removal. */
  readonly list: unknown[];
  readonly item: unknown;
  /** Removes it when it is not an item of a list (an unknown top-level key). */
  readonly remove?: () => void;
}

/** A remote schema, action, cron trigger or REST endpoint, or an unknown top-level key. */
function locateTopLevel(md: RawMetadata, problem: MetadataError): Located | undefined {
  const path = problem.path ?? '';
  const t = TOP_LEVEL_PATH.exec(path);
  if (t) {
    const list = md[t[1]!];
    const item = Array.isArray(list) ? list[Number(t[2])] : undefined;
    if (!Array.isArray(list) || item === undefined) return undefined;
    const { type, nameKey } = TOP_LEVEL.get(t[1]!)!;
    const name = isObject(item) && typeof item[nameKey] === 'string' ? item[nameKey] as string : `[${t[2]}]`;
    return { list, item, object: { type, name: `${type} ${name}`, reason: problem.message, definition: item, path: t[0] } };
  }
  const k = ROOT_KEY_PATH.exec(path);
  if (!k || k[1] === 'sources' || k[1] === 'version') return undefined;
  const key = k[1]!;
  return { list: [], item: `$.${key}`, remove: () => delete md[key], object: { type: 'metadata', name: 'metadata', reason: problem.message, definition: null, path } };
}

/** A tracked function's problem: the function is left out, not its source. */
function locateFunction(md: RawMetadata, problem: MetadataError): Located | undefined {
  const f = FUNCTION_PATH.exec(problem.path ?? '');
  if (!f) return undefined;
  const source = md.sources[Number(f[1])];
  const list = source?.functions;
  const item = Array.isArray(list) ? list[Number(f[2])] : undefined;
  if (!source || !Array.isArray(list) || !isObject(item)) return undefined;
  const fn = item.function;
  // Hasura's moiName: the schema is left out when it is public.
  const name = typeof fn === 'string' ? fn : isObject(fn) ? qualified({ schema: typeof fn.schema === 'string' ? fn.schema : 'public', name: String(fn.name) }) : '?';
  return { list, item, object: { type: 'function', name: `function ${name} in source ${source.name}`, reason: problem.message, definition: item, path: f[0] } };
}

function locate(md: RawMetadata, problem: MetadataError): Located | undefined {
  const fn = locateFunction(md, problem) ?? locateTopLevel(md, problem);
  if (fn) return fn;
  const m = PATH.exec(problem.path ?? '');
  if (!m) return undefined;
  const source = md.sources[Number(m[1])];
  if (!source) return undefined;
  const reason = problem.message;
  if (m[2] === undefined) {
    return { list: md.sources, item: source, object: { type: 'source', name: `source ${source.name}`, reason, definition: source, path: `$.sources[${m[1]}]` } };
  }
  const entry = source.tables[Number(m[2])];
  if (!entry) return undefined;
  let table;
  try {
    table = tableName(entry);
  } catch {
    return undefined;
  }
  const tablePath = `$.sources[${m[1]}].tables[${m[2]}]`;
  const type = m[3] === undefined ? undefined : TYPES[m[3]];
  const list = m[3] === undefined ? undefined : entry[m[3]];
  const item = Array.isArray(list) ? list[Number(m[4])] : undefined;
  if (type && Array.isArray(list) && isObject(item)) {
    const label = typeof item.name === 'string' ? item.name : String(item.role);
    return {
      list, item,
      object: {
        type, name: `${type} ${label} in table ${showName(table)} in source ${source.name}`, reason,
        definition: { ...(item as JsonObject), source: source.name, table: { schema: table.schema, name: table.name } },
        path: `${tablePath}.${m[3]}[${m[4]}]`,
      },
    };
  }
  return {
    list: source.tables, item: entry,
    object: { type: 'table', name: `table ${showName(table)} in source ${source.name}`, reason, definition: { schema: table.schema, name: table.name }, path: tablePath },
  };
}

/**
 * The objects `problems` belong to, and `md` without them (edited in place). Returns
 * undefined when a problem belongs to no object that can be left out.
 */
export function pruneInconsistent(md: RawMetadata, problems: readonly MetadataError[]): InconsistentObject[] | undefined {
  const found = new Map<unknown, Located>();
  for (const p of problems) {
    const l = locate(md, p);
    if (!l) return undefined;
    const seen = found.get(l.item);
    if (seen) found.set(l.item, { ...seen, object: { ...seen.object, reason: `${seen.object.reason}; ${l.object.reason}` } });
    else found.set(l.item, l);
  }
  for (const l of found.values()) {
    if (l.remove) l.remove();
    const i = l.list.indexOf(l.item);
    if (i >= 0) l.list.splice(i, 1);
  }
  return [...found.values()].map((l) => l.object);
}
