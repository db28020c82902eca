/**
 * Boolean expressions → BoolExpIR, in two dialects:
 * - `<T>_bool_exp` argument values (GraphQL): already coerced by graphql-js, checked here
 *   for Hasura's rules (no null comparisons) and mapped to columns by field name;
 * - permission filters written in metadata (`metadata` set): Hasura's full permission
 *   syntax — columns by database name, implicit `_eq` (`{"id": "X-Hasura-User-Id"}`),
 *   `$`-prefixed operators (`$or`, `$eq`, …), column comparisons (`_ceq`, …, with
 *   `["$", col]` for the permission's own table), `_exists`, `_in` with a session variable
 *   holding a Postgres array literal; through a remote relationship, the target's own
 *   permission for the role applies (`metadata.remotePermission`).
 */
import { FarjoinError } from '../errors.js';
import type { ColumnModel, ModelIndex, TableModel } from '../metadata/model.js';
import type { BoolExpIR, ColumnCompareOp, CompareOp } from './types.js';
import type { ComputedOperand } from './computed-operands.js';
import { castTargets } from '../schema/casts.js';
import { columnTypeName } from '../schema/scalars.js';

const OPERATORS: ReadonlySet<string> = new Set<CompareOp>([
  '_eq', '_neq', '_gt', '_lt', '_gte', '_lte', '_in', '_nin', '_is_null',
  '_like', '_nlike', '_ilike', '_nilike', '_similar', '_nsimilar', '_regex', '_nregex', '_iregex', '_niregex',
  '_contains', '_contained_in', '_has_key', '_has_keys_any', '_has_keys_all',
  '_st_contains', '_st_crosses', '_st_equals', '_st_intersects', '_st_overlaps', '_st_touches', '_st_within', '_st_d_within', '_st_3d_intersects', '_st_3d_d_within',
]);

const LIST_OPERATORS: ReadonlySet<string> = new Set(['_in', '_nin', '_has_keys_any', '_has_keys_all']);

/** The GraphQL type of an operator's value (element type for list operators), as Hasura names it. */
function operandTypeName(op: string, column: ColumnModel): string {
  if (op === '_is_null') return 'Boolean';
  if (op === '_has_key' || op === '_has_keys_any' || op === '_has_keys_all') return 'String';
  if (op === '_st_d_within' || op === '_st_3d_d_within') return column.catalog.type.name === 'geography' ? 'st_d_within_geography_input' : 'st_d_within_input';
  return columnTypeName(column);
}

const COLUMN_OPERATORS: ReadonlySet<string> = new Set<ColumnCompareOp>(['_ceq', '_cne', '_cgt', '_clt', '_cgte', '_clte']);

/** Hasura's other spellings of permission operators (`$eq` is `_eq`, `_ne` is `_neq`, `_cneq` is `_cne`). */
const ALIASES: Readonly<Record<string, string>> = { _ne: '_neq', _cneq: '_cne' };

/** Hasura's test for a session variable name: the `x-hasura-` prefix, in any case. */
export const SESSION_VARIABLE = /^x-hasura-/i;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface BoolExpContext {
  /** Tables the expression may name (the role's view, or the full model for permission filters). */
  readonly index: ModelIndex;
  /** The role's row filter of a table reached through a relationship or `_exists`. */
  readonly permission: (table: TableModel) => BoolExpIR | undefined;
  /** Permission filters only: turns `X-Hasura-*` strings into session values. */
  readonly sessionValue?: (value: unknown, path: string) => unknown;
  /** GraphQL filters: a scalar computed field of `table` usable as an operand (ir/computed-operands.ts). */
  readonly computed?: (table: TableModel, name: string, path: string) => ComputedOperand | undefined;
  /** Set for permission filters: Hasura's metadata syntax (see the module comment). */
  readonly metadata?: {
    /** The role's own filter of a remote relationship's target (undefined: unfiltered). */
    readonly remotePermission: (target: TableModel) => BoolExpIR | undefined;
  };
}

