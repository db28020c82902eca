/**
 * Filters through remote relationships (DESIGN.md §5.2, issue 4): `orders(where: {user:
 * {name: {_eq: "Alice"}}})` when `user` lives in another database. Without a postgres_fdw
 * link this is a `semi-join`: a step on the target fetches the distinct keys of the rows
 * that match (under the role's permission, already in `where`), and the parent's statement
 * keeps the rows whose key is among them. Exists semantics for object and array
 * relationships alike; nested remote filters inside `where` become semi-joins feeding this
 * one.
 */
import { invariant } from '../errors.js';
import type { BoolExpIR } from '../ir/types.js';
import { keyColumn } from '../metadata/model.js';
import type { RemoteOrderTarget } from '../sql/select.js';
import { aliasRef, col, ident, list, placeholder, print, sql, typeRef, type Alias, type Sql } from '../sql/builder.js';
import { AGG_FUNCTIONS } from '../sql/aggregate.js';
import { tableSql, type StatementBuilder } from '../sql/select.js';
import { andAll, compileWhere } from '../sql/where.js';
import { keyExpr, keyForm, keyRange } from './key-form.js';
import type { KeyTest } from './cost.js';
import type { SemiJoinStep } from './types.js';

export type RemoteExists = Extract<BoolExpIR, { kind: 'remote-exists' }>;

/** Most keys a semi-join may return before the filter is refused (no silent truncation). */
export const DEFAULT_MAX_SEMI_JOIN_KEYS = 100_000;

export interface SemiJoinContext {
  /** Allocates a step id. */
  alloc(): number;
  /** A statement builder for step `id` (its own remote filters feed `id`). */
  builder(id: number): StatementBuilder;
  add(step: SemiJoinStep): void;
}

/** Plans `node` as a semi-join feeding step `consumer`; returns the condition on `parent`. */
export function planSemiJoin(ctx: SemiJoinContext, consumer: number, node: RemoteExists, parent: Alias, reason: string, keyTest: KeyTest): Sql {
  const id = ctx.alloc();
  const builder = ctx.builder(id);
  const t = builder.aliases.alloc();
  const s = builder.aliases.alloc();
  const pairs = node.mapping.map((m, i) => {
    const p = keyColumn(node.parent, m.from);
    const tc = keyColumn(node.target, m.to);
    invariant(p && tc, `semi-join key ${m.from} → ${m.to} exists`);
    const form = keyForm(p.catalog.type, tc.catalog.type);
    return { parentColumn: p, expr: sql`${keyExpr(col(t, tc.name), form)} AS ${ident(`k${i}`)}`, range: keyRange(tc.catalog.type, p.catalog.type), name: `f${id}_k${i}` };
  });
  // A null key matches nothing (equality with null is never true), so none is shipped:
  // the parent's `= ANY(keys)` is then null only for a null parent key, which the guard
  // below turns into false.
  const conds = node.mapping.map((m) => sql`${col(t, m.to)} IS NOT NULL`);
  if (node.where) conds.push(compileWhere(node.where, t, builder.whereContext));
  const keys = list(pairs.map((_, i) => col(s, `k${i}`)));
  const text = sql`SELECT coalesce(json_agg(json_build_array(${keys})), '[]'::json) AS "keys" FROM (SELECT DISTINCT ${list(pairs.map((p) => p.expr))} FROM ${tableSql(node.target)} AS ${aliasRef(t)} WHERE ${andAll(conds)}) AS ${aliasRef(s)}`;
  ctx.add({
    kind: 'semi-join', id, consumer, source: node.target.source, from: node.parent.source, path: node.path,
    relationship: node.relationship, strategy: 'semi-join', reason,
    placeholders: pairs.map((p) => p.name), keyRanges: pairs.map((p) => p.range),
    sql: print(text), maxKeys: DEFAULT_MAX_SEMI_JOIN_KEYS,
  });
  const keyArray = (i: number): Sql => {
    const p = pairs[i];
    invariant(p, 'key pair');
    const type = p.parentColumn.catalog.type;
    return sql`${placeholder(p.name)}::${typeRef(type.schema, type.name, true)}`;
  };
  const match = pairs.length === 1
    ? sql`${col(parent, node.mapping[0]!.from)} = ANY(${keyArray(0)})`
    : sql`(${list(node.mapping.map((m) => col(parent, m.from)))}) IN (SELECT * FROM unnest(${list(pairs.map((_, i) => keyArray(i)))}))`;
  return keyTest === 'planned' ? planned(node, parent, match) : hashed(match);
}

/**
 * EXISTS is two-valued, `= ANY` and `IN` are not: a null parent key would make the test
 * null, and `_not` would then drop the row. `key IS NOT NULL AND test` is false there, and
 * the test itself is never null (no null key reaches the other side). The conjunction
 * stays visible to Postgres: `= ANY(keys)` drives an index on the key and is estimated
 * from the array — measured 200–500 ms → 6–10 ms for 100 keys over 10^6 parent rows. But
 * Postgres estimates such an array element by element while planning (130 ms at 10^5
 * keys), hence `hashed` for many keys (cost.ts).
 */
