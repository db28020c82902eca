/**
 * Local and remote relationships (Hasura's Relationship, Relationship/Rename and
 * RemoteRelationship): create, drop, rename; remote ones also update. A relationship's
 * name shares the table's field namespace with its columns and other relationships.
 */
import { apiError } from './errors.js';
import { dropEmpty, isObject, listOf, qualifiedName, requireString, showName, sourceOf, trackedTable, type JsonObject, type QualifiedName, type RawTable } from './doc.js';
import { RELATIONSHIP_KINDS, type RelationshipKind } from './dependencies.js';
import { mutate, type OpContext, type Operation } from './operation.js';

function fieldTaken(entry: RawTable, table: QualifiedName, source: string, name: string, ctx: OpContext): boolean {
  const columns = ctx.catalog(source)?.tables.find((t) => t.schema === table.schema && t.name === table.name)?.columns ?? [];
  if (columns.some((c) => c.name === name)) return true;
  return RELATIONSHIP_KINDS.some((k) => Array.isArray(entry[k]) && (entry[k] as JsonObject[]).some((r) => r.name === name));
}

function assertFree(entry: RawTable, table: QualifiedName, source: string, name: string, ctx: OpContext): void {
  if (fieldTaken(entry, table, source, name, ctx)) {
    throw apiError('already-exists', `column/relationship "${name}" of table "${showName(table)}" already exists`);
  }
}

function located(md: Parameters<Operation['run']>[0], a: JsonObject): { source: string; table: QualifiedName; entry: RawTable } {
  const source = sourceOf(md, a);
  const table = qualifiedName(a.table, '$.args.table');
  return { source: source.name, table, entry: trackedTable(source, table) };
}

function createLocal(kind: 'object_relationships' | 'array_relationships'): Operation {
  return mutate((md, a, ctx) => {
    const { source, table, entry } = located(md, a);
    const name = requireString(a, 'name');
    if (!isObject(a.using)) throw apiError('parse-failed', 'key "using" not found');
    const using = a.using;
    if ((using.foreign_key_constraint_on === undefined) === (using.manual_configuration === undefined)) {
      throw apiError('parse-failed', 'one of foreign_key_constraint_on/manual_configuration should be present', '$.args.using');
    }
    assertFree(entry, table, source, name, ctx);
    listOf(entry, kind).push({ name, using, ...(a.comment !== undefined ? { comment: a.comment } : {}) });
  });
}

function findRelationship(entry: RawTable, kinds: readonly RelationshipKind[], name: string): { kind: RelationshipKind; rel: JsonObject } | undefined {
  for (const kind of kinds) {
    const rel = Array.isArray(entry[kind]) ? (entry[kind] as JsonObject[]).find((r) => r.name === name) : undefined;
    if (rel) return { kind, rel };
  }
  return undefined;
}

const LOCAL: readonly RelationshipKind[] = ['object_relationships', 'array_relationships'];

const dropRelationship = mutate((md, a) => {
  const { table, entry } = located(md, a);
  const name = requireString(a, 'relationship');
  const found = findRelationship(entry, LOCAL, name);
  if (!found) throw apiError('not-exists', `relationship "${name}" does not exist in table "${showName(table)}"`);
  entry[found.kind] = listOf(entry, found.kind).filter((r) => r !== found.rel);
  dropEmpty(entry, found.kind);
});

const renameRelationship = mutate((md, a, ctx) => {
  const { source, table, entry } = located(md, a);
  const name = requireString(a, 'name');
  const newName = requireString(a, 'new_name');
  const found = findRelationship(entry, LOCAL, name);
  if (!found) throw apiError('not-exists', `relationship "${name}" does not exist in table "${showName(table)}"`);
  assertFree(entry, table, source, newName, ctx);
  found.rel.name = newName;
});

/** Hasura's `definition: {to_source: {…}}`; the legacy remote-schema form is refused with the reason. */
function remoteDefinition(a: JsonObject): JsonObject {
  const d = a.definition;
  if (!isObject(d)) throw apiError('parse-failed', 'key "definition" not found');
  if (!isObject(d.to_source)) {
    throw apiError('not-supported', 'only "to_source" (database-to-database) remote relationships are supported; remote schemas are not', '$.args.definition');
  }
  const ts = d.to_source;
  if (ts.relationship_type !== 'object' && ts.relationship_type !== 'array') {
    throw apiError('parse-failed', 'relationship_type must be "object" or "array"', '$.args.definition.to_source.relationship_type');
  }
  if (typeof ts.source !== 'string') throw apiError('parse-failed', 'key "source" not found', '$.args.definition.to_source');
  qualifiedName(ts.table, '$.args.definition.to_source.table');
  if (!isObject(ts.field_mapping) || Object.keys(ts.field_mapping).length === 0) {
    throw apiError('parse-failed', 'field_mapping must map at least one column', '$.args.definition.to_source.field_mapping');
  }
  return d;
}

const createRemote = mutate((md, a, ctx) => {
  const { source, table, entry } = located(md, a);
  const name = requireString(a, 'name');
  const definition = remoteDefinition(a);
  assertFree(entry, table, source, name, ctx);
  listOf(entry, 'remote_relationships').push({ name, definition });
});

const updateRemote = mutate((md, a) => {
  const { table, entry } = located(md, a);
  const name = requireString(a, 'name');
  const found = findRelationship(entry, ['remote_relationships'], name);
  if (!found) throw apiError('not-exists', `remote relationship "${name}" does not exist in table "${showName(table)}"`);
  found.rel.definition = remoteDefinition(a);
});

const deleteRemote = mutate((md, a) => {
  const { table, entry } = located(md, a);
  const name = requireString(a, 'name');
  const found = findRelationship(entry, ['remote_relationships'], name);
  if (!found) throw apiError('not-exists', `remote relationship "${name}" does not exist in table "${showName(table)}"`);
  entry.remote_relationships = listOf(entry, 'remote_relationships').filter((r) => r !== found.rel);
  dropEmpty(entry, 'remote_relationships');
});

export const relationshipOperations: Record<string, Operation> = {
  pg_create_object_relationship: createLocal('object_relationships'),
  pg_create_array_relationship: createLocal('array_relationships'),
  pg_drop_relationship: dropRelationship,
  pg_rename_relationship: renameRelationship,
  pg_create_remote_relationship: createRemote,
  pg_update_remote_relationship: updateRemote,
  pg_delete_remote_relationship: deleteRemote,
};