/** Where an expression is lowered: `root` is the table `["$", col]` refers to (undefined past a remote relationship). */
interface Scope {
  readonly root: TableModel | undefined;
  /** Set when a column comparison referred to `root`. */
  usesRoot: boolean;
}

function andMaybe(a: BoolExpIR | undefined, b: BoolExpIR | undefined): BoolExpIR | undefined {
  if (!a) return b;
  if (!b) return a;
  return { kind: 'and', items: [a, b] };
}

export function lowerBoolExp(ctx: BoolExpContext, table: TableModel, value: unknown, path: string): BoolExpIR | undefined {
  const scope: Scope = { root: table, usesRoot: false };
  const lowered = lowerIn(ctx, scope, table, value, path);
  // `["$", col]` inside refers to the row this expression is evaluated over.
  return lowered && scope.usesRoot ? { kind: 'root', item: lowered } : lowered;
}

/** A key as written: `$or` is `_or` in metadata, and Hasura's aliases there. */
function operatorKey(ctx: BoolExpContext, key: string): string {
  if (!ctx.metadata) return key;
  const k = key.startsWith('$') ? `_${key.slice(1)}` : key;
  return ALIASES[k] ?? k;
}

function lowerIn(ctx: BoolExpContext, scope: Scope, table: TableModel, value: unknown, path: string): BoolExpIR | undefined {
  const { index } = ctx;
  if (value === null || value === undefined) return undefined;
  if (!isRecord(value)) throw new FarjoinError('validation-failed', 'expected an object for a boolean expression', { path });
  const items: BoolExpIR[] = [];
  for (const [written, v] of Object.entries(value)) {
    const key = operatorKey(ctx, written);
    const p = `${path}.${written}`;
    if (key === '_and' || key === '_or') {
      const list = Array.isArray(v) ? v : v === null || v === undefined ? [] : [v];
      const parts = list.map((x, i) => lowerIn(ctx, scope, table, x, `${p}[${i}]`) ?? TRUE);
      items.push({ kind: key === '_and' ? 'and' : 'or', items: parts });
      continue;
    }
    if (key === '_not') {
      if (v === null || v === undefined) continue;
      // `_not: {}` negates the always-true empty expression.
      items.push({ kind: 'not', item: lowerIn(ctx, scope, table, v, p) ?? TRUE });
      continue;
    }
    if (key === '_exists') {
      if (v === null || v === undefined) continue;
      items.push(lowerExists(ctx, scope, table, v, p));
      continue;
    }
    const column = ctx.metadata ? table.columns.find((c) => c.name === written) : table.columns.find((c) => c.fieldName === written);
    if (column) {
      items.push(...lowerComparisons(ctx, scope, table, column, v, p));
      continue;
    }
    const computed = ctx.computed?.(table, written, p);
    if (computed?.kind === 'scalar') {
      for (const c of lowerComparisons(ctx, scope, table, computed.column, v, p)) items.push(c.kind === 'compare' ? { ...c, computed: computed.call } : c);
      continue;
    }
    if (computed?.kind === 'table') {
      const { target, call } = computed;
      items.push({ kind: 'exists', target, from: call, where: andMaybe(lowerIn(ctx, scope, target, v, p), ctx.permission(target)) });
      continue;
    }
    const rel = table.relationships.find((r) => r.name === written);
    if (rel) {
      const target = index.table(rel.target);
      if (!target) throw new FarjoinError('validation-failed', `relationship "${written}" has no tracked target`, { path: p });
      if (!rel.remote) {
        items.push({ kind: 'exists-relationship', mapping: rel.mapping, target, where: andMaybe(lowerIn(ctx, scope, target, v, p), ctx.permission(target)) });
        continue;
      }
      // Another database: `["$", col]` cannot reach back across it.
      const inner: Scope = { root: undefined, usesRoot: false };
      const permission = ctx.metadata ? ctx.metadata.remotePermission(target) : ctx.permission(target);
      const where = andMaybe(lowerIn(ctx, inner, target, v, p), permission);
      items.push({ kind: 'remote-exists', relationship: rel.name, path: `${table.typeName}.${rel.name}`, parent: table, mapping: rel.mapping, target, where });
      continue;
    }
    throw new FarjoinError('validation-failed', `field "${written}" not found in type: '${table.typeName}_bool_exp'`, { path: p });
  }
  if (items.length === 0) return undefined;
  return items.length === 1 ? items[0] : { kind: 'and', items };
}

