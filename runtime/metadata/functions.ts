/**
 * pg_track_function, pg_untrack_function, pg_add_computed_field, pg_drop_computed_field,
 * pg_create_function_permission, pg_drop_function_permission (Hasura's Function and
 * ComputedField metadata operations, issue 11 item 6). Whether the function can be served
 * (Hasura's rules, compiler/metadata/functions.ts) is checked when the changed metadata is
 * validated, as for every operation.
 */
import { apiError } from './errors.js';
import { dropEmpty, isObject, listOf, qualifiedName, requireString, sameName, showName, sourceOf, trackedTable, type JsonObject, type QualifiedName, type RawSource } from './doc.js';
import { mutate, type OpContext, type Operation } from './operation.js';

/** `function: {schema, name} | name`, or version 1's `{schema, name}` as the arguments themselves. */
function functionArg(a: JsonObject): QualifiedName {
  return qualifiedName(a.function ?? (typeof a.name === 'string' ? { schema: a.schema, name: a.name } : undefined), '$.args.function');
}

function functionsOf(source: RawSource): JsonObject[] {
  return listOf(source, 'functions');
}

function findFunction(source: RawSource, name: QualifiedName): JsonObject | undefined {
  return functionsOf(source).find((f) => sameName(qualifiedName(f.function, '$.function'), name));
}

function trackedFunction(source: RawSource, name: QualifiedName): JsonObject {
  const f = findFunction(source, name);
  if (!f) {
    dropEmpty(source, 'functions');
    throw apiError('not-exists', `function "${showName(name)}" is not tracked in source: ${source.name}`);
  }
  return f;
}

function checkExists(ctx: OpContext, source: RawSource, name: QualifiedName): void {
  const catalog = ctx.catalog(source.name);
  if (catalog?.functions && !catalog.functions.some((f) => f.schema === name.schema && f.name === name.name)) {
    throw apiError('not-exists', `no such function exists in postgres : "${showName(name)}"`);
  }
}

const trackFunction = mutate((md, a, ctx) => {
  const source = sourceOf(md, a);
  const name = functionArg(a);
  if (findFunction(source, name)) throw apiError('already-tracked', `function already tracked: "${showName(name)}"`);
  checkExists(ctx, source, name);
  const entry: JsonObject = { function: { schema: name.schema, name: name.name } };
  if (isObject(a.configuration) && Object.keys(a.configuration).length > 0) entry.configuration = a.configuration;
  if (typeof a.comment === 'string') entry.comment = a.comment;
  functionsOf(source).push(entry);
});

const untrackFunction = mutate((md, a) => {
  const source = sourceOf(md, a);
  const entry = trackedFunction(source, functionArg(a));
  source.functions = functionsOf(source).filter((f) => f !== entry);
  dropEmpty(source, 'functions');
});

/** The tracked function, role and permission list a function permission operation names. */
function functionPermission(md: Parameters<Operation['run']>[0], a: JsonObject): { name: QualifiedName; entry: JsonObject; role: string; permissions: JsonObject[] } {
  const name = functionArg(a);
  const entry = trackedFunction(sourceOf(md, a), name);
  return { name, entry, role: requireString(a, 'role'), permissions: listOf(entry, 'permissions') };
}

const createFunctionPermission = mutate((md, a) => {
  const { name, role, permissions } = functionPermission(md, a);
  if (permissions.some((p) => p.role === role)) throw apiError('already-exists', `permission of role "${role}" already exists for function "${showName(name)}"`);
  permissions.push({ role });
});

const dropFunctionPermission = mutate((md, a) => {
  const { name, entry, role, permissions } = functionPermission(md, a);
  if (!permissions.some((p) => p.role === role)) {
    dropEmpty(entry, 'permissions');
    throw apiError('not-exists', `permission of role "${role}" does not exist for function "${showName(name)}"`);
  }
  entry.permissions = permissions.filter((p) => p.role !== role);
  dropEmpty(entry, 'permissions');
});

const addComputedField = mutate((md, a) => {
  const table = qualifiedName(a.table, '$.args.table');
  const entry = trackedTable(sourceOf(md, a), table);
  const name = requireString(a, 'name');
  if (!isObject(a.definition)) throw apiError('parse-failed', 'key "definition" not found');
  const fields = listOf(entry, 'computed_fields');
  if (fields.some((f) => f.name === name)) throw apiError('already-exists', `computed field "${name}" already exists on table "${showName(table)}"`);
  fields.push({ name, definition: a.definition, ...(a.comment !== undefined ? { comment: a.comment } : {}) });
});

const dropComputedField = mutate((md, a) => {
  const table = qualifiedName(a.table, '$.args.table');
  const entry = trackedTable(sourceOf(md, a), table);
  const name = requireString(a, 'name');
  const fields = listOf(entry, 'computed_fields');
  if (!fields.some((f) => f.name === name)) {
    dropEmpty(entry, 'computed_fields');
    throw apiError('not-exists', `computed field "${name}" does not exist on table "${showName(table)}"`);
  }
  entry.computed_fields = fields.filter((f) => f.name !== name);
  dropEmpty(entry, 'computed_fields');
});

export const functionOperations: Record<string, Operation> = {
  pg_track_function: trackFunction,
  pg_untrack_function: untrackFunction,
  pg_create_function_permission: createFunctionPermission,
  pg_drop_function_permission: dropFunctionPermission,
  pg_add_computed_field: addComputedField,
  pg_drop_computed_field: dropComputedField,
};
