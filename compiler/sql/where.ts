/** BoolExpIR → SQL condition over a table alias. Every value is a typed bind parameter. */
import { invariant } from '../errors.js';
import type { BoolExpIR, ColumnCompareOp, CompareOp } from '../ir/types.js';
import type { ColumnModel, ColumnPair, TableModel } from '../metadata/model.js';
import { functionCallSql } from './function-call.js';
import { geoArray, geoValue, isGeoType, isSpatialOp, spatialCompare } from './postgis.js';
import { AliasAllocator, aliasRef, col, ident, join, param, sql, typeRef, type Alias, type Sql } from './builder.js';

const BINARY: Readonly<Partial<Record<CompareOp, Sql>>> = {
  _eq: sql` = `,
  _neq: sql` <> `,
  _gt: sql` > `,
  _lt: sql` < `,
  _gte: sql` >= `,
  _lte: sql` <= `,
  _like: sql` LIKE `,
  _nlike: sql` NOT LIKE `,
  _ilike: sql` ILIKE `,
  _nilike: sql` NOT ILIKE `,
  _similar: sql` SIMILAR TO `,
  _nsimilar: sql` NOT SIMILAR TO `,
  _regex: sql` ~ `,
  _nregex: sql` !~ `,
  _iregex: sql` ~* `,
  _niregex: sql` !~* `,
};

const COLUMN_OPERATORS: Readonly<Record<ColumnCompareOp, Sql>> = {
  _ceq: sql` = `, _cne: sql` <> `, _cgt: sql` > `, _clt: sql` < `, _cgte: sql` >= `, _clte: sql` <= `,
};

export const TRUE_SQL = sql`true`;
const FALSE_SQL = sql`false`;

/** json/jsonb values are sent as JSON text (the driver would turn a JS array into a Postgres array). */
function isJson(column: ColumnModel): boolean {
  const t = column.catalog.type;
  return t.schema === 'pg_catalog' && (t.name === 'json' || t.name === 'jsonb');
}

export function castParam(value: unknown, column: ColumnModel, asArray = false): Sql {
  const t = column.catalog.type;
  // PostGIS values arrive as GeoJSON (postgis.ts).
  if (isGeoType(t)) return asArray ? geoArray(asList(value), t) : geoValue(value, t);
  const bound = isJson(column) ? (asArray && Array.isArray(value) ? value.map((v) => JSON.stringify(v)) : JSON.stringify(value)) : value;
  return sql`${param(bound)}::${typeRef(t.schema, t.name, asArray)}`;
}

const JSONB = typeRef('pg_catalog', 'jsonb');
const TEXT = typeRef('pg_catalog', 'text');
const TEXT_ARRAY = typeRef('pg_catalog', 'text', true);

/** `target.to = parent.from` for every pair. */
export function correlation(mapping: readonly ColumnPair[], parent: Alias, target: Alias): Sql[] {
  return mapping.map((m) => sql`${col(target, m.to)} = ${col(parent, m.from)}`);
}

export function andAll(conditions: readonly Sql[]): Sql {
  if (conditions.length === 0) return TRUE_SQL;
  return join(conditions.map((c) => sql`(${c})`), sql` AND `);
}

/** What compiling a condition needs: alias allocation, and how remote filters become SQL. */
export interface WhereContext {
  readonly aliases: AliasAllocator;
  /** A filter through a remote relationship, over the parent alias (semi-join keys or fdw). */
  readonly remoteExists: (node: Extract<BoolExpIR, { kind: 'remote-exists' }>, parent: Alias) => Sql;
  /** How a table is named in this statement (its own name, or a foreign table). */
  readonly table: (table: TableModel) => Sql;
  /** Whether the statement reads `table` through postgres_fdw (a foreign table). */
  readonly foreign?: (table: TableModel) => boolean;
  /** Compiling the filter of a relationship filter over a foreign table. */
  readonly inForeignExists?: boolean;
  /** The row `["$", col]` column comparisons refer to (set by a `root` node). */
  readonly root?: Alias;
}

