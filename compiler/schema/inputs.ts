/**
 * Input types of the Hasura surface: `<Scalar>_comparison_exp`, `<T>_bool_exp`,
 * `<T>_order_by`, the `order_by` enum and `<T>_select_column`.
 */
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  GraphQLString,
  type GraphQLInputFieldConfigMap,
} from 'graphql';
import type { PgType } from '../catalog/types.js';
import type { ColumnModel, TableModel } from '../metadata/model.js';
import { qualified } from '../metadata/inconsistent.js';
import { castTargets, type CastTarget } from './casts.js';
import { isTextType, type ScalarRegistry } from './scalars.js';
import { SpatialInputs } from './postgis.js';
import { filterableComputedFields } from '../ir/computed-operands.js';
import { sorted } from './sorted.js';
import { as } from './canonical.js';
import { DEFAULT_CUSTOMIZATION, enumValueCase, fieldCase, namingOf, tableTypeName, typeCase, type SourceCustomization } from './naming.js';

const ORDER_BY_VALUES: readonly (readonly [string, string])[] = [
  ['asc', 'in ascending order, nulls last'],
  ['asc_nulls_first', 'in ascending order, nulls first'],
  ['asc_nulls_last', 'in ascending order, nulls last'],
  ['desc', 'in descending order, nulls first'],
  ['desc_nulls_first', 'in descending order, nulls first'],
  ['desc_nulls_last', 'in descending order, nulls last'],
];

const orderByEnums = new Map<string, GraphQLEnumType>();

/** Hasura's `order_by` enum (`OrderBy { ASC … }` under graphql-default); each value stands for its default name. */
export function orderByEnum(c: SourceCustomization): GraphQLEnumType {
  const name = typeCase(c, 'order_by');
  let e = orderByEnums.get(name);
  if (!e) {
    e = new GraphQLEnumType({
      name,
      description: 'column ordering options',
      values: Object.fromEntries(ORDER_BY_VALUES.map(([v, description]) => [enumValueCase(c, v), { value: v, description }])),
    });
    orderByEnums.set(name, e);
  }
  return e;
}

export const TEXT_OPERATORS = ['_like', '_nlike', '_ilike', '_nilike', '_similar', '_nsimilar', '_regex', '_nregex', '_iregex', '_niregex'] as const;

/** Operator names under the convention (`_is_null` → `_isNull`), each knowing its default name. */
function renamedOperators(fields: GraphQLInputFieldConfigMap, c: SourceCustomization): GraphQLInputFieldConfigMap {
  if (c.namingConvention === 'hasura-default') return fields;
  const out: GraphQLInputFieldConfigMap = {};
  for (const [op, config] of Object.entries(fields)) {
    const name = fieldCase(c, op);
    out[name] = { ...config, ...as(name, op) };
  }
  return out;
}

/** Builds and caches the input types of one schema. */
export class InputTypes {
  private readonly comparisons = new Map<string, GraphQLInputObjectType>();
  private readonly boolExps = new Map<string, GraphQLInputObjectType>();
  private readonly orderBys = new Map<string, GraphQLInputObjectType>();
  private readonly selectColumns = new Map<string, GraphQLEnumType>();
  private readonly casts = new Map<string, GraphQLInputObjectType>();
  private readonly spatial = new SpatialInputs();

  /** Set by the schema builder: `T_aggregate_order_by` for array relationships. */
  aggregateOrderBy: ((table: TableModel) => GraphQLInputObjectType | undefined) | undefined;

  constructor(private readonly scalars: ScalarRegistry, private readonly tableOf: (ref: TableModel['relationships'][number]['target']) => TableModel | undefined) {}

  comparison(t: PgType, c: SourceCustomization = DEFAULT_CUSTOMIZATION): GraphQLInputObjectType {
    const scalar: GraphQLScalarType = this.scalars.forType(t);
    const name = typeCase(c, `${scalar.name}_comparison_exp`);
    let type = this.comparisons.get(name);
    if (!type) {
      const fields: GraphQLInputFieldConfigMap = {
        _eq: { type: scalar },
        _neq: { type: scalar },
        _gt: { type: scalar },
        _lt: { type: scalar },
        _gte: { type: scalar },
        _lte: { type: scalar },
        _in: { type: new GraphQLList(new GraphQLNonNull(scalar)) },
        _nin: { type: new GraphQLList(new GraphQLNonNull(scalar)) },
        _is_null: { type: GraphQLBoolean },
      };
      if (isTextType(t)) for (const op of TEXT_OPERATORS) fields[op] = { type: scalar };
      if (t.schema === 'pg_catalog' && t.name === 'jsonb') {
        const keys = new GraphQLList(new GraphQLNonNull(GraphQLString));
        fields._contains = { type: scalar, description: 'does the column contain the given json value at the top level' };
        fields._contained_in = { type: scalar, description: 'is the column contained in the given json value' };
        fields._has_key = { type: GraphQLString, description: 'does the string exist as a top-level key in the column' };
        fields._has_keys_any = { type: keys, description: 'do any of these strings exist as top-level keys in the column' };
        fields._has_keys_all = { type: keys, description: 'do all of these strings exist as top-level keys in the column' };
      }
      Object.assign(fields, this.spatial.operators(t, scalar));
      const targets = castTargets(t);
      if (targets.length > 0) fields._cast = { type: this.castExp(scalar.name, targets, c) };
      type = new GraphQLInputObjectType({
        name,
        description: `Boolean expression to compare columns of type "${scalar.name}". All fields are combined with logical 'AND'.`,
        fields: sorted(renamedOperators(fields, c)),
      });
      this.comparisons.set(name, type);
    }
    return type;
  }

