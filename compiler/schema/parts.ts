/**
 * What the schema builder shares with the files that add fields to it (tracked functions,
 * computed fields): the role's model index, the type registries, and the builders of
 * table object types and list arguments.
 */
import type { GraphQLFieldConfigArgumentMap, GraphQLObjectType } from 'graphql';
import type { ModelIndex, TableModel } from '../metadata/model.js';
import type { AggregateTypes } from './aggregates.js';
import type { FunctionArgTypes } from './function-args.js';
import type { ScalarRegistry } from './scalars.js';

export interface SchemaParts {
  readonly index: ModelIndex;
  readonly scalars: ScalarRegistry;
  readonly aggregates: AggregateTypes;
  readonly functionArgs: FunctionArgTypes;
  objectType(table: TableModel): GraphQLObjectType;
  /** `distinct_on, limit, offset, order_by, where` over `table`. */
  listArgs(table: TableModel): GraphQLFieldConfigArgumentMap;
  /** Admins aggregate everything; a role only with `allow_aggregations`. */
  canAggregate(table: TableModel): boolean;
}
