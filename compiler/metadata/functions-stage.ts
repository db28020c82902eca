/**
 * The computed-field and tracked-function stage of metadata checking (functions.ts does
 * the resolving): each object functions.ts refuses becomes an inconsistent object, and
 * objects an earlier stage found inconsistent are neither resolved nor reported twice.
 */
import type { MetadataError } from '../errors.js';
import type { Catalog } from '../catalog/types.js';
import { resolveFunctions } from './functions.js';
import { qualified, tableChildObject, type Inconsistencies, type MetadataObjectRef } from './inconsistent.js';
import type { Model } from './model.js';
import type { Metadata, SourceMetadata, TableMetadata } from './types.js';

const OBJECT_PATH = /^\$\.sources\[(\d+)\]\.(?:tables\[(\d+)\]\.computed_fields\[(\d+)\]|functions\[(\d+)\])/;

const FUNCTION_FIX = 'change the function in the database or its configuration as the reason says, or untrack it';
const COMPUTED_FIELD_FIX = 'change the function or the computed field\'s definition as the reason says, or remove the computed field';

/** No table has this name (Postgres names cannot hold NUL): the stand-in of an inconsistent entry. */
const NOWHERE = { schema: 'pg_catalog', name: '\u0000inconsistent' };

export function resolveFunctionsStage(metadata: Metadata, catalog: Catalog, model: Model, issues: Inconsistencies): Model {
  const flagged = new Set(issues.list.map((o) => OBJECT_PATH.exec(o.path)?.[0]).filter((p) => p !== undefined));
  const errors: MetadataError[] = [];
  const resolved = resolveFunctions(standIns(metadata, issues), catalog, model, errors);
  for (const e of errors) {
    const at = OBJECT_PATH.exec(e.path ?? '');
    if (at && flagged.has(at[0])) continue;
    const ref = at ? objectOf(metadata, at) : undefined;
    if (ref) issues.report(ref, e.message, ref.type === 'function' ? FUNCTION_FIX : COMPUTED_FIELD_FIX, e.path ?? '$');
  }
  const keep = <T extends { path: string }>(list: readonly T[] | undefined): T[] | undefined =>
    list?.filter((x) => !flagged.has(x.path));
  return {
    ...model,
    tables: resolved.tables.map((t) => (t.computedFields ? { ...t, computedFields: keep(t.computedFields) } : t)),
    functions: keep(resolved.functions) ?? [],
  };
}

/** Metadata with inconsistent sources, tables, computed fields and functions replaced by stand-ins (positions kept, for paths). */
function standIns(metadata: Metadata, issues: Inconsistencies): Metadata {
  const sources = metadata.sources.map((s): SourceMetadata => {
    if (issues.has(s)) return { ...s, tables: [], functions: [] } as SourceMetadata;
    const tables = s.tables.map((t): TableMetadata => {
      if (issues.has(t)) return { table: NOWHERE };
      const computed = t.computed_fields?.map((cf) => (issues.has(cf) ? { ...cf, definition: { function: NOWHERE } } : cf));
      return computed ? { ...t, computed_fields: computed } : t;
    });
    const functions = s.functions?.map((f) => (issues.has(f) ? { ...f, function: NOWHERE } : f));
    return { ...s, tables, ...(functions ? { functions } : {}) };
  });
  return { ...metadata, sources };
}

function objectOf(metadata: Metadata, at: RegExpExecArray): MetadataObjectRef | undefined {
  const source = metadata.sources[Number(at[1])];
  if (!source) return undefined;
  if (at[4] !== undefined) {
    const fn = source.functions?.[Number(at[4])];
    if (!fn) return undefined;
    const q = typeof fn.function === 'string' ? { schema: 'public', name: fn.function } : { schema: fn.function.schema ?? 'public', name: fn.function.name };
    // Hasura's moiName: the schema is left out when it is public.
    return { type: 'function', name: `function ${qualified(q)} in source ${source.name}`, definition: fn, context: '', raw: fn };
  }
  const table = source.tables[Number(at[2])];
  const cf = table?.computed_fields?.[Number(at[3])];
  if (!table || !cf) return undefined;
  const t = typeof table.table === 'string' ? { schema: 'public', name: table.table } : { schema: table.table.schema ?? 'public', name: table.table.name };
  return tableChildObject('computed_field', cf, source.name, t, cf.name);
}
