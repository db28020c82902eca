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
import { qualified } from '../metadata/inconsistent.js';
import type { InputTypes } from './inputs.js';
import type { ScalarRegistry } from './scalars.js';
import { sorted } from './sorted.js';
import { as } from './canonical.js';
import { DEFAULT_CUSTOMIZATION, fieldCase, namingOf, tableTypeName, typeCase, type SourceCustomization } from './naming.js';

const cursorOrderings = new Map<string, GraphQLEnumType>();

/** Hasura's `cursor_ordering { ASC DESC }` (`CursorOrdering` under graphql-default). */
function cursorOrdering(c: SourceCustomization): GraphQLEnumType {
  const name = typeCase(c, 'cursor_ordering');
  let e = cursorOrderings.get(name);
  if (!e) {
    e = new GraphQLEnumType({
      name,
      description: 'ordering argument of a cursor',
      values: {
        ASC: { value: 'ASC', description: 'ascending ordering of the cursor' },
        DESC: { value: 'DESC', description: 'descending ordering of the cursor' },
      },
    });
    cursorOrderings.set(name, e);
  }
  return e;
}

/** The `T_stream` root field of a table (typed by the table's object type `row`). */
export function streamField(table: TableModel, row: GraphQLOutputType, inputs: InputTypes, scalars: ScalarRegistry): GraphQLFieldConfig<unknown, unknown> {
  const naming = namingOf(table);
  const c = naming.customization;
  const named = <T>(hasura: string, config: T): Record<string, T> => {
    const name = fieldCase(c, hasura);
    return { [name]: { ...config, ...as(name, hasura) } };
  };
  const valueFields: GraphQLInputFieldConfigMap = {};
  for (const col of table.columns) valueFields[col.fieldName] = { type: scalars.forColumn(col) };
  const value = new GraphQLInputObjectType({
    name: tableTypeName(naming, 'stream', 'cursor', 'value', 'input'),
    description: 'Initial value of the column from where the streaming should start',
    fields: sorted(valueFields),
  });
  const cursor = new GraphQLInputObjectType({
    name: tableTypeName(naming, 'stream', 'cursor', 'input'),
    description: `Streaming cursor of the table "${table.name}"`,
    fields: sorted({
      ...named('initial_value', { type: new GraphQLNonNull(value), description: 'Stream column input with initial value' }),
      ...named('ordering', { type: cursorOrdering(c), description: 'cursor ordering' }),
    }),
  });
  return {
    type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(row))),
    description: `fetch data from the table in a streaming manner: "${qualified(table)}"`,
    args: sorted({
      ...named('batch_size', { type: new GraphQLNonNull(GraphQLInt), description: 'maximum number of rows returned in a single batch' }),
      ...named('cursor', { type: new GraphQLNonNull(new GraphQLList(cursor)), description: 'cursor to stream the results returned by the query' }),
      ...named('where', { type: inputs.boolExp(table), description: 'filter the rows returned' }),
    }),
  };
}