export function compileWhere(b: BoolExpIR, alias: Alias, ctx: WhereContext): Sql {
  const { aliases } = ctx;
  switch (b.kind) {
    case 'and':
      return b.items.length === 0 ? TRUE_SQL : join(b.items.map((i) => sql`(${compileWhere(i, alias, ctx)})`), sql` AND `);
    case 'or':
      return b.items.length === 0 ? FALSE_SQL : join(b.items.map((i) => sql`(${compileWhere(i, alias, ctx)})`), sql` OR `);
    case 'not':
      return sql`NOT (${compileWhere(b.item, alias, ctx)})`;
    case 'compare': {
      // A scalar computed field compares the function of the row.
      // `_cast`: the column as the target type (`column` then carries that type for the parameters).
      const expr = b.computed ? functionCallSql(b.computed, alias) : b.cast ? sql`${col(alias, b.column.name)}::${typeRef(b.cast.schema, b.cast.name)}` : undefined;
      if (b.arrayLiteral) return arrayLiteralCompare(b.column, b.op, b.value, alias, expr);
      return compare(b.column, b.op, b.value, alias, expr);
    }
    case 'compare-column': {
      invariant(!b.root || ctx.root, 'a root column reference is inside a root node');
      const other = col(b.root ? ctx.root! : alias, b.other.name);
      return sql`${col(alias, b.column.name)}${COLUMN_OPERATORS[b.op]}${other}`;
    }
    case 'root':
      return compileWhere(b.item, alias, { ...ctx, root: alias });
    case 'exists-relationship': {
      const foreign = ctx.foreign?.(b.target) === true;
      const inner = foreign ? { ...ctx, inForeignExists: true } : ctx;
      const [only] = b.mapping;
      // Nested in another relationship filter over foreign tables: a key array. Nested
      // EXISTS would become local joins of foreign tables that postgres_fdw reads whole (it
      // pushes one semi-join level, not a chain).
      if (foreign && ctx.inForeignExists && only && b.mapping.length === 1) return keyArrayFilter(only, alias, ctx.table(b.target), b.where, inner);
      const target = aliases.alloc();
      const conds = correlation(b.mapping, alias, target);
      if (b.where) conds.push(compileWhere(b.where, target, inner));
      return sql`EXISTS (SELECT 1 FROM ${ctx.table(b.target)} AS ${aliasRef(target)} WHERE ${andAll(conds)})`;
    }
    case 'exists': {
      const target = aliases.alloc();
      const inner = b.where ? compileWhere(b.where, target, ctx) : TRUE_SQL;
      // A table computed field: the rows of its call on the outer row.
      const rows = b.from ? functionCallSql(b.from, alias) : ctx.table(b.target);
      return sql`EXISTS (SELECT 1 FROM ${rows} AS ${aliasRef(target)} WHERE ${inner})`;
    }
    case 'remote-exists':
      return ctx.remoteExists(b, alias);
    default: {
      const never: never = b;
      invariant(false, `unknown bool exp ${JSON.stringify(never)}`);
    }
  }
}

/**
 * `parent.from` among the `to` keys of the target rows that pass `where`, for a parent read
 * through a foreign table: `= ANY(ARRAY(SELECT …))` is an init plan, read once, whose
 * result postgres_fdw ships inside the parent's remote query — no local join, no foreign
 * table read whole. Two-valued like EXISTS: null keys never match.
 */
export function keyArrayFilter(pair: ColumnPair, parent: Alias, table: Sql, where: BoolExpIR | undefined, ctx: WhereContext): Sql {
  const target = ctx.aliases.alloc();
  const conds = [sql`${col(target, pair.to)} IS NOT NULL`];
  if (where) conds.push(compileWhere(where, target, ctx));
  const keys = sql`SELECT ${col(target, pair.to)} FROM ${table} AS ${aliasRef(target)} WHERE ${andAll(conds)}`;
  return sql`(${col(parent, pair.from)} IS NOT NULL) AND (${col(parent, pair.from)} = ANY(ARRAY(${keys})))`;
}

function compare(column: ColumnModel, op: CompareOp, value: unknown, alias: Alias, expr?: Sql): Sql {
  const c = expr ?? col(alias, column.name);
  switch (op) {
    case '_is_null':
      return value === true ? sql`${c} IS NULL` : sql`${c} IS NOT NULL`;
    case '_in':
      return sql`${c} = ANY(${castParam(asList(value), column, true)})`;
    case '_nin':
      return sql`${c} <> ALL(${castParam(asList(value), column, true)})`;
    case '_contains':
      return sql`${c} @> ${param(JSON.stringify(value))}::${JSONB}`;
    case '_contained_in':
      return sql`${c} <@ ${param(JSON.stringify(value))}::${JSONB}`;
    case '_has_key':
      return sql`${c} ? ${param(String(value))}::${TEXT}`;
    case '_has_keys_any':
      return sql`${c} ?| ${param(asList(value).map(String))}::${TEXT_ARRAY}`;
    case '_has_keys_all':
      return sql`${c} ?& ${param(asList(value).map(String))}::${TEXT_ARRAY}`;
    default: {
      if (isSpatialOp(op)) return spatialCompare(op, c, value, column.catalog.type);
      const operator = BINARY[op];
      invariant(operator, `operator ${op} has SQL`);
      return sql`${c}${operator}${castParam(value, column)}`;
    }
  }
}

/**
 * `_in`/`_nin` (and the jsonb `_has_keys_any`/`_has_keys_all`) with a session variable
 * holding a Postgres array literal (`{1,2,3}`): the
 * literal is one parameter, parsed by Postgres as an array of the column type — a value
 * that does not parse fails the statement (fail closed), never widens the filter.
 */
function arrayLiteralCompare(column: ColumnModel, op: CompareOp, value: unknown, alias: Alias, expr?: Sql): Sql {
  const c = expr ?? col(alias, column.name);
  // jsonb key operators take a text[] whatever the column type.
  if (op === '_has_keys_any') return sql`${c} ?| ${param(String(value))}::${TEXT_ARRAY}`;
  if (op === '_has_keys_all') return sql`${c} ?& ${param(String(value))}::${TEXT_ARRAY}`;
  invariant(op === '_in' || op === '_nin', 'array literals are compared with _in/_nin/_has_keys_any/_has_keys_all');
  const t = column.catalog.type;
  const list = sql`${param(String(value))}::${typeRef(t.schema, t.name, true)}`;
  return op === '_in' ? sql`${c} = ANY(${list})` : sql`${c} <> ALL(${list})`;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}
