/**
 * Resolution of tracked functions and computed fields against the catalogs (issue 11
 * item 6), following Hasura's rules:
 * - a tracked function has IN arguments only and returns `SETOF <tracked table>` or one row
 *   of it; STABLE/IMMUTABLE functions are queries, VOLATILE ones mutations unless
 *   `exposed_as: query`; a STABLE/IMMUTABLE one cannot be exposed as a mutation;
 * - a computed field's function is STABLE/IMMUTABLE, takes the table's row (the argument
 *   `table_argument` names, or the first), and returns a base type or `SETOF` a tracked table;
 * - `session_argument` names a json argument that receives the session variables.
 * An object that breaks a rule is reported with its metadata path and left out.
 */
import { MetadataError } from '../errors.js';
import { findFunctions, type FunctionCatalog, type SourceCatalog } from '../catalog/types.js';
import type { Catalog } from '../catalog/types.js';
import { parseQualifiedTable } from './parse.js';
import { qualified } from './inconsistent.js';
import { ModelIndex, type ComputedFieldModel, type FunctionModel, type FunctionParam, type Model, type TableModel } from './model.js';
import type { ComputedFieldMetadata, FunctionMetadata, Metadata } from './types.js';
import { DEFAULT_CUSTOMIZATION, defaultTableNaming, fromSnake, rootFieldWrap, tableIdentifier, tableRootField, tableTypeName, words, type TableNaming } from '../schema/naming.js';

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** A function or table as Hasura's messages print it: double-quoted, the schema left out when it is `public`. */
function label(f: { schema: string; name: string }): string {
  return `"${qualified(f)}"`;
}

function isJson(t: FunctionCatalog['returnType']): boolean {
  return t.schema === 'pg_catalog' && (t.name === 'json' || t.name === 'jsonb');
}

/** The one function of that name, or why there is none (Hasura refuses overloaded functions). */
function lookup(cat: SourceCatalog, q: { schema: string; name: string }): FunctionCatalog | string {
  const found = findFunctions(cat, q.schema, q.name);
  if (found.length === 0) return `no such function exists in postgres : ${label(q)}`;
  if (found.length > 1) return `function ${label(q)} is overloaded. Overloaded functions are not supported`;
  return found[0]!;
}

/**
 * Parameters in declaration order. `row` is the index of the table-row argument (computed
 * fields), `session` the name of the session argument; every other argument is an input,
 * named `arg_<n>` when unnamed (Hasura's numbering counts unnamed inputs only).
 */
function params(fn: FunctionCatalog, row: number | undefined, session: string | undefined): FunctionParam[] {
  let unnamed = 1;
  return fn.args.map((a, i): FunctionParam => {
    if (i === row) return { kind: 'row', sqlName: a.name };
    if (session !== undefined && a.name === session) return { kind: 'session', sqlName: session };
    const fieldName = a.name ?? `arg_${unnamed++}`;
    return { kind: 'input', sqlName: a.name, fieldName, type: a.type, hasDefault: a.hasDefault };
  });
}

/** A session argument's problem, in Hasura's words for a tracked function or for a computed field. */
function checkSession(fn: FunctionCatalog, session: string | undefined | null, of: 'function' | 'computed field'): string | undefined {
  if (session === undefined || session === null) return undefined;
  const arg = fn.args.find((a) => a.name === session);
  if (of === 'function') {
    if (!arg) return `the function ${label(fn)} cannot be tracked because given session argument "${session}" not the input argument of the function`;
    if (!isJson(arg.type)) return `the function ${label(fn)} cannot be tracked because given session argument "${session}" is not of type json`;
    return undefined;
  }
  if (!arg) return `"${session}" is not an input argument of ${label(fn)} function`;
  if (!isJson(arg.type)) return `"${session}" argument of the function ${label(fn)} is not of type JSON`;
  return undefined;
}

export interface FunctionsResult {
  readonly tables: readonly TableModel[];
  readonly functions: readonly FunctionModel[];
}

