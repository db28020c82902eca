/**
 * `<T>_bool_exp` argument values → BoolExpIR. Values are already coerced by graphql-js;
 * here they are checked for Hasura's rules (no null comparisons) and mapped to columns.
 */
import { FarjoinError } from '../errors.js';
import type { ModelIndex, TableModel } from '../metadata/model.js';
import type { BoolExpIR, CompareOp } from './types.js';

const OPERATORS: ReadonlySet<string> = new Set<CompareOp>([
  '_eq', '_neq', '_gt', '_lt', '_gte', '_lte', '_in', '_nin', '_is_null',
  '_like', '_nlike', '_ilike', '_nilike', '_similar', '_nsimilar', '_regex', '_nregex', '_iregex', '_niregex',
  '_contains', '_contained_in', '_has_key', '_has_keys_any', '_has_keys_all',
  '_st_contains', '_st_crosses', '_st_equals', '_st_intersects', '_st_overlaps', '_st_touches', '_st_within', '_st_d_within', '_st_3d_intersects', '_st_3d_d_within',
]);

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
}

function andMaybe(a: BoolExpIR | undefined, b: BoolExpIR | undefined): BoolExpIR | undefined {
  if (!a) return b;
  if (!b) return a;
  return { kind: 'and', items: [a, b] };
}

export function lowerBoolExp(ctx: BoolExpContext, table: TableModel, value: unknown, path: string): BoolExpIR | undefined {
  const { index } = ctx;
  if (value === null || value === undefined) return undefined;
  if (!isRecord(value)) throw new FarjoinError('validation-failed', 'expected an object for a boolean expression', { path });
  const items: BoolExpIR[] = [];
  for (const [key, v] of Object.entries(value)) {
    const p = `${path}.${key}`;
    if (key === '_and' || key === '_or') {
      const list = Array.isArray(v) ? v : v === null || v === undefined ? [] : [v];
      const parts = list.map((x, i) => lowerBoolExp(ctx, table, x, `${p}[${i}]`) ?? TRUE);
      items.push({ kind: key === '_and' ? 'and' : 'or', items: parts });
      continue;
    }
    if (key === '_not') {
      if (v === null || v === undefined) continue;
      // `_not: {}` negates the always-true empty expression.
      items.push({ kind: 'not', item: lowerBoolExp(ctx, table, v, p) ?? TRUE });
      continue;
    }
    if (key === '_exists') {
      if (v === null || v === undefined) continue;
      items.push(lowerExists(ctx, table, v, p));
      continue;
    }
    const column = table.columns.find((c) => c.fieldName === key);
    if (column) {
      if (v === null || v === undefined) continue;
      if (!isRecord(v)) throw new FarjoinError('validation-failed', 'expected an object of comparison operators', { path: p });
      for (const [op, operand] of Object.entries(v)) {
        if (!OPERATORS.has(op)) throw new FarjoinError('validation-failed', `unknown comparison operator "${op}"`, { path: `${p}.${op}` });
        if (operand === null || operand === undefined) {
          throw new FarjoinError('validation-failed', `unexpected null value for "${op}"; use "_is_null" to compare with null`, { path: `${p}.${op}` });
        }
        const bound = ctx.sessionValue ? ctx.sessionValue(operand, `${p}.${op}`) : operand;
        items.push({ kind: 'compare', column, op: op as CompareOp, value: bound });
      }
      continue;
    }
    const rel = table.relationships.find((r) => r.name === key);
    if (rel && !rel.remote) {
      const target = index.table(rel.target);
      if (!target) throw new FarjoinError('validation-failed', `relationship "${key}" has no tracked target`, { path: p });
      items.push({ kind: 'exists-relationship', mapping: rel.mapping, target, where: andMaybe(lowerBoolExp(ctx, target, v, p), ctx.permission(target)) });
      continue;
    }
    if (rel && rel.remote) {
      const target = index.table(rel.target);
      if (!target) throw new FarjoinError('validation-failed', `relationship "${key}" has no tracked target`, { path: p });
      const where = andMaybe(lowerBoolExp(ctx, target, v, p), ctx.permission(target));
      items.push({ kind: 'remote-exists', relationship: rel.name, path: `${table.typeName}.${rel.name}`, parent: table, mapping: rel.mapping, target, where });
      continue;
    }
    throw new FarjoinError('validation-failed', `field "${key}" not found in type: '${table.typeName}_bool_exp'`, { path: p });
  }
  if (items.length === 0) return undefined;
  return items.length === 1 ? items[0] : { kind: 'and', items };
}

const TRUE: BoolExpIR = { kind: 'and', items: [] };

export { andMaybe };

/** `{_table: {schema, name}, _where: {…}}` (Hasura's permission syntax), within the same source. */
function lowerExists(ctx: BoolExpContext, table: TableModel, value: unknown, path: string): BoolExpIR {
  const { index } = ctx;
  if (!isRecord(value) || !isRecord(value._table)) {
    throw new FarjoinError('validation-failed', '"_exists" needs {_table: {schema, name}, _where: {…}}', { path });
  }
  const ref = value._table;
  const name = ref.name;
  const schema = typeof ref.schema === 'string' ? ref.schema : 'public';
  if (typeof name !== 'string') throw new FarjoinError('validation-failed', '"_exists._table" needs a "name"', { path: `${path}._table` });
  const target = index.table({ source: table.source, schema, name });
  if (!target) {
    throw new FarjoinError('validation-failed', `"_exists" names ${schema}.${name}, which is not a tracked table of source "${table.source}"`, { path: `${path}._table` });
  }
  return { kind: 'exists', target, where: andMaybe(lowerBoolExp(ctx, target, value._where, `${path}._where`), ctx.permission(target)) };
}
