/** pg_track_table, pg_track_tables, pg_untrack_table, pg_set_table_customization (Hasura's Schema/Table). */
import { apiError } from './errors.js';
import { args, findTable, isObject, qualifiedName, showName, sourceOf, trackedTable, type JsonObject, type QualifiedName, type RawMetadata, type RawTable } from './doc.js';
import { dependencyError, dependentsOfTable, removeRelationships } from './dependencies.js';
import { mutate, type OpContext, type Operation } from './operation.js';

function track(md: RawMetadata, a: JsonObject, ctx: OpContext): void {
  const source = sourceOf(md, a);
  const name = qualifiedName(a.table, '$.args.table');
  if (findTable(source, name)) throw apiError('already-tracked', `view/table already tracked: "${showName(name)}"`);
  const catalog = ctx.catalog(source.name);
  if (catalog && !catalog.tables.some((t) => t.schema === name.schema && t.name === name.name)) {
    throw apiError('not-exists', `no such table/view exists in source: "${showName(name)}"`);
  }
  const entry: RawTable = { table: { schema: name.schema, name: name.name } };
  if (isObject(a.configuration) && Object.keys(a.configuration).length > 0) entry.configuration = a.configuration;
  if (a.is_enum === true) entry.is_enum = true;
  source.tables.push(entry);
}

const trackTable = mutate((md, a, ctx) => track(md, a, ctx));

/** Hasura's `pg_track_tables`: several at once, `{tables: [{table, source, configuration}]}`. */
const trackTables = mutate((md, a, ctx) => {
  if (!Array.isArray(a.tables)) throw apiError('parse-failed', 'key "tables" not found');
  a.tables.forEach((t, i) => track(md, args(t, `$.args.tables[${i}]`), ctx));
});

function untrack(md: RawMetadata, a: JsonObject, ctx: OpContext): void {
  const source = sourceOf(md, a);
  const name: QualifiedName = qualifiedName(a.table, '$.args.table');
  const entry = findTable(source, name);
  if (!entry) throw apiError('already-untracked', `view/table already untracked: "${showName(name)}"`);
  const dependents = dependentsOfTable(md, source.name, name, ctx);
  if (dependents.length > 0 && a.cascade !== true) throw dependencyError(dependents);
  removeRelationships(md, dependents);
  source.tables = source.tables.filter((t) => t !== entry);
}

const untrackTable = mutate((md, a, ctx) => untrack(md, a, ctx));

const setCustomization = mutate((md, a) => {
  const source = sourceOf(md, a);
  const entry = trackedTable(source, qualifiedName(a.table, '$.args.table'));
  if (isObject(a.configuration) && Object.keys(a.configuration).length > 0) entry.configuration = a.configuration;
  else delete entry.configuration;
});

export const tableOperations: Record<string, Operation> = {
  pg_track_table: trackTable,
  pg_track_tables: trackTables,
  pg_untrack_table: untrackTable,
  pg_set_table_customization: setCustomization,
};
