/**
 * IR selections → one SQL statement per source and level (DESIGN.md §5, Hasura's
 * "one statement per query level"). Rows come back as positional JSON arrays
 * (`json_build_array`), lists as `json_agg` of those; local relationships are correlated
 * subqueries in the same statement. Remote fields only reserve their key columns as
 * slots and report a join site to the planner through `onRemote`.
 *
 * A statement's top-level lists (root fields, remote join entries) can be built
 * *columnar* instead: `[count, [slot 0 of every row], [slot 1 …], …]`, one `json_agg` per
 * slot over the inner rows, which are ordered by the inner statement itself (a
 * subquery with ORDER BY is never flattened, and a plain aggregate reads its input in
 * order; one ORDER BY per aggregate would sort once per column). Postgres then builds no
 * JSON array per row: at 1e4 rows it spent half the time of the row form (22 → 11 ms
 * on the server, issue 7), and `JSON.parse` reads a few long arrays instead of many
 * short ones. The runtime keeps such lists columnar (runtime/join/columnar.ts).
 */
import { coversUniqueKey, leadsIndex } from '../catalog/types.js';
import { FarjoinError, invariant } from '../errors.js';
import { queryTable, type BoolExpIR, type AggregateQueryIR, type FieldIR, type ListQueryIR, type OrderByIR, type RemoteFieldIR, type SelectionIR } from '../ir/types.js';
import { AGG_FUNCTIONS, aggregateRow, InnerColumns } from './aggregate.js';
import { DEFAULT_OUTPUT, isStringifiedPgType, isStringifiedType, type OutputOptions } from './output.js';
import { functionCallSql } from './function-call.js';
import { enumNames, renamedEnumValues } from './enum-output.js';
import { geoJson, isGeoType } from './postgis.js';
import { keyExpr, remoteKeys, type KeyForm, type RemoteKey } from '../plan/key-form.js';
import type { ColumnModel, TableModel } from '../metadata/model.js';
import type { Descent, RowShape, ShapeField } from '../plan/types.js';
import { AliasAllocator, aliasRef, col, ident, join, list, param, sql, type Alias, type Sql } from './builder.js';
import { andAll, compileWhere, correlation, type WhereContext } from './where.js';

/** Postgres functions take at most 100 arguments. */
const MAX_FUNCTION_ARGS = 100;

export interface RemoteSiteDraft {
  readonly field: RemoteFieldIR;
  /** Descents from the statement's result to the rows that hold the key slots. */
  readonly at: readonly Descent[];
  readonly keySlots: readonly number[];
  /** Key columns and forms on both sides (key-form.ts). */
  readonly keys: readonly RemoteKey[];
  /** The source of the parent table (not necessarily where the statement runs: fdw). */
  readonly from: string;
}

/** An order_by target that lives in another source (planned by plan/remote-filter.ts). */
export type RemoteOrderTarget = Extract<OrderByIR['target'], { kind: 'remote-column' | 'remote-aggregate' }>;

/** How a query reads its rows, as far as the cost of a remote filter in its `where` goes (plan/cost.ts). */
export interface ScanHint {
  /** The query's whole filter (the remote filter being planned included). */
  readonly where: BoolExpIR | undefined;
  readonly limit: number | undefined;
  /** Rows come in an order an index gives (or in no order), so a limit stops the scan early. */
  readonly stopsEarly: boolean;
  /** The query has an order (read through an index when `stopsEarly`). */
  readonly ordered: boolean;
}

function scanHint(query: ListQueryIR | AggregateQueryIR): ScanHint {
  const table = queryTable(query);
  const [first] = query.orderBy;
  const stopsEarly = query.distinctOn.length === 0 && (first === undefined || (first.path.length === 0 && first.target.kind === 'column' && !first.target.computed && leadsIndex(table.catalog, first.target.column.name)));
  return { where: query.where, limit: query.limit, stopsEarly, ordered: first !== undefined };
}

/** From this limit on, a list's page is chosen before its object relationships are joined (innerSelect). */
const PAGE_FIRST_MIN_LIMIT = 5000;

