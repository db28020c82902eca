/**
 * Lowering (DESIGN.md §5): a validated GraphQL operation plus coerced variables → IR.
 * Arguments are read with graphql-js's own coercion (`getArgumentValues`), so variables,
 * defaults and literal coercion behave exactly as the spec says, under Hasura's default
 * names whatever the source's naming convention (schema/canonical.ts).
 */
import {
  getNamedType,
  isObjectType,
  type FieldNode,
  type SelectionSetNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { FarjoinError, invariant } from '../errors.js';
import { argumentsOf, hasuraName } from '../schema/canonical.js';
import { fieldCase, namingOf } from '../schema/naming.js';
import type { ColumnModel, ComputedFieldModel, RelationshipModel, TableModel } from '../metadata/model.js';
import type { RootFieldInfo, SchemaInfo } from '../schema/build.js';
import { andMaybe, lowerBoolExp, type BoolExpContext } from './bool-exp.js';
import type { Permissions, SessionInput } from '../permissions/filters.js';
import type { FunctionRootFieldInfo } from '../schema/functions.js';
import { lowerFunctionCall } from './function-call.js';
import { computedOperand } from './computed-operands.js';
import { collectFields, subSelections, type CollectContext } from './collect.js';
import { lowerOrderBy } from './order-by.js';
import { lowerAggregateFields } from './aggregate.js';
import { parseJsonPath } from './json-path.js';
import { streamQuery, type StreamCursor } from './stream.js';
import { lowerMutationField } from './lower-mutation.js';
import type { AggregateQueryIR, BoolExpIR, FieldIR, ListArgsIR, ListQueryIR, OperationIR, RootFieldIR, SelectionIR } from './types.js';

export interface LowerInput {
  readonly schema: GraphQLSchema;
  readonly info: SchemaInfo;
  readonly operation: OperationDefinitionNode;
  readonly collect: CollectContext;
  /** Root fields answered without a database (introspection), by response key. */
  readonly constants: ReadonlyMap<string, unknown>;
  /** The role's row filters and limits (permissions/filters.ts). */
  readonly permissions: Permissions;
  /** A streaming subscription's current cursor (after its first batch); see ir/stream.ts. */
  readonly streamCursor?: StreamCursor | undefined;
  /** The session, for functions' session arguments (default: admin). */
  readonly session?: SessionInput | undefined;
  /** Most rows one mutation field may insert, nested rows included (default 10,000). */
  readonly maxMutationRows?: number | undefined;
}

interface Scope {
  readonly input: LowerInput;
  /** Hasura-style error path, `$.selectionSet.orders.selectionSet.user`. */
  readonly errorPath: string;
  /** Response path for explain, `orders.user`. */
  readonly responsePath: string;
}

export function lowerOperation(input: LowerInput): OperationIR {
  const { schema, operation } = input;
  if (operation.operation === 'mutation' && !schema.getMutationType()) {
    // Hasura's answer when the schema has no mutation root.
    throw new FarjoinError('validation-failed', `no ${operation.operation}s exist`, { path: '$' });
  }
  // A subscription is a live query over the same root fields (runtime/live/), or a stream.
  // The mutation root holds VOLATILE tracked functions: their call is the statement's FROM
  // item, which Postgres runs once, committed with the statement.
  const rootType = operation.operation === 'subscription' ? schema.getSubscriptionType()
    : operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  invariant(rootType, 'schema has a query type');
  const fields: RootFieldIR[] = [];
  lowerRootFields(input, rootType, [operation.selectionSet], input.info.rootFields, undefined, fields);
  return { kind: 'operation', operationType: operation.operation === 'mutation' ? 'mutation' : 'query', fields };
}

/**
 * The root fields of `rootType` (or of a source's `root_fields.namespace` object, then
 * `namespace` is its response key: the fields' keys become `namespace.key`, which the
 * runtime nests as `{namespace: {key: …}}`; issue 11 item 5).
 */
function lowerRootFields(
  input: LowerInput, rootType: GraphQLObjectType, sets: readonly SelectionSetNode[], infos: ReadonlyMap<string, RootFieldInfo>,
  namespace: string | undefined, fields: RootFieldIR[],
): void {
  for (const [alias, nodes] of collectFields(input.collect, rootType.name, sets)) {
    const key = namespace === undefined ? alias : `${namespace}.${alias}`;
    const node = nodes[0];
    invariant(node, 'collected at least one node');
    const name = node.name.value;
    const scope: Scope = { input, errorPath: namespace === undefined ? `$.selectionSet.${alias}` : `$.selectionSet.${namespace}.selectionSet.${alias}`, responsePath: key };
    if (name === '__typename') {
      fields.push({ kind: 'constant', key, value: rootType.name });
      continue;
    }
    const ns = namespace === undefined ? input.info.namespaces?.get(name) : undefined;
    const nsDef = ns ? rootType.getFields()[name] : undefined;
    const nsType = nsDef ? getNamedType(nsDef.type) : undefined;
    if (ns && nsType && isObjectType(nsType)) {
      lowerRootFields(input, nsType, subSelections(nodes), ns.rootFields, alias, fields);
      continue;
    }
    if (namespace === undefined && input.constants.has(key)) {
      fields.push({ kind: 'constant', key, value: input.constants.get(key) });
      continue;
    }
    if (name === 'no_queries_available' && !infos.has(name)) {
      fields.push({ kind: 'constant', key, value: 'There are no queries available to the current role. Either there are no sources or tables tracked or there are no permissions configured' });
      continue;
    }
    const root = infos.get(name);
    const def = rootType.getFields()[name];
    if (!root || !def) throw new FarjoinError('validation-failed', `field '${name}' not found in type: '${rootType.name}'`, { path: scope.errorPath });
    const args = argumentsOf(def, node, input.collect.variables);
    if (root.kind === 'mutation') {
      const selection = (table: TableModel, n: readonly FieldNode[], errorPath: string, responsePath: string): SelectionIR => lowerSelection({ input, errorPath, responsePath }, table, n);
      fields.push(lowerMutationField({ input, selection }, root.op, root.table, key, nodes, args, scope.errorPath));
      continue;
    }
    if (root.kind === 'function' || root.kind === 'function-aggregate') {
      fields.push(lowerFunctionRoot(scope, key, root, nodes, args));
      continue;
    }
    if (root.kind === 'select-aggregate') {
      fields.push({ kind: 'select-aggregate', key, path: key, query: lowerAggregateQuery(scope, root.table, nodes, args) });
      continue;
    }
    const selection = lowerSelection(scope, root.table, nodes);
    if (root.kind === 'select-stream') {
      const list = lowerListQuery(scope, root.table, selection, { where: args.where });
      fields.push({ kind: 'select', key, path: key, query: streamQuery(root.table, list, args, input.streamCursor, scope.errorPath) });
      continue;
    }
    if (root.kind === 'select') {
      fields.push({ kind: 'select', key, path: key, query: lowerListQuery(scope, root.table, selection, args) });
    } else {
      const where = andMaybe(byPkFilter(root.table, args), input.permissions.filter(root.table));
      fields.push({
        kind: 'select-one', key, path: key,
        query: { kind: 'list-query', selection, where, orderBy: [], distinctOn: [], limit: undefined, offset: undefined },
      });
    }
  }
}

/** A tracked function's root field: the table's list, one-row or aggregate query over the call's rows. */
function lowerFunctionRoot(scope: Scope, key: string, root: FunctionRootFieldInfo, nodes: readonly FieldNode[], args: Record<string, unknown>): RootFieldIR {
  const from = lowerFunctionCall(root.fn, args.args, scope.input.session, scope.errorPath);
  if (root.kind === 'function-aggregate') return { kind: 'select-aggregate', key, path: key, query: { ...lowerAggregateQuery(scope, root.table, nodes, args), from } };
  const query: ListQueryIR = { ...lowerListQuery(scope, root.table, lowerSelection(scope, root.table, nodes), args), from };
  return { kind: root.fn.returnsSet ? 'select' : 'select-one', key, path: key, query };
}

/** A computed field of `table`: a scalar of the row, or the rows (or aggregate) of a `SETOF` function of it. */
function lowerComputedField(
  scope: Scope, key: string, table: TableModel, cf: ComputedFieldModel, aggregate: boolean, def: GraphQLField<unknown, unknown>, nodes: readonly FieldNode[],
): FieldIR {
  const node = nodes[0];
  invariant(node, 'field node');
  const args = argumentsOf(def, node, scope.input.collect.variables);
  const call = lowerFunctionCall(cf.function, args.args, scope.input.session, scope.errorPath, table);
  if (cf.returns.kind === 'scalar') {
    const jsonPath = typeof args.path === 'string' ? parseJsonPath(args.path, `${scope.errorPath}.args.path`) : undefined;
    return { kind: 'computed-scalar', key, call, type: cf.returns.type, ...(jsonPath ? { jsonPath } : {}) };
  }
  const target = scope.input.info.index.table(cf.returns.table);
  invariant(target, `computed field ${cf.name} returns a table the role may read`);
  const query = aggregate
    ? { ...lowerAggregateQuery(scope, target, nodes, args), from: call }
    : { ...lowerListQuery(scope, target, lowerSelection(scope, target, nodes), args), from: call };
  return { kind: 'computed-table', key, query };
}

function boolExpContext(input: LowerInput): BoolExpContext {
  return { index: input.info.index, permission: (t) => input.permissions.filter(t), computed: (t, name, path) => computedOperand(input.info.index, t, name, input.session, path) };
}

function byPkFilter(table: TableModel, args: Record<string, unknown>): BoolExpIR {
  const items: BoolExpIR[] = table.catalog.primaryKey.map((name) => {
    const column = table.columns.find((c) => c.name === name);
    invariant(column, `primary key column ${name} exists`);
    return { kind: 'compare', column, op: '_eq', value: args[column.fieldName] };
  });
  return { kind: 'and', items };
}

function lowerAggregateQuery(scope: Scope, table: TableModel, nodes: readonly FieldNode[], args: Record<string, unknown>): AggregateQueryIR {
  const listArgs = lowerListArgs(scope, table, args, false);
  const fields = lowerAggregateFields(
    {
      schema: scope.input.schema,
      collect: scope.input.collect,
      selection: (t, n, errorPath, responsePath) => lowerSelection({ input: scope.input, errorPath, responsePath }, t, n),
    },
    table, nodes, scope.errorPath, scope.responsePath,
  );
  // Hasura: with aggregates, the permission limit bounds `nodes` only (see AggregateQueryIR).
  const cap = scope.input.permissions.limit(table);
  if (fields.some((f) => f.kind === 'aggregate')) return { kind: 'aggregate-query', table, ...listArgs, fields, nodesLimit: cap };
  return { kind: 'aggregate-query', table, ...listArgs, limit: minLimit(listArgs.limit, cap), fields, nodesLimit: undefined };
}

function lowerListQuery(scope: Scope, table: TableModel, selection: SelectionIR, args: Record<string, unknown>): ListQueryIR {
  return { kind: 'list-query', selection, ...lowerListArgs(scope, table, args) };
}

/** where / order_by / limit / offset / distinct_on, shared by list and aggregate fields. */
function lowerListArgs(scope: Scope, table: TableModel, args: Record<string, unknown>, permissionLimit = true): ListArgsIR {
  const { permissions } = scope.input;
  const ctx = boolExpContext(scope.input);
  // Error paths name the arguments as the request wrote them (`orderBy` under graphql-default).
  const c = namingOf(table).customization;
  const argPath = (hasura: string) => `${scope.errorPath}.args.${fieldCase(c, hasura)}`;
  const userWhere = lowerBoolExp(ctx, table, args.where, argPath('where'));
  // The role's row filter applies to every read of the table, whatever the user asked.
  const where = andMaybe(userWhere, permissions.filter(table));
  const orderBy = lowerOrderBy(ctx, table, args.order_by, argPath('order_by'));
  const userLimit = nonNegative(args.limit, `${scope.errorPath}.args.limit`);
  const limit = permissionLimit ? minLimit(userLimit, permissions.limit(table)) : userLimit;
  const offset = nonNegative(args.offset, `${scope.errorPath}.args.offset`);
  const distinctOn = lowerDistinctOn(table, args.distinct_on, argPath('distinct_on'));
  if (distinctOn.length > 0 && orderBy.length > 0) {
    const leading = orderBy.slice(0, distinctOn.length);
    const matches = leading.length === distinctOn.length &&
      distinctOn.every((c) => leading.some((o) => o.path.length === 0 && o.target.kind === 'column' && o.target.column.name === c.name));
    if (!matches) {
      throw new FarjoinError('validation-failed', '"distinct_on" columns must match initial "order_by" columns', { path: `${scope.errorPath}.args` });
    }
  }
  return { where, orderBy, distinctOn, limit, offset };
}

function minLimit(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

/** `limit` / `offset`: Hasura's non-negative Int, refused in its words (`not-supported`, `unexpected negative value`). */
function nonNegative(v: unknown, path: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new FarjoinError('not-supported', 'unexpected negative value', { path });
  }
  return v;
}

function lowerDistinctOn(table: TableModel, v: unknown, path: string): ColumnModel[] {
  if (v === undefined || v === null) return [];
  const names = Array.isArray(v) ? v : [v];
  return names.map((name) => {
    const c = table.columns.find((x) => x.fieldName === name);
    if (!c) throw new FarjoinError('validation-failed', `unknown column "${String(name)}" in distinct_on`, { path });
    return c;
  });
}

function lowerSelection(scope: Scope, table: TableModel, nodes: readonly FieldNode[]): SelectionIR {
  const { input } = scope;
  const type = input.schema.getType(table.typeName) as GraphQLObjectType | undefined;
  invariant(type, `object type ${table.typeName} exists`);
  const gqlFields = type.getFields();
  const fields: FieldIR[] = [];
  for (const [key, group] of collectFields(input.collect, table.typeName, subSelections(nodes))) {
    const node = group[0];
    invariant(node, 'collected at least one node');
    const name = node.name.value;
    const child: Scope = {
      input,
      errorPath: `${scope.errorPath}.selectionSet.${key}`,
      responsePath: `${scope.responsePath}.${key}`,
    };
    if (name === '__typename') {
      fields.push({ kind: 'typename', key, typename: table.typeName });
      continue;
    }
    const column = table.columns.find((c) => c.fieldName === name);
    if (column) {
      const def = gqlFields[name];
      const args = def && def.args.length > 0 ? argumentsOf(def, node, input.collect.variables) : {};
      const jsonPath = typeof args.path === 'string' ? parseJsonPath(args.path, `${child.errorPath}.args.path`) : undefined;
      fields.push(jsonPath ? { kind: 'column', key, column, jsonPath } : { kind: 'column', key, column });
      continue;
    }
    const computed = table.computedFields?.find((c) => c.name === name || (c.returns.kind === 'table' && `${c.name}_aggregate` === name));
    const computedDef = gqlFields[name];
    if (computed && computedDef) {
      fields.push(lowerComputedField(child, key, table, computed, computed.name !== name, computedDef, group));
      continue;
    }
    const def = gqlFields[name];
    // `orderLinesAggregate` under graphql-default is `orderLines_aggregate`.
    const fieldName = def ? hasuraName(def) : name;
    const aggRel = fieldName.endsWith('_aggregate') ? table.relationships.find((r) => r.type === 'array' && `${r.name}_aggregate` === fieldName) : undefined;
    const rel = aggRel ?? table.relationships.find((r) => r.name === name);
    if (!rel || !def) throw new FarjoinError('validation-failed', `field '${name}' not found in type: '${table.typeName}'`, { path: child.errorPath });
    fields.push(aggRel ? lowerRelationshipAggregate(child, key, aggRel, def, group) : lowerRelationship(child, key, rel, def, group));
  }
  return { kind: 'selection', table, fields };
}

/** The role's view of a relationship's target table, and the first field node. */
function relationshipTarget(scope: Scope, rel: RelationshipModel, nodes: readonly FieldNode[]): { target: TableModel; node: FieldNode } {
  const target = scope.input.info.index.table(rel.target);
  invariant(target, `relationship target ${rel.target.name} is tracked`);
  const node = nodes[0];
  invariant(node, 'field node');
  return { target, node };
}

function lowerRelationshipAggregate(
  scope: Scope, key: string, rel: RelationshipModel, def: GraphQLField<unknown, unknown>, nodes: readonly FieldNode[],
): FieldIR {
  const { target, node } = relationshipTarget(scope, rel, nodes);
  const query = lowerAggregateQuery(scope, target, nodes, argumentsOf(def, node, scope.input.collect.variables));
  if (rel.remote) {
    return { kind: 'remote-relationship', key, path: scope.responsePath, relationship: rel.name, relationshipType: 'array', mapping: rel.mapping, query };
  }
  return { kind: 'array-aggregate', key, mapping: rel.mapping, query };
}

function lowerRelationship(
  scope: Scope, key: string, rel: RelationshipModel, def: GraphQLField<unknown, unknown>, nodes: readonly FieldNode[],
): FieldIR {
  const { target, node } = relationshipTarget(scope, rel, nodes);
  const selection = lowerSelection(scope, target, nodes);
  const args = rel.type === 'array' ? argumentsOf(def, node, scope.input.collect.variables) : {};
  const query = rel.type === 'array'
    ? lowerListQuery(scope, target, selection, args)
    : { kind: 'list-query' as const, selection, where: scope.input.permissions.filter(target), orderBy: [], distinctOn: [], limit: undefined, offset: undefined };
  if (rel.remote) {
    return {
      kind: 'remote-relationship', key, path: scope.responsePath, relationship: rel.name,
      relationshipType: rel.type, mapping: rel.mapping, query,
    };
  }
  if (rel.type === 'object') return { kind: 'object-relationship', key, mapping: rel.mapping, selection, where: query.where };
  return { kind: 'array-relationship', key, mapping: rel.mapping, query };
}
