/**
 * Root fields of tracked functions (issue 11 item 6, Hasura Postgres Schema/Select.hs
 * `selectFunction`, `selectFunctionAggregate`):
 * - `fn(args, distinct_on, limit, offset, order_by, where)`: `[T!]!` for `SETOF T`, a
 *   nullable `T` for a function returning one row;
 * - `fn_aggregate(…)`: `T_aggregate!`, for query functions, when the role may aggregate T.
 * Query functions (STABLE/IMMUTABLE, or `exposed_as: query`) go to the query root,
 * VOLATILE ones to the mutation root (no aggregate there, as in Hasura).
 *
 * Who sees them (Hasura's defaults): a role needs select permission on the returned table
 * (its row filter, columns and limit then apply to the function's rows); for a query
 * function that is enough (Hasura infers function permissions), a mutation function also
 * needs a function permission (`permissions: [{role}]`). Admin sees every function.
 */
import { GraphQLList, GraphQLNonNull, type GraphQLFieldConfigMap } from 'graphql';
import { ADMIN_ROLE } from '../permissions/access.js';
import type { FunctionModel, Model, TableModel } from '../metadata/model.js';
import { qualified } from '../metadata/inconsistent.js';
import type { SchemaParts } from './parts.js';

export type FunctionRootFieldInfo =
  | { readonly kind: 'function'; readonly fn: FunctionModel; readonly table: TableModel }
  | { readonly kind: 'function-aggregate'; readonly fn: FunctionModel; readonly table: TableModel };

export interface FunctionRootFields {
  readonly query: GraphQLFieldConfigMap<unknown, unknown>;
  readonly mutation: GraphQLFieldConfigMap<unknown, unknown>;
  readonly info: ReadonlyMap<string, FunctionRootFieldInfo>;
}

function visible(fn: FunctionModel, table: TableModel): boolean {
  const role = table.access?.role ?? ADMIN_ROLE;
  if (role === ADMIN_ROLE) return true;
  return fn.exposedAs === 'query' || fn.roles.includes(role);
}

export function functionRootFields(model: Model, parts: SchemaParts): FunctionRootFields {
  const query: GraphQLFieldConfigMap<unknown, unknown> = {};
  const mutation: GraphQLFieldConfigMap<unknown, unknown> = {};
  const info = new Map<string, FunctionRootFieldInfo>();
  for (const fn of model.functions ?? []) {
    const table = parts.index.table(fn.returns);
    if (!table || !visible(fn, table)) continue;
    const type = parts.objectType(table);
    const args = { ...parts.functionArgs.argument(fn, `input parameters for function "${fn.rootFields.select}"`), ...parts.listArgs(table) };
    const into = fn.exposedAs === 'query' ? query : mutation;
    into[fn.rootFields.select] = {
      type: fn.returnsSet ? new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(type))) : type,
      args,
      description: fn.description,
    };
    info.set(fn.rootFields.select, { kind: 'function', fn, table });
    if (fn.exposedAs === 'query' && parts.canAggregate(table)) {
      query[fn.rootFields.selectAggregate] = {
        type: new GraphQLNonNull(parts.aggregates.aggregate(table, () => type)),
        args,
        description: `execute function "${qualified(fn)}" and query aggregates on result of table type "${qualified(table)}"`,
      };
      info.set(fn.rootFields.selectAggregate, { kind: 'function-aggregate', fn, table });
    }
  }
  return { query, mutation, info };
}
