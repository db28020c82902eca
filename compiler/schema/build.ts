/**
 * Resolved model → GraphQLSchema with Hasura's naming (DESIGN.md §4). The schema is
 * only used to parse, validate and introspect; execution goes through the IR and plans.
 */
import {
  GraphQLInt,
  GraphQLString,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
  type GraphQLOutputType,
} from 'graphql';
import type { Model, TableModel } from '../metadata/model.js';
import { qualified } from '../metadata/inconsistent.js';
import { ModelIndex } from '../metadata/model.js';
import { AggregateTypes } from './aggregates.js';
import { SCHEMA_DIRECTIVES } from './cached-directive.js';
import { InputTypes } from './inputs.js';
import { ScalarRegistry } from './scalars.js';
import { sorted } from './sorted.js';
import { as } from './canonical.js';
import { fieldCase, namingOf, tableRootField, namespaceTypeName, type SourceCustomization } from './naming.js';
import { streamField } from './stream.js';
import { addComputedFields } from './computed-fields.js';
import { FunctionArgTypes } from './function-args.js';
import { functionRootFields, type FunctionRootFieldInfo } from './functions.js';
import type { SchemaParts } from './parts.js';
import { mutationFields, type MutationOp } from './mutations.js';

export type RootFieldInfo =
  | { readonly kind: 'select'; readonly table: TableModel }
  | { readonly kind: 'select-by-pk'; readonly table: TableModel }
  | { readonly kind: 'select-aggregate'; readonly table: TableModel }
  /** `T_stream` (subscription root only). */
  | { readonly kind: 'select-stream'; readonly table: TableModel }
  /** Tracked functions (functions.ts). */
  | FunctionRootFieldInfo
  /** `insert_T`, `update_T_by_pk` … (mutation root only; schema/mutations.ts). */
  | { readonly kind: 'mutation'; readonly op: MutationOp; readonly table: TableModel };

/** What lowering needs to map GraphQL names back to the model. */
export interface SchemaInfo {
  readonly index: ModelIndex;
  readonly rootFields: ReadonlyMap<string, RootFieldInfo>;
  readonly tableByType: ReadonlyMap<string, TableModel>;
  /** Sources' `root_fields.namespace` fields: each namespace's own root fields. */
  readonly namespaces?: ReadonlyMap<string, { readonly rootFields: ReadonlyMap<string, RootFieldInfo> }>;
}

export interface BuiltSchema {
  readonly schema: GraphQLSchema;
  readonly info: SchemaInfo;
}

/** Admins aggregate everything; a role only with `allow_aggregations`. */
function canAggregate(table: TableModel): boolean {
  return !table.access || table.access.allowAggregations;
}

export interface BuildOptions {
  /**
   * The schema of requests that use backend-only permissions
   * (`x-hasura-use-backend-only-permissions`): Hasura's backend scenario, whose namespaced
   * mutation fields are typed `<namespace>_mutation_backend` instead of `_frontend`.
   */
  readonly backendOnly?: boolean;
}