/** `{col: {op: value, …}}`; in metadata also `{col: value}` (Hasura's implicit `_eq`). */
function lowerComparisons(ctx: BoolExpContext, scope: Scope, table: TableModel, column: ColumnModel, v: unknown, p: string): BoolExpIR[] {
  if (v === undefined) return [];
  if (!isRecord(v)) {
    if (ctx.metadata && v !== null) return lowerComparisons(ctx, scope, table, column, { _eq: v }, p);
    if (v === null && !ctx.metadata) return [];
    throw new FarjoinError('validation-failed', ctx.metadata
      ? `expected an object of comparison operators or a value to compare with (implicit "_eq"), not null; use {"_is_null": true}`
      : 'expected an object of comparison operators', { path: p });
  }
  const out: BoolExpIR[] = [];
  for (const [written, operand] of Object.entries(v)) {
    const op = operatorKey(ctx, written);
    const at = `${p}.${written}`;
    if (ctx.metadata && COLUMN_OPERATORS.has(op)) {
      out.push(lowerColumnComparison(scope, table, column, op as ColumnCompareOp, operand, at));
      continue;
    }
    if (op === '_cast') {
      out.push(...lowerCast(ctx, scope, table, column, operand, at));
      continue;
    }
    if (!OPERATORS.has(op)) throw new FarjoinError('validation-failed', `unknown comparison operator "${written}"`, { path: at });
    if (operand === null || operand === undefined) {
      // Hasura's words: the operator's value type is non-nullable (`_is_null` compares with null).
      const type = LIST_OPERATORS.has(op) ? `[${operandTypeName(op, column)}!]` : operandTypeName(op, column);
      throw new FarjoinError('validation-failed', `unexpected null value for type '${type}'`, { path: at });
    }
    // A session variable as the whole list of `_in`/`_nin`/`_has_keys_any`/`_has_keys_all`:
    // its value is a Postgres array literal (`{1,2,3}`).
    const arrayLiteral = ctx.sessionValue !== undefined && ARRAY_LITERAL_OPERATORS.has(op) && typeof operand === 'string' && SESSION_VARIABLE.test(operand);
    const bound = ctx.sessionValue ? sessionBound(ctx.sessionValue, op, operand, at) : operand;
    out.push(arrayLiteral
      ? { kind: 'compare', column, op: op as CompareOp, value: bound, arrayLiteral: true }
      : { kind: 'compare', column, op: op as CompareOp, value: bound });
  }
  return out;
}

/** `_cast: {String: {_like: …}}`: the comparisons inside, over the column cast to the target type (schema/casts.ts). */
function lowerCast(ctx: BoolExpContext, scope: Scope, table: TableModel, column: ColumnModel, operand: unknown, path: string): BoolExpIR[] {
  if (!isRecord(operand)) throw new FarjoinError('validation-failed', 'expected an object for "_cast"', { path });
  const targets = castTargets(column.catalog.type);
  const out: BoolExpIR[] = [];
  for (const [field, inner] of Object.entries(operand)) {
    const target = targets.find((t) => t.field === field);
    if (!target) throw new FarjoinError('validation-failed', `field '${field}' not found in type: '${columnTypeName(column)}_cast_exp'`, { path: `${path}.${field}` });
    const cast: ColumnModel = { ...column, enumReference: undefined, catalog: { ...column.catalog, type: target.type } };
    for (const node of lowerComparisons(ctx, scope, table, cast, inner, `${path}.${field}`)) {
      out.push(node.kind === 'compare' ? { ...node, cast: target.type } : node);
    }
  }
  return out;
}

/** Operators whose whole list may be one session variable holding a Postgres array literal. */
const ARRAY_LITERAL_OPERATORS = new Set(['_in', '_nin', '_has_keys_any', '_has_keys_all']);