function planned(node: RemoteExists, parent: Alias, match: Sql): Sql {
  return sql`(${andAll([...node.mapping.map((m) => sql`${col(parent, m.from)} IS NOT NULL`), match])})`;
}

/**
 * `coalesce(test, false)`: two-valued, and opaque to Postgres's estimates — O(1) to plan,
 * run as a hashed filter (= ANY over a constant array, or a hashed subplan for IN).
 */
function hashed(match: Sql): Sql {
  return sql`coalesce(${match}, false)`;
}

/**
 * The same filter pushed down: one statement on the parent's source, the target read
 * through its foreign table. `IN (SELECT …)` inside the expression becomes a *hashed*
 * SubPlan: the foreign table is read once (one remote query carrying the filter) into a
 * hash table, each parent row is one lookup. (`= ANY(ARRAY(SELECT …))` reads it once too,
 * but compares every parent row with the whole array: measured 30× slower at 10^4 keys.)
 * `coalesce` keeps it two-valued and keeps Postgres from pulling the IN up into a join: it
 * would drive that join from its (default, often wrong) estimate of the foreign scan —
 * measured 10–40× slower than the hashed subplan once more than ~1% of the keys match.
 */
export function planFdwFilter(builder: StatementBuilder, node: RemoteExists, parent: Alias, foreignTable: Sql): Sql {
  const f = builder.aliases.alloc();
  const where = node.where ? compileWhere(node.where, f, builder.whereContext) : sql`true`;
  const tuple = list(node.mapping.map((m) => col(parent, m.from)));
  const targetTuple = list(node.mapping.map((m) => col(f, m.to)));
  const lhs = node.mapping.length === 1 ? tuple : sql`(${tuple})`;
  return hashed(sql`${lhs} IN (SELECT ${targetTuple} FROM ${foreignTable} AS ${aliasRef(f)} WHERE ${where})`);
}

/**
 * Ordering by a column of an object remote relationship, pushed down: the remote values
 * join the parent rows inside one statement. The foreign table is read once, for the keys
 * of the parent rows that pass `where` (an init plan shipped as one remote query), reduced
 * to one row per key and hash-joined — never a correlated lookup per parent row.
 */
export function planFdwOrder(
  builder: StatementBuilder, target: RemoteOrderTarget, parent: Alias, where: BoolExpIR | undefined, foreignTable: Sql,
): { join: Sql; value: Sql } {
  const f = builder.aliases.alloc();
  const x = builder.aliases.alloc();
  const p2 = builder.aliases.alloc();
  const parentWhere = where ? compileWhere(where, p2, builder.whereContext) : sql`true`;
  const keyNames = target.mapping.map((_, i) => `k${i}`);
  const parentKeys = list(target.mapping.map((m) => col(p2, m.from)));
  const targetKeys = list(target.mapping.map((m) => col(f, m.to)));
  const keySet = sql`SELECT DISTINCT ${parentKeys} FROM ${builder.tables(target.parent)} AS ${aliasRef(p2)} WHERE ${parentWhere}`;
  const keyCondition = target.mapping.length === 1
    ? sql`${targetKeys} = ANY(ARRAY(${keySet}))`
    : sql`(${targetKeys}) IN (${keySet})`;
  const conds = [keyCondition];
  if (target.where) conds.push(compileWhere(target.where, f, builder.whereContext));
  const keysOut = target.mapping.map((m, i) => sql`${col(f, m.to)} AS ${ident(keyNames[i]!)}`);
  const on = andAll(target.mapping.map((m, i) => sql`${col(x, keyNames[i]!)} = ${col(parent, m.from)}`));
  if (target.kind === 'remote-column') {
    // One row per key (an object relationship), its column to order by.
    const selected = list([...keysOut, sql`${col(f, target.column.name)} AS "v"`]);
    const derived = sql`SELECT DISTINCT ON (${targetKeys}) ${selected} FROM ${foreignTable} AS ${aliasRef(f)} WHERE ${andAll(conds)} ORDER BY ${targetKeys}`;
    return { join: sql`LEFT JOIN (${derived}) AS ${aliasRef(x)} ON ${on}`, value: col(x, 'v') };
  }
  // One aggregate per key (an array relationship); parents without rows count 0.
  const value = target.op === 'count' || !target.column ? sql`count(*)` : sql`${AGG_FUNCTIONS[target.op]}(${col(f, target.column.name)})`;
  const derived = sql`SELECT ${list([...keysOut, sql`${value} AS "v"`])} FROM ${foreignTable} AS ${aliasRef(f)} WHERE ${andAll(conds)} GROUP BY ${targetKeys}`;
  const ordered = target.op === 'count' ? sql`coalesce(${col(x, 'v')}, 0)` : col(x, 'v');
  return { join: sql`LEFT JOIN (${derived}) AS ${aliasRef(x)} ON ${on}`, value: ordered };
}