/** Adds computed fields to `tables` and resolves each source's tracked functions. */
export function resolveFunctions(metadata: Metadata, catalog: Catalog, model: Model, errors: MetadataError[]): FunctionsResult {
  const index = new ModelIndex(model);
  const computed = new Map<TableModel, ComputedFieldModel[]>();
  const functions: FunctionModel[] = [];
  const rootNames = new Set(model.tables.flatMap((t) => [t.rootFields.select, t.rootFields.selectByPk, t.rootFields.selectAggregate]));
  metadata.sources.forEach((source, si) => {
    const cat = catalog.sources[source.name];
    if (!cat) return;
    source.tables.forEach((meta, ti) => {
      const tq = parseQualifiedTable(meta.table, `$.sources[${si}].tables[${ti}].table`);
      const table = index.table({ source: source.name, ...tq });
      if (!table) return;
      (meta.computed_fields ?? []).forEach((cf, ci) => {
        const path = `${table.path}.computed_fields[${ci}]`;
        const resolved = resolveComputedField(cat, index, table, cf, path, errors);
        if (resolved) computed.set(table, [...(computed.get(table) ?? []), resolved]);
      });
    });
    (source.functions ?? []).forEach((fm, fi) => {
      const path = `$.sources[${si}].functions[${fi}]`;
      const resolved = resolveFunction(cat, index, source.name, fm, path, errors);
      if (!resolved) return;
      const clash = [resolved.rootFields.select, resolved.rootFields.selectAggregate].find((n) => rootNames.has(n));
      if (clash) {
        errors.push(new MetadataError(`root field "${clash}" of function ${label(resolved)} is already used; set configuration.custom_name or custom_root_fields`, `${path}.configuration`));
        return;
      }
      rootNames.add(resolved.rootFields.select).add(resolved.rootFields.selectAggregate);
      functions.push(resolved);
    });
  });
  const tables = model.tables.map((t) => (computed.has(t) ? { ...t, computedFields: computed.get(t) } : t));
  return { tables, functions };
}

/** Hasura's `mkFunctionArgsTypeName`: `<field>_<table>_args`, under the table's naming. */
function computedArgsTypeName(field: string, table: TableModel): string {
  const naming = table.naming ?? defaultTableNaming(table.schema, table.name, table.typeName);
  return tableTypeName({ ...naming, identifier: [...words(...fromSnake(field)), ...naming.identifier] }, 'args');
}

function resolveComputedField(
  cat: SourceCatalog, index: ModelIndex, table: TableModel, cf: ComputedFieldMetadata, path: string, errors: MetadataError[],
): ComputedFieldModel | undefined {
  const fail = (reason: string, at = `${path}.definition`): undefined => {
    errors.push(new MetadataError(`the computed field "${cf.name}" cannot be added to table ${label(table)} because ${reason}`, at));
    return undefined;
  };
  if (typeof cf.name !== 'string' || !GRAPHQL_NAME.test(cf.name)) return fail(`"${String(cf.name)}" is not valid GraphQL name`, `${path}.name`);
  const clash = table.columns.some((c) => c.fieldName === cf.name) || table.relationships.some((r) => r.name === cf.name || `${r.name}_aggregate` === cf.name);
  if (clash) return fail(`a column or relationship of ${table.typeName} is already named "${cf.name}"; rename the computed field`, `${path}.name`);
  const q = parseQualifiedTable(cf.definition?.function, `${path}.definition.function`);
  const fn = lookup(cat, q);
  if (typeof fn === 'string') return fail(fn, `${path}.definition.function`);
  if (fn.volatility === 'volatile') return fail(`the function ${label(fn)} is of type VOLATILE; cannot be added as a computed field`);
  if (!fn.onlyInArgs) return fail(`the function ${label(fn)} has arguments that are not IN arguments`);
  const tableArg = cf.definition.table_argument ?? undefined;
  const row = tableArg === undefined ? 0 : fn.args.findIndex((a) => a.name === tableArg);
  if (row < 0) return fail(`"${tableArg}" is not an input argument of ${label(fn)} function`);
  const rowArg = fn.args[row];
  const argLabel = tableArg === undefined ? `first argument of the function ${label(fn)}` : `"${tableArg}" argument of the function ${label(fn)}`;
  if (!rowArg) return fail(`the function ${label(fn)} has no input arguments`);
  if (rowArg.type.schema !== table.schema || rowArg.type.name !== table.name) {
    return fail(`${argLabel} of type ${label(rowArg.type)} is not the table to which the computed field is being added`);
  }
  const sessionProblem = checkSession(fn, cf.definition.session_argument, 'computed field');
  if (sessionProblem) return fail(sessionProblem);
  let returns: ComputedFieldModel['returns'];
  if (fn.returnsSet && fn.returnTable) {
    const target = index.table({ source: table.source, ...fn.returnTable });
    if (!target) return fail(`the function ${label(fn)} returning set of table ${label(fn.returnTable)} is not tracked or not found in database`);
    returns = { kind: 'table', table: { source: target.source, schema: target.schema, name: target.name } };
  } else if (!fn.returnsSet && !fn.returnTable) {
    returns = { kind: 'scalar', type: fn.returnType };
  } else {
    return fail(`the function ${label(fn)} returning type ${fn.returnType.name} is not a BASE type`);
  }
  return {
    name: cf.name,
    function: { schema: fn.schema, name: fn.name, params: params(fn, row, cf.definition.session_argument ?? undefined), argsTypeName: computedArgsTypeName(cf.name, table) },
    returns,
    description: cf.comment ?? fn.comment ?? `A computed field, executes function ${label(fn)}`,
    path,
  };
}

