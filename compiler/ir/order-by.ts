/** `order_by` argument values → OrderByIR, following object relationships (Hasura semantics). */
import { FarjoinError } from '../errors.js';
import type { ColumnModel, ColumnPair, TableModel } from '../metadata/model.js';
import type { BoolExpContext } from './bool-exp.js';
import type { AggregateOp, FunctionCallIR, OrderByIR } from './types.js';

type Step = OrderByIR['path'][number];

const DIRECTIONS: Readonly<Record<string, Pick<OrderByIR, 'direction' | 'nulls'>>> = {
  asc: { direction: 'asc', nulls: 'last' },
  asc_nulls_last: { direction: 'asc', nulls: 'last' },
  asc_nulls_first: { direction: 'asc', nulls: 'first' },
  desc: { direction: 'desc', nulls: 'first' },
  desc_nulls_first: { direction: 'desc', nulls: 'first' },
  desc_nulls_last: { direction: 'desc', nulls: 'last' },
};

export function lowerOrderBy(ctx: BoolExpContext, table: TableModel, value: unknown, path: string): OrderByIR[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  const out: OrderByIR[] = [];
  list.forEach((item, i) => walk(ctx, table, item, [], `${path}[${i}]`, out));
  return out;
}

function walk(ctx: BoolExpContext, table: TableModel, item: unknown, via: Step[], path: string, out: OrderByIR[]): void {
  const { index } = ctx;
  if (typeof item !== 'object' || item === null) return;
  for (const [key, v] of Object.entries(item as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    const column = table.columns.find((c) => c.fieldName === key);
    if (column) {
      const dir = DIRECTIONS[String(v)];
      if (!dir) throw new FarjoinError('validation-failed', `unexpected order_by value "${String(v)}"`, { path: `${path}.${key}` });
      out.push({ kind: 'order-by', path: via, target: { kind: 'column', column }, ...dir });
      continue;
    }
    const computed = ctx.computed?.(table, key, `${path}.${key}`);
    if (computed?.kind === 'scalar') {
      const dir = DIRECTIONS[String(v)];
      if (!dir) throw new FarjoinError('validation-failed', `unexpected order_by value "${String(v)}"`, { path: `${path}.${key}` });
      out.push({ kind: 'order-by', path: via, target: { kind: 'column', column: computed.column, computed: computed.call }, ...dir });
      continue;
    }
    // A table computed field's aggregate (`articles_aggregate: {count: desc}`) over its call's rows.
    const computedAgg = key.endsWith('_aggregate') ? ctx.computed?.(table, key.slice(0, -'_aggregate'.length), `${path}.${key}`) : undefined;
    if (computedAgg?.kind === 'table') {
      walkAggregate(computedAgg.target, [], ctx.permission(computedAgg.target), v, via, `${path}.${key}`, out, undefined, computedAgg.call);
      continue;
    }
    const aggRel = key.endsWith('_aggregate') ? table.relationships.find((r) => r.type === 'array' && `${r.name}_aggregate` === key) : undefined;
    if (aggRel) {
      const target = index.table(aggRel.target);
      if (target) {
        if (aggRel.remote && via.length > 0) {
          throw new FarjoinError('not-supported', `ordering by the remote relationship "${aggRel.name}" through other relationships is not supported; order by it from ${table.typeName} directly`, { path: `${path}.${key}` });
        }
        const remote = aggRel.remote ? { relationship: aggRel.name, path: `${table.typeName}.${aggRel.name}`, parent: table } : undefined;
        walkAggregate(target, aggRel.mapping, ctx.permission(target), v, via, `${path}.${key}`, out, remote);
        continue;
      }
    }
    const rel = table.relationships.find((r) => r.name === key);
    if (rel && rel.type === 'object' && !rel.remote) {
      const target = index.table(rel.target);
      if (target) {
        // Ordering through a relationship only sees the rows the role may read.
        walk(ctx, target, v, [...via, { mapping: rel.mapping, target, where: ctx.permission(target) }], `${path}.${key}`, out);
        continue;
      }
    }
    if (rel && rel.remote && rel.type === 'object') {
      const target = index.table(rel.target);
      if (target) {
        walkRemote(ctx, table, rel.name, rel.mapping, target, v, via, `${path}.${key}`, out);
        continue;
      }
    }
    if (rel?.remote) {
      throw new FarjoinError('not-supported', `ordering by the remote relationship "${key}" is not supported yet`, { path: `${path}.${key}` });
    }
    throw new FarjoinError('validation-failed', `field "${key}" not found in type: '${table.typeName}_order_by'`, { path: `${path}.${key}` });
  }
}

/** `{count: desc, max: {year: asc}}` on an array relationship's aggregate. */
function walkAggregate(
  table: TableModel, mapping: readonly ColumnPair[], where: OrderByIR['path'][number]['where'], item: unknown, via: Step[], path: string, out: OrderByIR[],
  remote?: { relationship: string; path: string; parent: TableModel },
  from?: FunctionCallIR,
): void {
  const target = (op: 'count' | AggregateOp, column: ColumnModel | undefined): OrderByIR['target'] => (remote
    ? { kind: 'remote-aggregate', ...remote, mapping, table, op, column, where }
    : { kind: 'array-aggregate', mapping, table, op, column, where, ...(from ? { from } : {}) });
  if (typeof item !== 'object' || item === null) return;
  for (const [op, v] of Object.entries(item as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    if (op === 'count') {
      const dir = DIRECTIONS[String(v)];
      if (!dir) throw new FarjoinError('validation-failed', `unexpected order_by value "${String(v)}"`, { path: `${path}.count` });
      out.push({ kind: 'order-by', path: via, target: target('count', undefined), ...dir });
      continue;
    }
    for (const [field, d] of Object.entries(v as Record<string, unknown>)) {
      const column = table.columns.find((c) => c.fieldName === field);
      const dir = DIRECTIONS[String(d)];
      if (!column || !dir) throw new FarjoinError('validation-failed', `unexpected order_by "${op}.${field}"`, { path: `${path}.${op}.${field}` });
      out.push({ kind: 'order-by', path: via, target: target(op as AggregateOp, column), ...dir });
    }
  }
}

/** `order_by: {user: {name: desc}}` where `user` is a remote object relationship: its own columns only. */
function walkRemote(
  ctx: BoolExpContext, parent: TableModel, relationship: string, mapping: readonly ColumnPair[], table: TableModel,
  item: unknown, via: Step[], path: string, out: OrderByIR[],
): void {
  if (typeof item !== 'object' || item === null) return;
  if (via.length > 0) {
    throw new FarjoinError('not-supported', `ordering by the remote relationship "${relationship}" through other relationships is not supported; order by it from ${parent.typeName} directly`, { path });
  }
  for (const [field, d] of Object.entries(item as Record<string, unknown>)) {
    if (d === null || d === undefined) continue;
    const column = table.columns.find((c) => c.fieldName === field);
    const dir = DIRECTIONS[String(d)];
    if (!column || !dir) {
      throw new FarjoinError('not-supported', `ordering by "${relationship}.${field}": only columns of the remote table can order its parents`, { path: `${path}.${field}` });
    }
    out.push({
      kind: 'order-by', path: via,
      target: { kind: 'remote-column', relationship, path: `${parent.typeName}.${relationship}`, parent, mapping, table, column, where: ctx.permission(table) },
      ...dir,
    });
  }
}
