/** pg_add_source, pg_drop_source, pg_update_source (Hasura's Schema/Source). */
import { apiError } from './errors.js';
import { findSource, isObject, requireString, type JsonObject, type RawSource } from './doc.js';
import { mutate, type Operation } from './operation.js';
import { dependentsOfSource, dependencyError, removeRelationships } from './dependencies.js';

function configuration(a: JsonObject): JsonObject {
  const c = a.configuration;
  if (!isObject(c) || !isObject(c.connection_info)) {
    throw apiError('parse-failed', 'key "connection_info" not found', '$.args.configuration');
  }
  const url = c.connection_info.database_url;
  if (!(typeof url === 'string' && url !== '') && !(isObject(url) && typeof url.from_env === 'string')) {
    throw apiError('parse-failed', 'database_url must be a string or {from_env}', '$.args.configuration.connection_info.database_url');
  }
  return c;
}

const addSource = mutate((md, a) => {
  const name = requireString(a, 'name');
  const conf = configuration(a);
  const existing = md.sources.find((s) => s.name === name);
  if (existing) {
    if (a.replace_configuration !== true) throw apiError('already-exists', `source with name "${name}" already exists`);
    existing.configuration = conf;
    if (a.customization !== undefined) existing.customization = a.customization;
    return;
  }
  const source: RawSource = { name, kind: 'postgres', tables: [], configuration: conf };
  if (a.customization !== undefined) source.customization = a.customization;
  md.sources.push(source);
});

const dropSource = mutate((md, a) => {
  const name = requireString(a, 'name');
  findSource(md, name);
  const dependents = dependentsOfSource(md, name);
  if (dependents.length > 0 && a.cascade !== true) throw dependencyError(dependents);
  removeRelationships(md, dependents);
  md.sources = md.sources.filter((s) => s.name !== name);
});

const updateSource = mutate((md, a) => {
  const source = findSource(md, requireString(a, 'name'));
  if (a.configuration !== undefined) source.configuration = configuration(a);
  if (a.customization !== undefined) source.customization = a.customization;
});

export const sourceOperations: Record<string, Operation> = {
  pg_add_source: addSource,
  pg_drop_source: dropSource,
  pg_update_source: updateSource,
};

