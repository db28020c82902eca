/**
 * Input and output types of Hasura's mutation surface (DESIGN.md §6 "mutations", §9):
 * `T_insert_input`, `T_on_conflict`, `T_constraint`, `T_update_column`, `T_set_input`,
 * `T_inc_input`, the jsonb operator inputs, `T_pk_columns_input`, `T_updates` and
 * `T_mutation_response`. Which columns appear is the role's write access (writeColumns).
 */
import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
} from 'graphql';
import type { ColumnModel, RelationshipModel, TableModel } from '../metadata/model.js';
import { qualified } from '../metadata/inconsistent.js';
import type { InputTypes } from './inputs.js';
import type { ScalarRegistry } from './scalars.js';
import { sorted } from './sorted.js';
import { fieldCase, namingOf, tableTypeName } from './naming.js';
import { canInsert, insertColumns, updateColumns, upsertConstraints } from '../permissions/mutation-access.js';

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

export function isJsonb(c: ColumnModel): boolean {
  return c.catalog.type.schema === 'pg_catalog' && c.catalog.type.name === 'jsonb';
}

/** `_inc` applies to numeric columns (Postgres type category N). */
export function isNumeric(c: ColumnModel): boolean {
  return c.catalog.type.category === 'N';
}

/** The jsonb operators of `update_T`, with the type of each column's value. */
export const JSONB_OPERATORS = ['_append', '_prepend', '_delete_key', '_delete_elem', '_delete_at_path'] as const;
export type JsonbOperator = (typeof JSONB_OPERATORS)[number];

export class MutationInputTypes {
  private readonly cache = new Map<string, GraphQLInputObjectType | GraphQLEnumType | GraphQLObjectType>();

  constructor(
    private readonly scalars: ScalarRegistry,
    private readonly inputs: InputTypes,
    /** The role's view of a relationship target (undefined: not visible). */
    private readonly tableOf: (ref: RelationshipModel['target']) => TableModel | undefined,
  ) {}

  private once<T extends GraphQLInputObjectType | GraphQLEnumType | GraphQLObjectType>(name: string, make: () => T): T {
    let t = this.cache.get(name) as T | undefined;
    if (!t) {
      t = make();
      this.cache.set(name, t);
    }
    return t;
  }

  /** Columns in name order, as Hasura lists input fields; enum-table columns typed with their enum. */
  private columnFields(columns: readonly ColumnModel[], type: (c: ColumnModel) => GraphQLInputType = (c) => this.scalars.forColumn(c)): GraphQLInputFieldConfigMap {
    const fields: GraphQLInputFieldConfigMap = {};
    for (const c of columns) fields[c.fieldName] = { type: type(c) };
    return sorted(fields);
  }

  /** `T_insert_input`: insertable columns, and local relationships whose target the role may insert into. */
  insertInput(table: TableModel): GraphQLInputObjectType {
    return this.once(tableTypeName(namingOf(table), 'insert', 'input'), () => new GraphQLInputObjectType({
      name: tableTypeName(namingOf(table), 'insert', 'input'),
      description: `input type for inserting data into table "${qualified(table)}"`,
      fields: () => {
        const fields = this.columnFields(insertColumns(table));
        for (const r of table.relationships) {
          const target = r.remote ? undefined : this.tableOf(r.target);
          if (!target || !canInsert(target)) continue;
          fields[r.name] = { type: r.type === 'object' ? this.objRelInsertInput(target) : this.arrRelInsertInput(target) };
        }
        if (Object.keys(fields).length === 0) fields._PLACEHOLDER = { type: GraphQLString };
        return sorted(fields);
      },
    }));
  }

  private objRelInsertInput(target: TableModel): GraphQLInputObjectType {
    return this.once(tableTypeName(namingOf(target), 'obj', 'rel', 'insert', 'input'), () => new GraphQLInputObjectType({
      name: tableTypeName(namingOf(target), 'obj', 'rel', 'insert', 'input'),
      description: `input type for inserting object relation for remote table "${qualified(target)}"`,
      fields: () => ({
        data: { type: new GraphQLNonNull(this.insertInput(target)) },
        ...(this.hasUpsert(target) ? { [mutationName(target, 'on_conflict')]: { type: this.onConflict(target), description: 'upsert condition' } } : {}),
      }),
    }));
  }

