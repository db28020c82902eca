/** `T_aggregate` / `<rel>_aggregate` selections → AggregateQueryIR (Hasura semantics). */
import { FarjoinError, invariant } from '../errors.js';
import type { ColumnModel, TableModel } from '../metadata/model.js';
import { collectFields, subSelections, type CollectContext } from './collect.js';
import type { FieldNode, GraphQLObjectType, GraphQLSchema } from 'graphql';
import { argumentsOf, hasuraName } from '../schema/canonical.js';
import { namingOf, opWords, tableTypeName } from '../schema/naming.js';
import type { AggregateColumnIR, AggregateFieldIR, AggregateOp, AggregateValueIR, SelectionIR } from './types.js';

const OPS: ReadonlySet<string> = new Set<AggregateOp>(['sum', 'avg', 'max', 'min', 'stddev', 'stddev_pop', 'stddev_samp', 'var_pop', 'var_samp', 'variance']);

export interface AggregateLowering {
  readonly schema: GraphQLSchema;
  readonly collect: CollectContext;
  /** Lowers `nodes { … }` like any row selection (relationships and remote fields included). */
  readonly selection: (table: TableModel, nodes: readonly FieldNode[], errorPath: string, responsePath: string) => SelectionIR;
}

export function lowerAggregateFields(
  ctx: AggregateLowering, table: TableModel, nodes: readonly FieldNode[], errorPath: string, responsePath: string,
): AggregateFieldIR[] {
  const typeName = tableTypeName(namingOf(table), 'aggregate');
  const out: AggregateFieldIR[] = [];
  for (const [key, group] of collectFields(ctx.collect, typeName, subSelections(nodes))) {
    const name = group[0]?.name.value;
    const path = `${errorPath}.selectionSet.${key}`;
    if (name === '__typename') out.push({ kind: 'typename', key, typename: typeName });
    else if (name === 'nodes') out.push({ kind: 'nodes', key, selection: ctx.selection(table, group, path, `${responsePath}.${key}`) });
    else if (name === 'aggregate') out.push({ kind: 'aggregate', key, values: lowerValues(ctx, table, group, path) });
    else throw new FarjoinError('validation-failed', `field '${String(name)}' not found in type: '${typeName}'`, { path });
  }
  return out;
}

function lowerValues(ctx: AggregateLowering, table: TableModel, nodes: readonly FieldNode[], errorPath: string): AggregateValueIR[] {
  const typeName = tableTypeName(namingOf(table), 'aggregate', 'fields');
  const type = ctx.schema.getType(typeName) as GraphQLObjectType | undefined;
  invariant(type, `${typeName} exists`);
  const out: AggregateValueIR[] = [];
  for (const [key, group] of collectFields(ctx.collect, typeName, subSelections(nodes))) {
    const node = group[0];
    invariant(node, 'field node');
    // Under graphql-default `stddevPop` is `stddev_pop` (schema/canonical.ts).
    const graphqlName = node.name.value;
    const field = type.getFields()[graphqlName];
    const name = field ? hasuraName(field) : graphqlName;
    const path = `${errorPath}.selectionSet.${key}`;
    if (name === '__typename') {
      out.push({ kind: 'typename', key, typename: typeName });
    } else if (name === 'count') {
      const def = type.getFields().count;
      invariant(def, 'count field');
      const args = argumentsOf(def, node, ctx.collect.variables);
      const names = (args.columns ?? []) as string[];
      const columns = names.map((n) => columnByField(table, n, path));
      out.push({ kind: 'count', key, columns, distinct: args.distinct === true });
    } else if (OPS.has(name)) {
      const op = name as AggregateOp;
      const opType = tableTypeName(namingOf(table), ...opWords(op), 'fields');
      const fields: AggregateColumnIR[] = [];
      for (const [ck, cg] of collectFields(ctx.collect, opType, subSelections(group))) {
        const cn = cg[0]?.name.value ?? '';
        if (cn === '__typename') fields.push({ kind: 'typename', key: ck, typename: opType });
        else fields.push({ kind: 'column', key: ck, column: columnByField(table, cn, `${path}.selectionSet.${ck}`) });
      }
      out.push({ kind: 'operator', key, op, fields });
    } else {
      throw new FarjoinError('validation-failed', `field '${name}' not found in type: '${typeName}'`, { path });
    }
  }
  return out;
}

function columnByField(table: TableModel, name: string, path: string): ColumnModel {
  const c = table.columns.find((x) => x.fieldName === name);
  if (!c) throw new FarjoinError('validation-failed', `column "${name}" not found in table ${table.typeName}`, { path });
  return c;
}
