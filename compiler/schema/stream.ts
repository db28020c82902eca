/**
 * Streaming subscriptions (DESIGN.md §9, Hasura's `T_stream`): the field
 * `T_stream(batch_size: Int!, cursor: [T_stream_cursor_input]!, where: T_bool_exp): [T!]!`
 * and its inputs `T_stream_cursor_input { initial_value: T_stream_cursor_value_input!,
 * ordering: cursor_ordering }`, `T_stream_cursor_value_input` (one optional field per
 * readable column) and the enum `cursor_ordering { ASC DESC }` — Hasura's names and
 * descriptions.
 */
import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  type GraphQLFieldConfig,
  type GraphQLInputFieldConfigMap,
  type GraphQLOutputType,
} from 'graphql';
import type { TableModel } from '../metadata/model.js';
import type { InputTypes } from './inputs.js';
import type { ScalarRegistry } from './scalars.js';
import { sorted } from './sorted.js';

export const CURSOR_ORDERING = new GraphQLEnumType({
  name: 'cursor_ordering',
  description: 'ordering argument of a cursor',
  values: {
    ASC: { value: 'ASC', description: 'ascending ordering of the cursor' },
    DESC: { value: 'DESC', description: 'descending ordering of the cursor' },
  },
});

/** The `T_stream` root field of a table (typed by the table's object type `row`). */
export function streamField(table: TableModel, row: GraphQLOutputType, inputs: InputTypes, scalars: ScalarRegistry): GraphQLFieldConfig<unknown, unknown> {
  const valueFields: GraphQLInputFieldConfigMap = {};
  for (const c of table.columns) valueFields[c.fieldName] = { type: scalars.forColumn(c) };
  const value = new GraphQLInputObjectType({
    name: `${table.typeName}_stream_cursor_value_input`,
    description: 'Initial value of the column from where the streaming should start',
    fields: sorted(valueFields),
  });
  const cursor = new GraphQLInputObjectType({
    name: `${table.typeName}_stream_cursor_input`,
    description: `Streaming cursor of the table "${table.name}"`,
    fields: {
      initial_value: { type: new GraphQLNonNull(value), description: 'Stream column input with initial value' },
      ordering: { type: CURSOR_ORDERING, description: 'cursor ordering' },
    },
  });
  return {
    type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(row))),
    description: `fetch data from the table in a streaming manner: "${table.schema}.${table.name}"`,
    args: {
      batch_size: { type: new GraphQLNonNull(GraphQLInt), description: 'maximum number of rows returned in a single batch' },
      cursor: { type: new GraphQLNonNull(new GraphQLList(cursor)), description: 'cursor to stream the results returned by the query' },
      where: { type: inputs.boolExp(table), description: 'filter the rows returned' },
    },
  };
}