  private arrRelInsertInput(target: TableModel): GraphQLInputObjectType {
    return this.once(tableTypeName(namingOf(target), 'arr', 'rel', 'insert', 'input'), () => new GraphQLInputObjectType({
      name: tableTypeName(namingOf(target), 'arr', 'rel', 'insert', 'input'),
      description: `input type for inserting array relation for remote table "${qualified(target)}"`,
      fields: () => ({
        data: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(this.insertInput(target)))) },
        ...(this.hasUpsert(target) ? { [mutationName(target, 'on_conflict')]: { type: this.onConflict(target), description: 'upsert condition' } } : {}),
      }),
    }));
  }

  /**
   * Upserts need a constraint whose name is a GraphQL name (a `T_constraint` value; an enum
   * cannot be empty), and (Hasura) an update permission for a role.
   */
  hasUpsert(table: TableModel): boolean {
    return upsertConstraints(table).some((c) => GRAPHQL_NAME.test(c.name)) && (!table.mutationAccess || !!table.mutationAccess.update);
  }

  constraint(table: TableModel): GraphQLEnumType {
    const values: Record<string, { value: string; description: string }> = {};
    for (const c of upsertConstraints(table)) {
      if (GRAPHQL_NAME.test(c.name)) values[c.name] = { value: c.name, description: `${c.kind === 'primary-key' ? 'unique or primary key' : 'unique or primary key'} constraint on columns ${c.columns.map((x) => `"${x}"`).join(', ')}` };
    }
    return this.once(tableTypeName(namingOf(table), 'constraint'), () => new GraphQLEnumType({
      name: tableTypeName(namingOf(table), 'constraint'),
      description: `unique or primary key constraints on table "${qualified(table)}"`,
      values,
    }));
  }

  updateColumn(table: TableModel): GraphQLEnumType {
    return this.once(tableTypeName(namingOf(table), 'update', 'column'), () => {
      const values: Record<string, { value: string; description: string }> = {};
      for (const c of upsertUpdateColumns(table)) values[c.fieldName] = { value: c.fieldName, description: 'column name' };
      if (Object.keys(values).length === 0) values._PLACEHOLDER = { value: '_PLACEHOLDER', description: 'placeholder (do not use)' };
      return new GraphQLEnumType({ name: tableTypeName(namingOf(table), 'update', 'column'), description: `update columns of table "${qualified(table)}"`, values });
    });
  }

  onConflict(table: TableModel): GraphQLInputObjectType {
    return this.once(tableTypeName(namingOf(table), 'on', 'conflict'), () => new GraphQLInputObjectType({
      name: tableTypeName(namingOf(table), 'on', 'conflict'),
      description: `on_conflict condition type for table "${qualified(table)}"`,
      fields: () => ({
        constraint: { type: new GraphQLNonNull(this.constraint(table)) },
        [mutationName(table, 'update_columns')]: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(this.updateColumn(table)))), defaultValue: [] },
        where: { type: this.inputs.boolExp(table) },
      }),
    }));
  }

  setInput(table: TableModel): GraphQLInputObjectType {
    return this.once(tableTypeName(namingOf(table), 'set', 'input'), () => new GraphQLInputObjectType({
      name: tableTypeName(namingOf(table), 'set', 'input'),
      description: `input type for updating data in table "${qualified(table)}"`,
      fields: () => this.columnFields(updateColumns(table)),
    }));
  }

  incInput(table: TableModel): GraphQLInputObjectType | undefined {
    const columns = updateColumns(table).filter(isNumeric);
    if (columns.length === 0) return undefined;
    return this.once(tableTypeName(namingOf(table), 'inc', 'input'), () => new GraphQLInputObjectType({
      name: tableTypeName(namingOf(table), 'inc', 'input'),
      description: `input type for incrementing numeric columns in table "${qualified(table)}"`,
      fields: () => this.columnFields(columns),
    }));
  }

  /** `T_append_input` … `T_delete_at_path_input`, for jsonb columns. */
  jsonbInput(table: TableModel, op: JsonbOperator): GraphQLInputObjectType | undefined {
    const columns = updateColumns(table).filter(isJsonb);
    if (columns.length === 0) return undefined;
    const name = tableTypeName(namingOf(table), ...op.slice(1).split('_'), 'input');
    const [type, description] = ((): [(c: ColumnModel) => GraphQLInputType, string] => {
      switch (op) {
        case '_append': return [(c) => this.scalars.forType(c.catalog.type), 'append existing jsonb value of filtered columns with new jsonb value'];
        case '_prepend': return [(c) => this.scalars.forType(c.catalog.type), 'prepend existing jsonb value of filtered columns with new jsonb value'];
        case '_delete_key': return [() => GraphQLString, 'delete key/value pair or string element. key/value pairs are matched based on their key value'];
        case '_delete_elem': return [() => GraphQLInt, 'delete the array element with specified index (negative integers count from the end). throws an error if top level container is not an array'];
        case '_delete_at_path': return [() => new GraphQLList(new GraphQLNonNull(GraphQLString)), 'delete the field or element with specified path (for JSON arrays, negative integers count from the end)'];
      }
    })();
    return this.once(name, () => new GraphQLInputObjectType({ name, description, fields: () => this.columnFields(columns, type) }));
  }

  pkColumnsInput(table: TableModel): GraphQLInputObjectType {
    return this.once(tableTypeName(namingOf(table), 'pk', 'columns', 'input'), () => new GraphQLInputObjectType({
      name: tableTypeName(namingOf(table), 'pk', 'columns', 'input'),
      description: `primary key columns input for table: ${table.name}`,
      fields: () => this.columnFields(pkColumns(table), (c) => new GraphQLNonNull(this.scalars.forType(c.catalog.type))),
    }));
  }

  /** The `_set`, `_inc`, jsonb operator arguments of an update, as input fields. */
  updateOperators(table: TableModel): GraphQLInputFieldConfigMap {
    const fields: GraphQLInputFieldConfigMap = {};
    for (const op of JSONB_OPERATORS.slice(0, 2)) {
      const t = this.jsonbInput(table, op);
      if (t) fields[updateOperatorName(table, op)] = { type: t, description: `${op === '_append' ? 'append' : 'prepend'} existing jsonb value of filtered columns with new jsonb value` };
    }
    for (const op of JSONB_OPERATORS.slice(2)) {
      const t = this.jsonbInput(table, op);
      if (t) fields[updateOperatorName(table, op)] = { type: t, description: 'delete from the jsonb value of filtered columns' };
    }
    const inc = this.incInput(table);
    if (inc) fields._inc = { type: inc, description: 'increments the numeric columns with given value of the filtered values' };
    fields._set = { type: this.setInput(table), description: 'sets the columns of the filtered rows to the given values' };
    return fields;
  }

  updates(table: TableModel): GraphQLInputObjectType {
    return this.once(tableTypeName(namingOf(table), 'updates'), () => new GraphQLInputObjectType({
      name: tableTypeName(namingOf(table), 'updates'),
      fields: () => ({
        ...this.updateOperators(table),
        where: { type: new GraphQLNonNull(this.inputs.boolExp(table)), description: 'filter the rows which have to be updated' },
      }),
    }));
  }

  mutationResponse(table: TableModel, row: GraphQLObjectType): GraphQLObjectType {
    return this.once(tableTypeName(namingOf(table), 'mutation', 'response'), () => new GraphQLObjectType({
      name: tableTypeName(namingOf(table), 'mutation', 'response'),
      description: `response of any mutation on the table "${qualified(table)}"`,
      fields: () => ({
        [mutationName(table, 'affected_rows')]: { type: new GraphQLNonNull(GraphQLInt), description: 'number of rows affected by the mutation' },
        returning: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(row))), description: 'data from the rows affected by the mutation' },
      }),
    }));
  }
}

