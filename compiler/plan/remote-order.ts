/**
 * Ordering by remote fields without postgres_fdw (issue 11 item 9): `orders(order_by:
 * {user: {name: asc}})` when `user` lives in another database. A step on the target (a
 * `semi-join` step used for ordering) fetches, under the role's permission (already in
 * `target.where`), one (key, rank) pair per key: the rank of the sort value among all of
 * them (`dense_rank`, computed by the target's own comparison — its collation, enum order,
 * numeric semantics; null values get no rank). The pairs reach the parent's statement as
 * array parameters, `LEFT JOIN unnest($k::T[], $r::int8[])`, as the keys of a remote
 * filter do (remote-filter.ts); the parent orders by the rank. A key without a row there
 * orders as null, or as a count of 0 for `count`, exactly as the fdw plan does. More pairs
 * than the cap is an error that names the fix (runtime/join/semi-join.ts).
 */
import { invariant } from '../errors.js';
import { keyColumn } from '../metadata/model.js';
import { AGG_FUNCTIONS } from '../sql/aggregate.js';
import { aliasRef, col, ident, list, placeholder, print, sql, typeRef, type Alias, type Sql } from '../sql/builder.js';
import { tableSql, type RemoteOrderTarget, type StatementBuilder } from '../sql/select.js';
import { andAll, compileWhere } from '../sql/where.js';
import { keyExpr, keyForm, keyRange } from './key-form.js';
import { DEFAULT_MAX_SEMI_JOIN_KEYS, type SemiJoinContext } from './remote-filter.js';

/** `parent` is an alias of the consumer's statement, built by `consumerBuilder`. */
export function planKeyOrder(
  ctx: SemiJoinContext, consumer: number, consumerBuilder: StatementBuilder, target: RemoteOrderTarget, parent: Alias, reason: string,
): { join: Sql; value: Sql } {
  const id = ctx.alloc();
  const builder = ctx.builder(id);
  const t = builder.aliases.alloc();
  const s = builder.aliases.alloc();
  const r = consumerBuilder.aliases.alloc();
  const pairs = target.mapping.map((m, i) => {
    const p = keyColumn(target.parent, m.from);
    const tc = keyColumn(target.table, m.to);
    invariant(p && tc, `remote order key ${m.from} → ${m.to} exists`);
    const form = keyForm(p.catalog.type, tc.catalog.type);
    return { from: m.from, parentType: p.catalog.type, expr: sql`${keyExpr(col(t, tc.name), form)} AS ${ident(`k${i}`)}`, range: keyRange(tc.catalog.type, p.catalog.type), name: `o${id}_k${i}` };
  });
  const targetKeys = list(target.mapping.map((m) => col(t, m.to)));
  const conds = target.mapping.map((m) => sql`${col(t, m.to)} IS NOT NULL`);
  if (target.where) conds.push(compileWhere(target.where, t, builder.whereContext));
  const from = sql`${tableSql(target.table)} AS ${aliasRef(t)} WHERE ${andAll(conds)}`;
  // One value per key: the object relationship's column, or the array relationship's aggregate.
  const perKey = target.kind === 'remote-column'
    ? sql`SELECT DISTINCT ON (${targetKeys}) ${list(pairs.map((p) => p.expr))}, ${col(t, target.column.name)} AS "v" FROM ${from} ORDER BY ${targetKeys}`
    : sql`SELECT ${list(pairs.map((p) => p.expr))}, ${target.op === 'count' || !target.column ? sql`count(*)` : sql`${AGG_FUNCTIONS[target.op]}(${col(t, target.column.name)})`} AS "v" FROM ${from} GROUP BY ${targetKeys}`;
  const ranked = builder.aliases.alloc();
  const rank = sql`CASE WHEN ${col(s, 'v')} IS NULL THEN NULL ELSE dense_rank() OVER (ORDER BY ${col(s, 'v')}) END AS "r"`;
  const ranks = sql`SELECT ${list([...pairs.map((_, i) => col(s, `k${i}`)), rank])} FROM (${perKey}) AS ${aliasRef(s)}`;
  const out = list([...pairs.map((_, i) => col(ranked, `k${i}`)), col(ranked, 'r')]);
  const text = sql`SELECT coalesce(json_agg(json_build_array(${out})), '[]'::json) AS "pairs" FROM (${ranks}) AS ${aliasRef(ranked)}`;
  const rankName = `o${id}_r`;
  ctx.add({
    kind: 'semi-join', purpose: 'order', id, consumer, source: target.table.source, from: target.parent.source, path: target.path,
    relationship: target.relationship, strategy: 'semi-join', reason,
    placeholders: [...pairs.map((p) => p.name), rankName], keyRanges: [...pairs.map((p) => p.range), null],
    sql: print(text), maxKeys: DEFAULT_MAX_SEMI_JOIN_KEYS,
  });
  const columns = [...pairs.map((p) => sql`${placeholder(p.name)}::${typeRef(p.parentType.schema, p.parentType.name, true)}`), sql`${placeholder(rankName)}::${typeRef('pg_catalog', 'int8', true)}`];
  const names = [...pairs.map((_, i) => ident(`k${i}`)), ident('r')];
  const on = andAll(pairs.map((p, i) => sql`${col(r, `k${i}`)} = ${col(parent, p.from)}`));
  const join = sql`LEFT JOIN unnest(${list(columns)}) AS ${aliasRef(r)}(${list(names)}) ON ${on}`;
  // A parent without rows there has a count of 0, below every counted key (ranks start at 1).
  const value = target.kind === 'remote-aggregate' && target.op === 'count' ? sql`coalesce(${col(r, 'r')}, 0)` : col(r, 'r');
  return { join, value };
}
