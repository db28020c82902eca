/**
 * Aggregate types with Hasura's names: `T_aggregate { aggregate nodes }`,
 * `T_aggregate_fields { count sum avg max min stddev … }`, `T_<op>_fields`, and the
 * order-by inputs `T_aggregate_order_by`, `T_<op>_order_by`.
 */
import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
} from 'graphql';
import type { AggregateOp } from '../ir/types.js';
import type { ColumnModel, TableModel } from '../metadata/model.js';
import { qualified } from '../metadata/inconsistent.js';
import { orderByEnum, type InputTypes } from './inputs.js';
import { as } from './canonical.js';
import { fieldCase, namingOf, opWords, tableTypeName } from './naming.js';
import type { ScalarRegistry } from './scalars.js';
import { sorted } from './sorted.js';

export const NUMERIC_OPS: readonly AggregateOp[] = ['sum', 'avg', 'stddev', 'stddev_pop', 'stddev_samp', 'var_pop', 'var_samp', 'variance'];
export const COMPARABLE_OPS: readonly AggregateOp[] = ['max', 'min'];

/** Columns an aggregate operator applies to: numeric ones for sum/avg/…, ordered ones for min/max. */
export function aggregateColumns(table: TableModel, op: AggregateOp): ColumnModel[] {
  return table.columns.filter((c) => {
    // Hasura aggregates no enum-table columns (they are not comparable scalars).
    if (c.enumReference) return false;
    const cat = c.catalog.type.category;
    if (COMPARABLE_OPS.includes(op)) return cat === 'N' || cat === 'S' || cat === 'D' || cat === 'E';
    return cat === 'N';
  });
}

/** sum/max/min keep the column's type; averages and deviations are Float. */
function resultType(op: AggregateOp, column: ColumnModel, scalars: ScalarRegistry) {
  return op === 'sum' || op === 'max' || op === 'min' ? scalars.forType(column.catalog.type) : GraphQLFloat;
}

export class AggregateTypes {
  private readonly objects = new Map<string, GraphQLObjectType>();
  private readonly orderBys = new Map<string, GraphQLInputObjectType>();

  constructor(private readonly scalars: ScalarRegistry, private readonly inputs: InputTypes) {}

  /** `T_aggregate { aggregate: T_aggregate_fields, nodes: [T!]! }`. */
  aggregate(table: TableModel, nodeType: () => GraphQLObjectType): GraphQLObjectType {
    return this.cached(tableTypeName(namingOf(table), 'aggregate'), `aggregated selection of "${qualified(table)}"`, () => ({
        aggregate: { type: this.aggregateFields(table) },
      nodes: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(nodeType()))) },
    }));
  }

  private aggregateFields(table: TableModel): GraphQLObjectType {
    const c = namingOf(table).customization;
    return this.cached(tableTypeName(namingOf(table), 'aggregate', 'fields'), `aggregate fields of "${qualified(table)}"`, () => {
      const selectColumn = this.inputs.selectColumn(table);
      const fields: GraphQLFieldConfigMap<unknown, unknown> = {
        count: {
          type: new GraphQLNonNull(GraphQLInt),
          args: { ...(selectColumn ? { columns: { type: new GraphQLList(new GraphQLNonNull(selectColumn)) } } : {}), distinct: { type: GraphQLBoolean } },
        },
      };
      for (const op of [...NUMERIC_OPS, ...COMPARABLE_OPS].sort()) {
        const type = this.opFields(table, op);
        const name = fieldCase(c, op);
        if (type) fields[name] = { type, ...as(name, op) };
      }
      return sorted(fields);
    });
  }

  private opFields(table: TableModel, op: AggregateOp): GraphQLObjectType | undefined {
    const columns = aggregateColumns(table, op);
    if (columns.length === 0) return undefined;
    return this.cached(tableTypeName(namingOf(table), ...opWords(op), 'fields'), `aggregate ${op} on columns`, () =>
      sorted(Object.fromEntries(columns.map((c) => [c.fieldName, { type: resultType(op, c, this.scalars) }]))));
  }

  /** `T_aggregate_order_by { count, sum: T_sum_order_by, … }` for ordering by array relationships. */
  orderBy(table: TableModel): GraphQLInputObjectType {
    const naming = namingOf(table);
    const direction = orderByEnum(naming.customization);
    const name = tableTypeName(naming, 'aggregate', 'order', 'by');
    let type = this.orderBys.get(name);
    if (!type) {
      type = new GraphQLInputObjectType({
        name,
        description: `order by aggregate values of table "${qualified(table)}"`,
        fields: () => {
          const fields: GraphQLInputFieldConfigMap = { count: { type: direction } };
          for (const op of [...NUMERIC_OPS, ...COMPARABLE_OPS].sort()) {
            const columns = aggregateColumns(table, op);
            if (columns.length === 0) continue;
            const opName = tableTypeName(naming, ...opWords(op), 'order', 'by');
            let opType = this.orderBys.get(opName);
            if (!opType) {
              opType = new GraphQLInputObjectType({
                name: opName,
                description: `order by ${op}() on columns of table "${qualified(table)}"`,
                fields: sorted(Object.fromEntries(columns.map((c) => [c.fieldName, { type: direction }]))),
              });
              this.orderBys.set(opName, opType);
            }
            const key = fieldCase(naming.customization, op);
            fields[key] = { type: opType, ...as(key, op) };
          }
          return sorted(fields);
        },
      });
      this.orderBys.set(name, type);
    }
    return type;
  }

  private cached(name: string, description: string, fields: () => GraphQLFieldConfigMap<unknown, unknown>): GraphQLObjectType {
    let type = this.objects.get(name);
    if (!type) {
      type = new GraphQLObjectType({ name, description, fields });
      this.objects.set(name, type);
    }
    return type;
  }
}
