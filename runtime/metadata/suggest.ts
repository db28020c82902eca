/**
 * pg_suggest_relationships (Hasura's Relationship/Suggest): for every foreign key between
 * tracked tables, the object relationship along it and the reciprocal one (object when the
 * key columns are unique, array otherwise). `omit_tracked` leaves out those already made.
 */
import type { TableCatalog } from '../../compiler/catalog/types.js';
import { isObject, qualifiedName, sameName, sourceOf, tableName, type JsonObject, type QualifiedName, type RawTable } from './doc.js';
import { read, type Operation } from './operation.js';

interface Suggestion {
  type: 'object' | 'array';
  from: { table: QualifiedName; columns: string[]; constraint_name?: string };
  to: { table: QualifiedName; columns: string[]; constraint_name?: string };
}

/** Local relationships already on `entry`: target table and the owner's columns, sorted. */
function existing(entry: RawTable, catalog: readonly TableCatalog[], owner: QualifiedName): { table: QualifiedName; columns: string }[] {
  const out: { table: QualifiedName; columns: string }[] = [];
  for (const kind of ['object_relationships', 'array_relationships']) {
    const list = Array.isArray(entry[kind]) ? (entry[kind] as JsonObject[]) : [];
    for (const rel of list) {
      const using = isObject(rel.using) ? rel.using : {};
      try {
        if (isObject(using.manual_configuration) && isObject(using.manual_configuration.column_mapping)) {
          out.push({ table: qualifiedName(using.manual_configuration.remote_table, '$'), columns: Object.keys(using.manual_configuration.column_mapping).sort().join(',') });
          continue;
        }
        const fk = using.foreign_key_constraint_on;
        if (isObject(fk) && fk.table !== undefined) {
          const other = qualifiedName(fk.table, '$');
          const cols = Array.isArray(fk.columns) ? (fk.columns as string[]) : [fk.column as string];
          const key = catalog.find((t) => sameName(t, other))?.foreignKeys.find((k) => k.refSchema === owner.schema && k.refTable === owner.name && k.columns.length === cols.length && k.columns.every((c) => cols.includes(c)));
          if (key) out.push({ table: other, columns: [...key.refColumns].sort().join(',') });
          continue;
        }
        const cols = typeof fk === 'string' ? [fk] : isObject(fk) ? (Array.isArray(fk.columns) ? (fk.columns as string[]) : [fk.column as string]) : [];
        const key = catalog.find((t) => sameName(t, owner))?.foreignKeys.find((k) => k.columns.length === cols.length && k.columns.every((c) => cols.includes(c)));
        if (key) out.push({ table: { schema: key.refSchema, name: key.refTable }, columns: [...key.columns].sort().join(',') });
      } catch {
        // a malformed relationship suggests nothing
      }
    }
  }
  return out;
}

const suggestRelationships = read((md, a, ctx) => {
  const source = sourceOf(md, a);
  const catalog = ctx.catalog(source.name)?.tables ?? [];
  const only = Array.isArray(a.tables) ? a.tables.map((t, i) => qualifiedName(t, `$.args.tables[${i}]`)) : undefined;
  const wanted = (t: QualifiedName): boolean => !only || only.some((o) => sameName(o, t));
  const tracked = new Map<string, RawTable>();
  for (const entry of source.tables) {
    try {
      const n = tableName(entry);
      tracked.set(JSON.stringify([n.schema, n.name]), entry);
    } catch {
      // skipped
    }
  }
  const entryOf = (t: QualifiedName): RawTable | undefined => tracked.get(JSON.stringify([t.schema, t.name]));
  const made = (owner: QualifiedName, target: QualifiedName, columns: readonly string[]): boolean => {
    const entry = entryOf(owner);
    const key = [...columns].sort().join(',');
    return !!entry && existing(entry, catalog, owner).some((e) => sameName(e.table, target) && e.columns === key);
  };
  const relationships: Suggestion[] = [];
  for (const table of catalog) {
    const name = { schema: table.schema, name: table.name };
    if (!entryOf(name)) continue;
    for (const key of table.foreignKeys) {
      const related = { schema: key.refSchema, name: key.refTable };
      if (!entryOf(related) || !(wanted(name) || wanted(related))) continue;
      const unique = [table.primaryKey, ...table.uniqueKeys].some((u) => u.length === key.columns.length && u.every((c) => key.columns.includes(c)));
      const forward: Suggestion = { type: 'object', from: { table: name, columns: [...key.columns], constraint_name: key.name }, to: { table: related, columns: [...key.refColumns] } };
      const back: Suggestion = { type: unique ? 'object' : 'array', from: { table: related, columns: [...key.refColumns] }, to: { table: name, columns: [...key.columns], constraint_name: key.name } };
      if (a.omit_tracked !== true || !made(name, related, key.columns)) relationships.push(forward);
      if (a.omit_tracked !== true || !made(related, name, key.refColumns)) relationships.push(back);
    }
  }
  return { relationships };
});

export const suggestOperations: Record<string, Operation> = {
  pg_suggest_relationships: suggestRelationships,
};