/**
 * An operand with the session's values: the whole operand, or — for `st_d_within_input`
 * (`{distance, from, use_spheroid}`) — each of its fields, as Hasura parses that input
 * object field by field (`distance: X-Hasura-Geom-Dist`, `from: X-Hasura-Geom-Val`).
 */
function sessionBound(sessionValue: (value: unknown, path: string) => unknown, op: string, operand: unknown, at: string): unknown {
  if ((op === '_st_d_within' || op === '_st_3d_d_within') && isRecord(operand)) {
    return Object.fromEntries(Object.entries(operand).map(([k, x]) => [k, sessionValue(x, `${at}.${k}`)]));
  }
  return sessionValue(operand, at);
}

/** `_ceq: "col"`, `["col"]` (this table) or `["$", "col"]` (the permission's own table); types must match, as Hasura checks. */
function lowerColumnComparison(scope: Scope, table: TableModel, column: ColumnModel, op: ColumnCompareOp, operand: unknown, path: string): BoolExpIR {
  const ref = typeof operand === 'string' ? [operand] : operand;
  if (!Array.isArray(ref) || ref.length === 0 || ref.length > 2 || !ref.every((x) => typeof x === 'string')) {
    throw new FarjoinError('validation-failed', `"${op}" takes a column name, ["column"] or ["$", "column"]`, { path });
  }
  const rooted = ref.length === 2;
  if (rooted && ref[0] !== '$') throw new FarjoinError('not-supported', 'relationship references are not supported in column comparison RHS; use ["$", "column"] for the root table', { path });
  if (rooted && !scope.root) throw new FarjoinError('not-supported', `["$", "${String(ref[1])}"] cannot refer to the root table across a remote relationship (another database)`, { path });
  const on = rooted ? scope.root! : table;
  const name = String(ref[ref.length - 1]);
  const other = on.columns.find((c) => c.name === name);
  if (!other) throw new FarjoinError('validation-failed', `column "${name}" not found in table ${on.schema}.${on.name} (column operators can only compare postgres columns)`, { path });
  const a = column.catalog.type;
  const b = other.catalog.type;
  if (a.schema !== b.schema || a.name !== b.name) {
    throw new FarjoinError('validation-failed', `incompatible column types: "${column.name}" (${a.name}), "${other.name}" (${b.name})`, { path });
  }
  if (rooted) scope.usesRoot = true;
  return { kind: 'compare-column', column, op, other, root: rooted };
}

const TRUE: BoolExpIR = { kind: 'and', items: [] };

/** Matches no row (an empty `_or`): what a role reaches where it has no permission. */
export const NOTHING: BoolExpIR = { kind: 'or', items: [] };

export { andMaybe };

/** `{_table: {schema, name} | name, _where: {…}}` (Hasura's permission syntax), within the same source. */
function lowerExists(ctx: BoolExpContext, scope: Scope, table: TableModel, value: unknown, path: string): BoolExpIR {
  const { index } = ctx;
  const ref = isRecord(value) ? value._table : undefined;
  if (!isRecord(value) || !(isRecord(ref) || typeof ref === 'string')) {
    throw new FarjoinError('validation-failed', '"_exists" needs {_table: {schema, name}, _where: {…}}', { path });
  }
  const name = typeof ref === 'string' ? ref : ref.name;
  const schema = isRecord(ref) && typeof ref.schema === 'string' ? ref.schema : 'public';
  if (typeof name !== 'string') throw new FarjoinError('validation-failed', '"_exists._table" needs a "name"', { path: `${path}._table` });
  const target = index.table({ source: table.source, schema, name });
  if (!target) {
    throw new FarjoinError('validation-failed', `"_exists" names ${schema}.${name}, which is not a tracked table of source "${table.source}"`, { path: `${path}._table` });
  }
  return { kind: 'exists', target, where: andMaybe(lowerIn(ctx, scope, target, value._where, `${path}._where`), ctx.permission(target)) };
}