/** How statements reach other sources (plan/plan.ts): filters and ordering by remote fields. */
export interface RemotePlanner {
  /**
   * A filter through a remote relationship on `parent`: a condition. `scan` says how the
   * filtered query reads its rows, when the filter is in a query's own `where`.
   */
  filter(node: Extract<BoolExpIR, { kind: 'remote-exists' }>, parent: Alias, builder: StatementBuilder, scan?: ScanHint): Sql;
  /**
   * Ordering by a remote column of the rows of `table` (alias `parent`, filtered by
   * `where`): a join to add to the row query and the value to order by.
   */
  order(target: RemoteOrderTarget, parent: Alias, where: BoolExpIR | undefined, builder: StatementBuilder): { join: Sql; value: Sql };
  /** Whether statements read `table` through postgres_fdw (default: never). */
  foreign?(table: TableModel): boolean;
}

const LOCAL_ONLY: RemotePlanner = {
  filter(node) {
    throw new FarjoinError('not-supported', `filtering by the remote relationship ${node.path} needs a plan for remote filters`, { path: '$' });
  },
  order(target) {
    throw new FarjoinError('not-supported', `ordering by the remote relationship ${target.path} needs a plan for remote ordering`, { path: '$' });
  },
};

/** A join-key column the runtime reads from every row, in its key form. */
export interface HiddenKey {
  readonly column: string;
  readonly form: KeyForm;
}

export interface BuiltRow {
  readonly expr: Sql;
  readonly shape: RowShape;
  /** Slots of the requested hidden columns (join keys read by the runtime). */
  readonly hiddenSlots: readonly number[];
}

/** `json_build_array(...)`, split into `jsonb ||` chunks above 100 values. */
export function jsonArray(items: readonly Sql[]): Sql {
  if (items.length <= MAX_FUNCTION_ARGS) return sql`json_build_array(${list(items)})`;
  const chunks: Sql[] = [];
  for (let i = 0; i < items.length; i += MAX_FUNCTION_ARGS) {
    chunks.push(sql`jsonb_build_array(${list(items.slice(i, i + MAX_FUNCTION_ARGS))})`);
  }
  return sql`(${join(chunks, sql` || `)})::json`;
}

export function tableSql(t: TableModel): Sql {
  return ident(t.schema, t.name);
}

/** The values of one positional row: columns deduplicated, relationship slots reserved first. */
class RowSlots {
  private readonly exprs: Sql[] = [];
  private readonly columns = new Map<string, number>();
  private readonly outputs = new Map<string, number>();
  constructor(private readonly alias: Alias, private readonly output: OutputOptions) {}

  /**
   * A column as the response shows it. Join keys use `column()` instead: their raw JSON
   * value must stay comparable with the other side, whatever the output format.
   */
  display(column: ColumnModel, jsonPath: readonly string[] | undefined): number {
    const stringify = this.output.stringifyNumeric && isStringifiedType(column);
    const geo = isGeoType(column.catalog.type);
    const renamed = renamedEnumValues(column);
    if (!stringify && !jsonPath && !geo && !renamed) return this.column(column.name);
    const key = JSON.stringify([column.name, stringify, jsonPath ?? null]);
    let s = this.outputs.get(key);
    if (s === undefined) {
      let expr = col(this.alias, column.name);
      if (jsonPath) expr = sql`(${expr} #> ${param(jsonPath)}::text[])`;
      if (stringify) expr = sql`(${expr})::text`;
      if (geo) expr = geoJson(expr, column.catalog.type);
      if (renamed) expr = enumNames(expr, renamed);
      s = this.reserve();
      this.exprs[s] = expr;
      this.outputs.set(key, s);
    }
    return s;
  }

  column(name: string): number {
    let s = this.columns.get(name);
    if (s === undefined) {
      s = this.reserve();
      this.exprs[s] = col(this.alias, name);
      this.columns.set(name, s);
    }
    return s;
  }

  /** A join-key column in its canonical key form (key-form.ts); raw keys share the column's slot. */
  key(name: string, form: KeyForm): number {
    if (form === 'raw') return this.column(name);
    const id = JSON.stringify([name, form]);
    let s = this.outputs.get(id);
    if (s === undefined) {
      s = this.reserve();
      this.exprs[s] = keyExpr(col(this.alias, name), form);
      this.outputs.set(id, s);
    }
    return s;
  }

