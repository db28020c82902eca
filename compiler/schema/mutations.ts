/**
 * `mutation_root` (DESIGN.md §6 "mutations", §9) with Hasura's fields per table:
 * `insert_T(objects, on_conflict)`, `insert_T_one(object, on_conflict)`,
 * `update_T(where, _set, _inc, …)`, `update_T_by_pk(pk_columns, …)`,
 * `update_T_many(updates)`, `delete_T(where)`, `delete_T_by_pk(pk…)`. A role gets only the
 * fields its permissions allow (permissions/mutation-access.ts).
 */
import { GraphQLList, GraphQLNonNull, GraphQLObjectType, type GraphQLFieldConfigArgumentMap, type GraphQLFieldConfigMap } from 'graphql';
import type { Model, TableModel } from '../metadata/model.js';
import { qualified } from '../metadata/inconsistent.js';
import { canDelete, canInsert, canUpdate } from '../permissions/mutation-access.js';
import type { InputTypes } from './inputs.js';
import { MutationInputTypes, mutationName, pkColumns } from './mutation-inputs.js';
import type { ScalarRegistry } from './scalars.js';

export type MutationOp = 'insert' | 'insert-one' | 'update' | 'update-by-pk' | 'update-many' | 'delete' | 'delete-by-pk';

export interface MutationFieldsContext {
  readonly scalars: ScalarRegistry;
  readonly inputs: InputTypes;
  readonly objectType: (table: TableModel) => GraphQLObjectType;
  readonly tableOf: (ref: TableModel['relationships'][number]['target']) => TableModel | undefined;
  /**
   * Adds a root field of `table` where its source's fields go (the mutation root, or the
   * source's `root_fields.namespace`), and records what it does, for lowering.
   */
  readonly add: (table: TableModel, name: string, op: MutationOp, config: GraphQLFieldConfigMap<unknown, unknown>[string]) => void;
}

export function mutationFields(model: Model, ctx: MutationFieldsContext): void {
  const types = new MutationInputTypes(ctx.scalars, ctx.inputs, ctx.tableOf);
  for (const table of model.tables) {
    const names = table.mutationRootFields;
    if (!names) continue;
    const row = ctx.objectType(table);
    const response = types.mutationResponse(table, row);
    const label = `"${qualified(table)}"`;
    const pk = pkColumns(table);
    const hasPk = pk.length > 0 && pk.length === table.catalog.primaryKey.length;
    const add = (name: string, op: MutationOp, config: GraphQLFieldConfigMap<unknown, unknown>[string]): void => ctx.add(table, name, op, config);
    if (canInsert(table)) {
      const upsert: GraphQLFieldConfigArgumentMap = types.hasUpsert(table) ? { [mutationName(table, 'on_conflict')]: { type: types.onConflict(table), description: 'upsert condition' } } : {};
      add(names.insert, 'insert', {
        type: response,
        description: `insert data into the table: ${label}`,
        args: { objects: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(types.insertInput(table)))), description: 'the rows to be inserted' }, ...upsert },
      });
      add(names.insertOne, 'insert-one', {
        type: row,
        description: `insert a single row into the table: ${label}`,
        args: { object: { type: new GraphQLNonNull(types.insertInput(table)), description: 'the row to be inserted' }, ...upsert },
      });
    }
    if (canUpdate(table)) {
      add(names.update, 'update', {
        type: response,
        description: `update data of the table: ${label}`,
        args: { ...types.updateOperators(table), where: { type: new GraphQLNonNull(ctx.inputs.boolExp(table)), description: 'filter the rows which have to be updated' } },
      });
      if (hasPk) {
        add(names.updateByPk, 'update-by-pk', {
          type: row,
          description: `update single row of the table: ${label}`,
          args: { ...types.updateOperators(table), [mutationName(table, 'pk_columns')]: { type: new GraphQLNonNull(types.pkColumnsInput(table)) } },
        });
      }
      add(names.updateMany, 'update-many', {
        type: new GraphQLList(response),
        description: `update multiples rows of table: ${label}`,
        args: { updates: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(types.updates(table)))), description: 'updates to execute, in order' } },
      });
    }
    if (canDelete(table)) {
      add(names.delete, 'delete', {
        type: response,
        description: `delete data from the table: ${label}`,
        args: { where: { type: new GraphQLNonNull(ctx.inputs.boolExp(table)), description: 'filter the rows which have to be deleted' } },
      });
      if (hasPk) {
        const args: GraphQLFieldConfigArgumentMap = {};
        for (const c of pk) args[c.fieldName] = { type: new GraphQLNonNull(ctx.scalars.forType(c.catalog.type)) };
        add(names.deleteByPk, 'delete-by-pk', { type: row, description: `delete single row from the table: ${label}`, args });
      }
    }
  }
}