/** Primary key columns as the role's view names them (all of them must be selectable). */
export function pkColumns(table: TableModel): ColumnModel[] {
  return table.catalog.primaryKey.map((name) => table.columns.find((c) => c.name === name)).filter((c): c is ColumnModel => c !== undefined);
}

/** Columns an upsert may update: the role's update columns (admin: every updatable column). */
function upsertUpdateColumns(table: TableModel): readonly ColumnModel[] {
  return updateColumns(table);
}

/**
 * A name of the mutation surface that Hasura cases under the source's naming convention:
 * `on_conflict`, `affected_rows`, `pk_columns`, `update_columns` (`onConflict`,
 * `affectedRows`, `pkColumns`, `updateColumns` under graphql-default, as schemas served by
 * Hasura with graphql-default show them and Hasura's own enum_value_convention test sends
 * them); `objects`, `where`, `returning` are one word and stay as they are.
 */
export function mutationName(table: TableModel, snake: 'on_conflict' | 'affected_rows' | 'pk_columns' | 'update_columns'): string {
  return fieldCase(namingOf(table).customization, snake);
}

/** An update operator's argument: `_set`, `_inc`, `_append`, `_prepend` as written; `_delete_key` → `_deleteKey` … under graphql-default (Hasura's GQLNameIdentifier casing). */
export function updateOperatorName(table: TableModel, op: '_set' | '_inc' | JsonbOperator): string {
  return fieldCase(namingOf(table).customization, op);
}