export function buildSchema(model: Model, options: BuildOptions = {}): BuiltSchema {
  const index = new ModelIndex(model);
  const scalars = new ScalarRegistry();
  const inputs = new InputTypes(scalars, (ref) => index.table(ref));
  const aggregates = new AggregateTypes(scalars, inputs);
  inputs.aggregateOrderBy = (t) => (canAggregate(t) ? aggregates.orderBy(t) : undefined);
  const objectTypes = new Map<string, GraphQLObjectType>();
  const tableByType = new Map<string, TableModel>();
  const rootFields = new Map<string, RootFieldInfo>();

  /** `distinct_on, limit, offset, order_by, where` (`distinctOn`, `orderBy` under graphql-default). */
  const listArgs = (table: TableModel): GraphQLFieldConfigArgumentMap => {
    const c = namingOf(table).customization;
    const args: GraphQLFieldConfigArgumentMap = {};
    const arg = (hasura: string, config: GraphQLFieldConfigArgumentMap[string]): void => {
      const name = fieldCase(c, hasura);
      args[name] = { ...config, ...as(name, hasura) };
    };
    const selectColumn = inputs.selectColumn(table);
    if (selectColumn) arg('distinct_on', { type: new GraphQLList(new GraphQLNonNull(selectColumn)), description: 'distinct select on columns' });
    arg('limit', { type: GraphQLInt, description: 'limit the number of rows returned' });
    arg('offset', { type: GraphQLInt, description: 'skip the first n rows. Use only with order_by' });
    arg('order_by', { type: new GraphQLList(new GraphQLNonNull(inputs.orderBy(table))), description: 'sort the rows by one or more columns' });
    arg('where', { type: inputs.boolExp(table), description: 'filter the rows returned' });
    return sorted(args);
  };

  const objectType = (table: TableModel): GraphQLObjectType => {
    let type = objectTypes.get(table.typeName);
    if (type) return type;
    type = new GraphQLObjectType({
      name: table.typeName,
      description: table.catalog.comment ?? `columns and relationships of "${qualified(table)}"${table.source ? ` (source ${table.source})` : ''}`,
      fields: () => {
        const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
        for (const c of table.columns) {
          const scalar = scalars.forColumn(c);
          const type = c.catalog.nullable ? scalar : new GraphQLNonNull(scalar);
          const described = c.catalog.comment ? { description: c.catalog.comment } : {};
          fields[c.fieldName] = isJsonColumn(c)
            ? { type: scalar, args: { path: { type: GraphQLString, description: 'JSON select path' } }, ...described }
            : { type, ...described };
        }
        for (const r of table.relationships) {
          const target = index.table(r.target);
          if (!target) continue;
          Object.assign(fields, relationshipFields(table, r, target));
        }
        addComputedFields(fields, table, parts);
        return sorted(fields);
      },
    });
    objectTypes.set(table.typeName, type);
    tableByType.set(table.typeName, table);
    return type;
  };

  /**
   * Hasura's types: a local object relationship is `T` (nullable unless the key is a
   * non-null foreign key, which farjoin does not distinguish), a local array `[T!]!` and its
   * aggregate `T_aggregate!`, with descriptions; a remote (to_source) object relationship is
   * `T` and a remote array `[T!]!` / `T_aggregate!`, without descriptions (server
   * `Hasura.GraphQL.Schema.RemoteSource`). A remote array whose key has a null part answers
   * `null` all the same (DESIGN.md §5.1), as Hasura's does.
   */
  const relationshipFields = (owner: TableModel, r: TableModel['relationships'][number], target: TableModel): GraphQLFieldConfigMap<unknown, unknown> => {
    const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
    const described = (text: string): { description?: string } => (r.remote ? {} : { description: text });
    if (r.type === 'object') {
      fields[r.name] = { type: r.nonNullable ? new GraphQLNonNull(objectType(target)) : objectType(target), ...described('An object relationship') };
      return fields;
    }
    fields[r.name] = { type: listOf(objectType(target)), args: listArgs(target), ...described('An array relationship') };
    if (canAggregate(target)) {
      const agg = aggregates.aggregate(target, () => objectType(target));
      const name = fieldCase(namingOf(owner).customization, `${r.name}_aggregate`);
      fields[name] = { type: new GraphQLNonNull(agg), args: listArgs(target), ...described('An aggregate relationship'), ...as(name, `${r.name}_aggregate`) };
    }
    return fields;
  };

  const parts: SchemaParts = { index, scalars, aggregates, functionArgs: new FunctionArgTypes(scalars), objectType, listArgs, canAggregate };
  const queryFields: GraphQLFieldConfigMap<unknown, unknown> = {};
  /** Streaming fields, added to the subscription root beside the query root's fields. */
  const streamFields: GraphQLFieldConfigMap<unknown, unknown> = {};
  /** Hasura's mutation_root: table mutations and VOLATILE tracked functions. */
  const mutationRoot: GraphQLFieldConfigMap<unknown, unknown> = {};
  /** Root fields of sources with `root_fields.namespace` (issue 11 item 5), per namespace. */
  const namespaces = new Map<string, Namespace>();
  const rootsOf = (table: TableModel): Namespace => {
    const c = namingOf(table).customization;
    const ns = c.rootFields.namespace;
    if (ns === undefined) return { query: queryFields, stream: streamFields, mutation: mutationRoot, info: rootFields, customization: c };
    let n = namespaces.get(ns);
    if (!n) {
      n = { query: {}, stream: {}, mutation: {}, info: new Map(), customization: c };
      namespaces.set(ns, n);
    }
    return n;
  };
  for (const table of model.tables) {
    const type = objectType(table);
    const names = table.rootFields;
    const roots = rootsOf(table);
    const exposed = (f: 'select' | 'select_by_pk' | 'select_aggregate'): boolean => !table.access || table.access.rootFields.has(f);
    if (exposed('select')) {
      roots.query[names.select] = {
        type: listOf(type),
        args: listArgs(table),
        description: `fetch data from the table: "${qualified(table)}"`,
      };
      roots.info.set(names.select, { kind: 'select', table });
      // A stream's cursor is made of columns: a role that selects none has no `T_stream`.
      if (table.columns.length > 0) {
        const stream = names.selectStream ?? tableRootField(namingOf(table), [], ['stream']);
        roots.stream[stream] = streamField(table, type, inputs, scalars);
        roots.info.set(stream, { kind: 'select-stream', table });
      }
    }
    if (exposed('select_aggregate') && canAggregate(table)) {
      roots.query[names.selectAggregate] = {
        type: new GraphQLNonNull(aggregates.aggregate(table, () => type)),
        args: listArgs(table),
        description: `fetch aggregated fields from the table: "${qualified(table)}"`,
      };
      roots.info.set(names.selectAggregate, { kind: 'select-aggregate', table });
    }
    const pk = table.catalog.primaryKey;
    // by-pk needs every key column to be readable by the role.
    if (exposed('select_by_pk') && pk.length > 0 && pk.every((name) => table.columns.some((c) => c.name === name))) {
      const args: GraphQLFieldConfigArgumentMap = {};
      for (const name of pk) {
        const c = table.columns.find((x) => x.name === name);
        if (c) args[c.fieldName] = { type: new GraphQLNonNull(scalars.forColumn(c)) };
      }
      const byPk = names.selectByPk;
      roots.query[byPk] = { type, args, description: `fetch data from the table: "${qualified(table)}" using primary key columns` };
      roots.info.set(byPk, { kind: 'select-by-pk', table });
    }
  }

  // Functions go with their source's root fields (namespaced too): query ones with the queries, VOLATILE ones with the mutations.
  const functions = functionRootFields(model, parts);
  for (const [name, f] of functions.info) {
    const roots = rootsOf(f.table);
    const query = functions.query[name];
    const mutation = functions.mutation[name];
    if (query) roots.query[name] = query;
    else if (mutation) roots.mutation[name] = mutation;
    roots.info.set(name, f);
  }
  mutationFields(model, {
    scalars, inputs, objectType, tableOf: (ref) => index.table(ref),
    add: (table, name, op, config) => {
      const roots = rootsOf(table);
      roots.mutation[name] = config;
      roots.info.set(name, { kind: 'mutation', op, table });
    },
  });

  // Hasura nests a namespaced source's root fields under one field of type `<namespace>_query`
  // (`_subscription`, and `_mutation_frontend`, or `_mutation_backend` for backend-only requests).
  for (const [ns, n] of namespaces) {
    const typeName = (root: string) => namespaceTypeName(n.customization, ns, root);
    if (Object.keys(n.query).length > 0) queryFields[ns] = { type: new GraphQLNonNull(new GraphQLObjectType({ name: typeName('query'), fields: sorted(n.query) })) };
    const live = { ...n.query, ...n.stream };
    if (Object.keys(live).length > 0) streamFields[ns] = { type: new GraphQLNonNull(new GraphQLObjectType({ name: typeName('subscription'), fields: sorted(live) })) };
    if (Object.keys(n.mutation).length > 0) {
      mutationRoot[ns] = { type: new GraphQLNonNull(new GraphQLObjectType({ name: typeName(options.backendOnly ? 'mutation_backend' : 'mutation_frontend'), fields: sorted(n.mutation) })) };
    }
  }


  if (Object.keys(queryFields).length === 0) {
    // Hasura's placeholder when nothing is tracked: a schema needs at least one field.
    queryFields.no_queries_available = { type: new GraphQLNonNull(GraphQLString), resolve: () => 'There are no queries available to the current role. Either there are no sources or tables tracked or there are no permissions configured' };
  }
  const query = new GraphQLObjectType({ name: 'query_root', fields: sorted(queryFields) });
  // Hasura's subscription_root: every query root field as a live query, plus `T_stream`.
  const subscription = new GraphQLObjectType({ name: 'subscription_root', fields: sorted({ ...queryFields, ...streamFields }) });
  // Hasura's mutation_root exists only when some field does.
  const mutation = Object.keys(mutationRoot).length > 0 ? new GraphQLObjectType({ name: 'mutation_root', fields: sorted(mutationRoot) }) : undefined;
  const schema = new GraphQLSchema({ query, subscription, ...(mutation ? { mutation } : {}), directives: SCHEMA_DIRECTIVES });
  const namespaceInfo = new Map([...namespaces].map(([ns, n]) => [ns, { rootFields: n.info }] as const));
  return { schema, info: { index, rootFields, tableByType, namespaces: namespaceInfo } };
}

/** Where a table's root fields go: the root types, or its source's namespace. */
interface Namespace {
  readonly query: GraphQLFieldConfigMap<unknown, unknown>;
  readonly stream: GraphQLFieldConfigMap<unknown, unknown>;
  readonly mutation: GraphQLFieldConfigMap<unknown, unknown>;
  readonly info: Map<string, RootFieldInfo>;
  readonly customization: SourceCustomization;
}

function isJsonColumn(c: TableModel['columns'][number]): boolean {
  const t = c.catalog.type;
  return t.schema === 'pg_catalog' && (t.name === 'json' || t.name === 'jsonb');
}

function listOf(type: GraphQLOutputType): GraphQLOutputType {
  return new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(type)));
}