function resolveFunction(
  cat: SourceCatalog, index: ModelIndex, source: string, fm: FunctionMetadata, path: string, errors: MetadataError[],
): FunctionModel | undefined {
  const q = parseQualifiedTable(fm.function, `${path}.function`);
  const fail = (reason: string, at = `${path}.function`): undefined => {
    errors.push(new MetadataError(`in function ${label(q)}: ${reason}`, at));
    return undefined;
  };
  const fn = lookup(cat, q);
  if (typeof fn === 'string') return fail(fn);
  if (!fn.onlyInArgs) return fail(`the function ${label(fn)} cannot be tracked because it has arguments that are not IN arguments; only IN arguments are supported`);
  if (!fn.returnTable) return fail(`the function ${label(fn)} cannot be tracked because the function does not return a table`);
  const returns = index.table({ source, ...fn.returnTable });
  if (!returns) return fail(`the function ${label(fn)} cannot be tracked because it returns table ${label(fn.returnTable)}, which is not tracked; track it first`);
  const conf = fm.configuration ?? {};
  if (conf.exposed_as !== undefined && conf.exposed_as !== 'query' && conf.exposed_as !== 'mutation') {
    return fail(`exposed_as must be "query" or "mutation"`, `${path}.configuration.exposed_as`);
  }
  if (conf.exposed_as === 'mutation' && fn.volatility !== 'volatile') {
    return fail(`the function ${label(fn)} cannot be tracked because the function was requested to be exposed as a mutation, but is not marked VOLATILE. Maybe the function was given the wrong volatility when it was defined?`, `${path}.configuration.exposed_as`);
  }
  const sessionProblem = checkSession(fn, conf.session_argument, 'function');
  if (sessionProblem) return fail(sessionProblem, `${path}.configuration.session_argument`);
  // Named like a table (schema/naming.ts): the source's convention and prefixes apply.
  const naming: TableNaming = { identifier: tableIdentifier(fn.schema, fn.name, conf.custom_name), customization: returns.naming?.customization ?? DEFAULT_CUSTOMIZATION };
  const custom = conf.custom_root_fields ?? {};
  const select = custom.function !== undefined ? rootFieldWrap(naming.customization, custom.function) : tableRootField(naming, [], []);
  const selectAggregate = custom.function_aggregate !== undefined ? rootFieldWrap(naming.customization, custom.function_aggregate) : tableRootField(naming, [], ['aggregate']);
  const argsTypeName = tableTypeName(naming, 'args');
  const bad = [argsTypeName, select, selectAggregate].find((n) => !GRAPHQL_NAME.test(n));
  if (bad !== undefined) return fail(`"${bad}" is not a valid GraphQL name; set configuration.custom_name`, `${path}.configuration`);
  const exposedAs = conf.exposed_as ?? (fn.volatility === 'volatile' ? 'mutation' : 'query');
  return {
    source,
    schema: fn.schema,
    name: fn.name,
    params: params(fn, undefined, conf.session_argument),
    argsTypeName,
    rootFields: { select, selectAggregate },
    returns: { source, schema: returns.schema, name: returns.name },
    returnsSet: fn.returnsSet,
    exposedAs,
    roles: (fm.permissions ?? []).map((p) => p.role),
    description: fm.comment ?? fn.comment ?? (exposedAs === 'mutation'
      ? `execute VOLATILE function ${label(fn)} which returns ${label(returns)}`
      : `execute function ${label(fn)} which returns ${label(returns)}`),
    path,
  };
}