  /** Reserves a slot whose expression is set later (its index is needed to build it). */
  reserve(): number {
    this.exprs.push(sql`NULL`);
    return this.exprs.length - 1;
  }

  set(slot: number, expr: Sql): void {
    this.exprs[slot] = expr;
  }

  toSql(): Sql {
    return jsonArray(this.exprs);
  }

  /** The slot expressions, in slot order (a columnar list selects them as columns). */
  get slotExprs(): readonly Sql[] {
    return this.exprs;
  }
}

export class StatementBuilder {
  readonly aliases = new AliasAllocator();

  readonly whereContext: WhereContext;

  /** How many correlated subqueries deep the builder is (0: a statement's own rows). */
  private depth = 0;

  /**
   * The FROM clause the row being built can add joins to (object relationships that match
   * at most one row); unset where there is none.
   */
  private joinSink: Sql[] | undefined;

  /**
   * `tables` names the tables in SQL: their own names, or — in an fdw statement — the
   * foreign tables that read them from another database.
   */
  constructor(
    private readonly onRemote: (draft: RemoteSiteDraft) => number,
    private readonly output: OutputOptions = DEFAULT_OUTPUT,
    private readonly remote: RemotePlanner = LOCAL_ONLY,
    readonly tables: (table: TableModel) => Sql = tableSql,
  ) {
    this.whereContext = { aliases: this.aliases, remoteExists: (node, parent) => remote.filter(node, parent, this), table: tables, foreign: (t) => remote.foreign?.(t) === true };
  }

  /** The where context of `query`'s own filter: remote filters in it learn how its rows are read. */
  private whereFor(query: ListQueryIR | AggregateQueryIR): WhereContext {
    const scan = scanHint(query);
    return { ...this.whereContext, remoteExists: (node, parent) => this.remote.filter(node, parent, this, scan) };
  }

  /** Whether rows are being built inside a correlated subquery (run once per outer row). */
  get nested(): boolean {
    return this.depth > 0;
  }

  /** Builds rows whose object relationships may join into `joins` (the FROM of the select being built). */
  private joiningInto<T>(joins: Sql[] | undefined, build: () => T): T {
    const outer = this.joinSink;
    this.joinSink = joins;
    try {
      return build();
    } finally {
      this.joinSink = outer;
    }
  }

  private within<T>(build: () => T): T {
    this.depth++;
    try {
      return build();
    } finally {
      this.depth--;
    }
  }

  /** The positional JSON row for `selection` over `alias`; `at` locates these rows in the result. */
  row(selection: SelectionIR, alias: Alias, at: readonly Descent[], hiddenKeys: readonly HiddenKey[] = []): BuiltRow {
    const { slots, shape, hiddenSlots } = this.rowSlots(selection, alias, at, hiddenKeys);
    return { expr: slots.toSql(), shape, hiddenSlots };
  }

  private rowSlots(selection: SelectionIR, alias: Alias, at: readonly Descent[], hiddenKeys: readonly HiddenKey[]): { slots: RowSlots; shape: RowShape; hiddenSlots: number[] } {
    const slots = new RowSlots(alias, this.output);
    const fields = selection.fields.map((f) => this.field(f, selection.table, alias, at, slots));
    const hiddenSlots = hiddenKeys.map((k) => slots.key(k.column, k.form));
    return { slots, shape: { fields }, hiddenSlots };
  }