  /** `<type>_cast_exp`: one field per cast target, holding the target's comparison input (schema/casts.ts). */
  private castExp(scalarName: string, targets: readonly CastTarget[], c: SourceCustomization): GraphQLInputObjectType {
    const name = typeCase(c, `${scalarName}_cast_exp`);
    let type = this.casts.get(name);
    if (!type) {
      type = new GraphQLInputObjectType({
        name,
        fields: () => sorted(Object.fromEntries(targets.map((x) => [x.field, { type: this.comparison(x.type, c) }]))),
      });
      this.casts.set(name, type);
    }
    return type;
  }

  /** A column's comparison input: `<enum>_comparison_exp` (equality operators only, as Hasura) for enum columns. */
  columnComparison(c: ColumnModel, custom: SourceCustomization = DEFAULT_CUSTOMIZATION): GraphQLInputObjectType {
    const ref = c.enumReference;
    if (!ref) return this.comparison(c.catalog.type, custom);
    const name = typeCase(custom, `${ref.typeName}_comparison_exp`);
    let type = this.comparisons.get(name);
    if (!type) {
      const e = this.scalars.enumOf(ref);
      const list = new GraphQLList(new GraphQLNonNull(e));
      type = new GraphQLInputObjectType({
        name,
        description: `Boolean expression to compare columns of type "${e.name}". All fields are combined with logical 'AND'.`,
        fields: sorted(renamedOperators({ _eq: { type: e }, _in: { type: list }, _is_null: { type: GraphQLBoolean }, _neq: { type: e }, _nin: { type: list } }, custom)),
      });
      this.comparisons.set(name, type);
    }
    return type;
  }

  boolExp(table: TableModel): GraphQLInputObjectType {
    const naming = namingOf(table);
    const name = tableTypeName(naming, 'bool', 'exp');
    let type = this.boolExps.get(name);
    if (!type) {
      const self: GraphQLInputObjectType = new GraphQLInputObjectType({
        name,
        description: `Boolean expression to filter rows from the table "${qualified(table)}". All fields are combined with a logical 'AND'.`,
        fields: () => {
          const fields: GraphQLInputFieldConfigMap = {
            _and: { type: new GraphQLList(new GraphQLNonNull(self)) },
            _not: { type: self },
            _or: { type: new GraphQLList(new GraphQLNonNull(self)) },
          };
          for (const c of table.columns) fields[c.fieldName] = { type: this.columnComparison(c, naming.customization) };
          for (const cf of filterableComputedFields(table)) if (cf.returns.kind === 'scalar') fields[cf.name] = { type: this.comparison(cf.returns.type, naming.customization) };
          for (const cf of filterableComputedFields(table, 'table')) {
            const target = cf.returns.kind === 'table' ? this.tableOf(cf.returns.table) : undefined;
            if (target) fields[cf.name] = { type: this.boolExp(target) };
          }
          // Relationships, remote ones included (semi-join or fdw plans, DESIGN.md §5.2).
          for (const r of table.relationships) {
            const target = this.tableOf(r.target);
            if (target) fields[r.name] = { type: this.boolExp(target) };
          }
          return sorted(fields);
        },
      });
      type = self;
      this.boolExps.set(name, type);
    }
    return type;
  }

  orderBy(table: TableModel): GraphQLInputObjectType {
    const naming = namingOf(table);
    const name = tableTypeName(naming, 'order', 'by');
    let type = this.orderBys.get(name);
    if (!type) {
      type = new GraphQLInputObjectType({
        name,
        description: `Ordering options when selecting data from "${qualified(table)}".`,
        fields: () => {
          const fields: GraphQLInputFieldConfigMap = {};
          const direction = orderByEnum(naming.customization);
          for (const c of table.columns) fields[c.fieldName] = { type: direction };
          for (const cf of filterableComputedFields(table)) fields[cf.name] = { type: direction };
          for (const cf of filterableComputedFields(table, 'table')) {
            const target = cf.returns.kind === 'table' ? this.tableOf(cf.returns.table) : undefined;
            const agg = target ? this.aggregateOrderBy?.(target) : undefined;
            const key = fieldCase(naming.customization, `${cf.name}_aggregate`);
            if (agg) fields[key] = { type: agg, ...as(key, `${cf.name}_aggregate`) };
          }
          for (const r of table.relationships) {
            // Remote relationships order parents through pushdown plans (issue 4).
            const target = this.tableOf(r.target);
            if (!target) continue;
            if (r.type === 'object') fields[r.name] = { type: this.orderBy(target) };
            else {
              const agg = this.aggregateOrderBy?.(target);
              const key = fieldCase(naming.customization, `${r.name}_aggregate`);
              if (agg) fields[key] = { type: agg, ...as(key, `${r.name}_aggregate`) };
            }
          }
          return sorted(fields);
        },
      });
      this.orderBys.set(name, type);
    }
    return type;
  }

  /**
   * `<T>_select_column`; undefined for a role that may select no column of `table` (only
   * computed fields), where Hasura leaves out the enum and the arguments that take it.
   */
  selectColumn(table: TableModel): GraphQLEnumType | undefined {
    if (table.columns.length === 0) return undefined;
    const name = tableTypeName(namingOf(table), 'select', 'column');
    let type = this.selectColumns.get(name);
    if (!type) {
      const values: Record<string, { value: string; description: string }> = {};
      for (const c of table.columns) values[c.fieldName] = { value: c.fieldName, description: 'column name' };
      type = new GraphQLEnumType({ name, description: `select columns of table "${qualified(table)}"`, values });
      this.selectColumns.set(name, type);
    }
    return type;
  }
}