  private field(f: FieldIR, table: TableModel, alias: Alias, at: readonly Descent[], slots: RowSlots): ShapeField {
    switch (f.kind) {
      case 'column':
        return { kind: 'scalar', key: f.key, slot: slots.display(f.column, f.jsonPath) };
      case 'typename':
        return { kind: 'constant', key: f.key, value: f.typename };
      case 'object-relationship': {
        const slot = slots.reserve();
        const sink = this.joinSink;
        if (sink && this.joinable(f)) {
          // At most one target row: a LEFT JOIN in the same FROM, which Postgres can hash
          // or merge, instead of a correlated subquery per row.
          const t = this.aliases.alloc();
          const on = correlation(f.mapping, alias, t);
          if (f.where) on.push(compileWhere(f.where, t, this.whereContext));
          // Joined before the joins its own row adds (they refer to it).
          sink.push(sql`LEFT JOIN ${this.tables(f.selection.table)} AS ${aliasRef(t)} ON ${andAll(on)}`);
          const built = this.within(() => this.row(f.selection, t, [...at, { slot, many: false }]));
          const matched = col(t, f.mapping[0]!.to);
          slots.set(slot, sql`CASE WHEN ${matched} IS NULL THEN NULL ELSE ${built.expr} END`);
          return { kind: 'object', key: f.key, slot, shape: built.shape };
        }
        const built = this.within(() => this.objectSubquery(f.selection, (t) => {
          const conds = correlation(f.mapping, alias, t);
          if (f.where) conds.push(compileWhere(f.where, t, this.whereContext));
          return conds;
        }, [...at, { slot, many: false }]));
        slots.set(slot, built.expr);
        return { kind: 'object', key: f.key, slot, shape: built.shape };
      }
      case 'array-relationship': {
        const slot = slots.reserve();
        const built = this.within(() => this.listSubquery(f.query, (t) => correlation(f.mapping, alias, t), [...at, { slot, many: true }]));
        slots.set(slot, sql`(${built.expr})`);
        return { kind: 'array', key: f.key, slot, shape: built.shape };
      }
      case 'array-aggregate': {
        const slot = slots.reserve();
        const built = this.within(() => this.aggregateSubquery(f.query, (t) => correlation(f.mapping, alias, t), [...at, { slot, many: false }]));
        slots.set(slot, built.expr);
        return { kind: 'object', key: f.key, slot, shape: built.shape };
      }
      case 'computed-scalar': {
        const slot = slots.reserve();
        let expr = functionCallSql(f.call, alias);
        if (f.jsonPath) expr = sql`(${expr} #> ${param(f.jsonPath)}::text[])`;
        if (this.output.stringifyNumeric && isStringifiedPgType(f.type)) expr = sql`(${expr})::text`;
        if (isGeoType(f.type)) expr = geoJson(expr, f.type);
        slots.set(slot, expr);
        return { kind: 'scalar', key: f.key, slot };
      }
      case 'computed-table': {
        // The call reads the row (`alias.*`): a correlated subquery per row, like a local array.
        const slot = slots.reserve();
        const q = f.query;
        if (q.kind === 'list-query') {
          const built = this.within(() => this.listSubquery(q, () => [], [...at, { slot, many: true }], [], { row: alias }));
          slots.set(slot, sql`(${built.expr})`);
          return { kind: 'array', key: f.key, slot, shape: built.shape };
        }
        const built = this.within(() => this.aggregateSubquery(q, () => [], [...at, { slot, many: false }], alias));
        slots.set(slot, built.expr);
        return { kind: 'object', key: f.key, slot, shape: built.shape };
      }
      case 'remote-relationship': {
        const keys = remoteKeys(f, table);
        const keySlots = keys.map((k) => slots.key(k.parent.column, k.parent.form));
        const join = this.onRemote({ field: f, at, keySlots, keys, from: table.source });
        return { kind: 'remote', key: f.key, join };
      }
      default: {
        const never: never = f;
        invariant(false, `unknown field ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * An object relationship can be a join when its mapping covers a unique key of the
   * target (so it matches at most one row) and the target is a table of the database the
   * statement runs on (a local ⋈ foreign join would read the whole remote table).
   */
  private joinable(f: Extract<FieldIR, { kind: 'object-relationship' }>): boolean {
    const target = f.selection.table;
    if (f.mapping.length === 0 || this.whereContext.foreign?.(target)) return false;
    return coversUniqueKey(target.catalog, f.mapping.map((m) => m.to));
  }

  /**
   * A statement returning the JSON array of rows of `query`. `extra` adds conditions over
   * the table alias (correlation to a parent, or join keys). Used bare for remote joins
   * and wrapped in parentheses as a correlated subquery for local arrays.
   */
  listSubquery(
    query: ListQueryIR,
    extra: (table: Alias) => Sql[],
    at: readonly Descent[],
    hiddenKeys: readonly HiddenKey[] = [],
    options: { readonly columnar?: boolean; readonly row?: Alias; readonly from?: Sql } = {},
  ): BuiltRow {
    const t = this.aliases.alloc();
    const s = this.aliases.alloc();
    const objectJoins: Sql[] = [];
    // Over a mutation's rows (`from`), no joins: the rows keep the order the statement wrote them in.
    const { slots, shape, hiddenSlots } = options.from
      ? this.joiningInto(undefined, () => this.rowSlots(query.selection, t, at, hiddenKeys))
      : this.joiningInto(objectJoins, () => this.rowSlots(query.selection, t, at, hiddenKeys));
    const conds = extra(t);
    if (query.where) conds.push(compileWhere(query.where, t, this.whereFor(query)));
    const order = this.effectiveOrder(query);
    const orderJoins: Sql[] = [];
    const orderExprs = order.map((o) => this.orderExpr(o, t, query.where, orderJoins));
    const joins = { objects: objectJoins, order: orderJoins };
    const orderCols = orderExprs.map((e, i) => sql`${e} AS ${ident(`o${i}`)}`);
    const columns = slots.slotExprs;
    if (options.columnar && columns.length > 0 && columns.length < MAX_FUNCTION_ARGS) {
      // Columnar: the inner statement orders its rows; the aggregates read them in that order.
      const inner = this.innerSelect(query, options.from ?? this.rows(query, options.row), t, columns.map((c, i) => sql`${c} AS ${ident(`c${i}`)}`), conds, order, orderExprs, joins, true);
      const aggs = [sql`count(*)`, ...columns.map((_, i) => sql`json_agg(${col(s, `c${i}`)})`)];
      return { expr: sql`SELECT json_build_array(${list(aggs)}) FROM (${inner}) AS ${aliasRef(s)}`, shape, hiddenSlots };
    }
    const inner = this.innerSelect(query, options.from ?? this.rows(query, options.row), t, [sql`${slots.toSql()} AS "j"`, ...orderCols], conds, order, orderExprs, joins);
    const aggOrder = order.length > 0
      ? sql` ORDER BY ${list(order.map((o, i) => orderTerm(col(s, `o${i}`), o)))}`
      : sql``;
    const expr = sql`SELECT coalesce(json_agg(${col(s, 'j')}${aggOrder}), '[]'::json) FROM (${inner}) AS ${aliasRef(s)}`;
    return { expr, shape, hiddenSlots };
  }

  /**
   * `(SELECT json_build_array(<aggregates>, <nodes>) FROM (<rows>) AS s)`: the rows are
   * chosen by where/order/limit first, then aggregated (Hasura semantics).
   */
  aggregateSubquery(query: AggregateQueryIR, extra: (table: Alias) => Sql[], at: readonly Descent[], row?: Alias): BuiltRow {
    const t = this.aliases.alloc();
    const s = this.aliases.alloc();
    const inner = new InnerColumns();
    const order = this.effectiveOrder(query);
    const objectJoins: Sql[] = [];
    const aggOrder = order.length > 0 ? sql` ORDER BY ${list(order.map((o, i) => orderTerm(col(s, `o${i}`), o)))}` : sql``;
    // One inner column per `nodes` field (aliases may select it several times: `a: nodes`, `b: nodes`).
    const nodesRows: Sql[] = [];
    const out = aggregateRow(query, s, inner, at, this.output, (field, nodesAt) => {
      const built = this.joiningInto(objectJoins, () => this.row(field.selection, t, nodesAt));
      const j = ident(`j${nodesRows.length}`);
      nodesRows.push(sql`${built.expr} AS ${j}`);
      const rows = col(s, `j${nodesRows.length - 1}`);
      // The permission limit bounds the nodes only, in the order asked (Hasura's PLSQRequired).
      const expr = query.nodesLimit === undefined
        ? sql`coalesce(json_agg(${rows}${aggOrder}), '[]'::json)`
        : sql`coalesce(array_to_json((array_agg(${rows}${aggOrder}))[1:${param(query.nodesLimit)}::int]), '[]'::json)`;
      return { expr, shape: built.shape };
    });
    if (!out.readsRows) return { expr: sql`(SELECT ${jsonArray(out.slots)})`, shape: out.shape, hiddenSlots: [] };
    const orderJoins: Sql[] = [];
    const orderExprs = order.map((o) => this.orderExpr(o, t, query.where, orderJoins));
    const innerCols = [
      ...inner.select(t),
      ...nodesRows,
      ...orderExprs.map((e, i) => sql`${e} AS ${ident(`o${i}`)}`),
    ];
    const conds = extra(t);
    if (query.where) conds.push(compileWhere(query.where, t, this.whereFor(query)));
    const innerSql = this.innerSelect(query, this.rows(query, row), t, innerCols.length > 0 ? innerCols : [sql`1 AS "one"`], conds, order, orderExprs, { objects: objectJoins, order: orderJoins });
    const expr = sql`(SELECT ${jsonArray(out.slots)} FROM (${innerSql}) AS ${aliasRef(s)})`;
    return { expr, shape: out.shape, hiddenSlots: [] };
  }

  /** The inner row selection shared by lists and aggregates: filter, distinct, order, limit. */
  /**
   * The inner row selection. `joins.objects` are object relationships joined for the row
   * (they never change the row count), `joins.order` the joins remote orderings need.
   * A limit of `PAGE_FIRST_MIN_LIMIT` rows or more chooses the page first and joins the
   * object relationships to it only. Joined before the limit, Postgres plans the join with
   * the limit in view and picks index probes per row (with memoize), which grows linearly;
   * on the page, a big one gets a hash join: 10^4 orders with their user 86 → 45 ms, 10^5
   * 791 → 330 ms. Below it, the probes win (10^3: 11.6 ms against 25 ms for the hash join
   * Postgres then prefers at its default `random_page_cost`).
   */
  private innerSelect(
    query: ListQueryIR | AggregateQueryIR, rows: Sql,
    t: Alias, columns: readonly Sql[], conds: readonly Sql[], order: readonly OrderByIR[], orderExprs: readonly Sql[],
    joins: { readonly objects: readonly Sql[]; readonly order: readonly Sql[] } = { objects: [], order: [] },
    ordered = false,
    /** What the rows are read from instead of the table (a mutation's `WITH` rows). */
    rowsFrom?: Sql,
  ): Sql {
    const needsOrder = ordered || query.limit !== undefined || query.offset !== undefined || query.distinctOn.length > 0;
    const distinct = query.distinctOn.length > 0 ? sql`DISTINCT ON (${list(query.distinctOn.map((c) => col(t, c.name)))}) ` : sql``;
    const orderBy = needsOrder && order.length > 0 ? sql` ORDER BY ${list(order.map((o, i) => orderTerm(orderExprs[i] ?? sql`NULL`, o)))}` : sql``;
    const page = sql`${query.limit !== undefined ? sql` LIMIT ${param(query.limit)}` : sql``}${query.offset !== undefined ? sql` OFFSET ${param(query.offset)}` : sql``}`;
    const fromWith = (rows: Sql, extra: readonly Sql[]): Sql => (extra.length > 0 ? sql`${rows} AS ${aliasRef(t)} ${join(extra, sql` `)}` : sql`${rows} AS ${aliasRef(t)}`);
    const bigPage = query.limit !== undefined && query.limit >= PAGE_FIRST_MIN_LIMIT;
    if (bigPage && joins.objects.length > 0 && joins.order.length === 0 && query.distinctOn.length === 0) {
      const chosen = sql`(SELECT ${aliasRef(t)}.* FROM ${rows} AS ${aliasRef(t)} WHERE ${andAll(conds)}${orderBy}${page})`;
      return sql`SELECT ${list(columns)} FROM ${fromWith(chosen, joins.objects)}${orderBy}`;
    }
    const from = fromWith(rows, [...joins.objects, ...joins.order]);
    return sql`SELECT ${distinct}${list(columns)} FROM ${from} WHERE ${andAll(conds)}${orderBy}${page}`;
  }

  /**
   * What a query reads its rows from: its table, or the function call that returns them
   * (`row`: the alias a computed field's call reads the row of).
   */
  private rows(query: ListQueryIR | AggregateQueryIR, row: Alias | undefined): Sql {
    return query.from ? functionCallSql(query.from, row) : this.tables(queryTable(query));
  }

  /** A correlated scalar subquery returning one JSON row or null. */
  objectSubquery(selection: SelectionIR, extra: (table: Alias) => Sql[], at: readonly Descent[]): BuiltRow {
    const t = this.aliases.alloc();
    const joins: Sql[] = [];
    const built = this.joiningInto(joins, () => this.row(selection, t, at));
    const from = [sql`${this.tables(selection.table)} AS ${aliasRef(t)}`, ...joins];
    const expr = sql`(SELECT ${built.expr} FROM ${join(from, sql` `)} WHERE ${andAll(extra(t))} LIMIT 1)`;
    return { expr, shape: built.shape, hiddenSlots: built.hiddenSlots };
  }

  /** distinct_on needs ORDER BY to start with its columns (Hasura adds them when order_by is absent). */
  private effectiveOrder(query: ListQueryIR | AggregateQueryIR): readonly OrderByIR[] {
    if (query.distinctOn.length === 0 || query.orderBy.length > 0) return query.orderBy;
    return query.distinctOn.map((column) => ({ kind: 'order-by', path: [], target: { kind: 'column', column }, direction: 'asc', nulls: 'last' }));
  }

  /** A column, or a column reached through object relationships (scalar subqueries). */
  private orderExpr(o: OrderByIR, alias: Alias, where: BoolExpIR | undefined, joins: Sql[]): Sql {
    if (o.target.kind === 'remote-column' || o.target.kind === 'remote-aggregate') {
      // Inside a local relationship (a correlated subquery) too: the remote values come from
      // one derived table that does not depend on the outer row — its key array an init
      // plan, its foreign scan one remote query that postgres_fdw rescans from memory while
      // its parameters stay the same.
      const planned = this.remote.order(o.target, alias, where, this);
      joins.push(planned.join);
      return planned.value;
    }
    const build = (steps: OrderByIR['path'], from: Alias): Sql => {
      const [first, ...rest] = steps;
      if (!first) return this.orderTarget(o.target, from);
      const t = this.aliases.alloc();
      const conds = correlation(first.mapping, from, t);
      if (first.where) conds.push(compileWhere(first.where, t, this.whereContext));
      return sql`(SELECT ${build(rest, t)} FROM ${this.tables(first.target)} AS ${aliasRef(t)} WHERE ${andAll(conds)} LIMIT 1)`;
    };
    return build(o.path, alias);
  }

  private orderTarget(target: OrderByIR['target'], from: Alias): Sql {
    if (target.kind === 'column') return target.computed ? functionCallSql(target.computed, from) : col(from, target.column.name);
    invariant(target.kind === 'array-aggregate', 'remote order targets are planned by orderExpr');
    const a = this.aliases.alloc();
    const value = target.op === 'count' || !target.column
      ? sql`count(*)`
      : sql`${AGG_FUNCTIONS[target.op]}(${col(a, target.column.name)})`;
    const conds = correlation(target.mapping, from, a);
    if (target.where) conds.push(compileWhere(target.where, a, this.whereContext));
    // A table computed field's aggregate: over the rows of its call on the ordered row.
    const rows = target.from ? functionCallSql(target.from, from) : this.tables(target.table);
    return sql`(SELECT ${value} FROM ${rows} AS ${aliasRef(a)} WHERE ${andAll(conds)})`;
  }
}


function orderTerm(expr: Sql, o: OrderByIR): Sql {
  const dir = o.direction === 'asc' ? sql` ASC` : sql` DESC`;
  const nulls = o.nulls === 'first' ? sql` NULLS FIRST` : sql` NULLS LAST`;
  return sql`${expr}${dir}${nulls}`;
}

