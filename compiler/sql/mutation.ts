/**
 * MutationIR → one statement (DESIGN.md §9), CTE-based like Hasura:
 *
 *     WITH "_1" AS (INSERT INTO "public"."orders" AS "_0" (…) VALUES (…) RETURNING "_0".*)
 *     SELECT json_build_array(<response>, <checks pass>) AS "root"
 *
 * The response (`affected_rows`, `returning`, or the one row of `*_one` / `*_by_pk`) is built
 * by the select builder over the CTE's rows, so `returning` selects columns and local
 * relationships in the same statement, and remote relationships become join sites like in
 * any query. Permission checks are evaluated over the written rows in the same statement;
 * the runtime rolls back when they fail. Every value is a bind parameter.
 *
 * Nested inserts (Hasura's order): an object relationship's row is inserted in its own CTE
 * and the parent row takes its key through a scalar subquery; a parent with array
 * relationships is inserted one CTE per row, so that its children take its keys the same way.
 */
import { invariant } from '../errors.js';
import type { Descent, RowShape, ShapeField } from '../plan/types.js';
import type { ColumnModel, TableModel } from '../metadata/model.js';
import type { InsertIR, InsertValue, MutationIR, MutationOutputIR, SetIR, UpdateIR } from '../ir/mutation.js';
import type { SelectionIR } from '../ir/types.js';
import { aliasRef, col, ident, join, list, param, placeholder, sql, typeRef, type Alias, type Sql } from './builder.js';
import { jsonArray, tableSql, type StatementBuilder } from './select.js';
import { castParam, compileWhere, TRUE_SQL, type WhereContext } from './where.js';

export interface BuiltMutation {
  /**
   * The statement: one row, one column, `[value, checksPassed]`; with `read`,
   * `[writtenRows, affectedRows, checksPassed]` instead.
   */
  readonly sql: Sql;
  /**
   * When `returning` reads local relationships of inserted or updated rows: a second
   * statement, in the same transaction, that builds the value over the written rows (the
   * placeholders `rows`, JSON, and `affected`). A statement's subqueries see the tables as
   * they were before it (a data-modifying CTE's snapshot), so the relationships would miss
   * the rows the statement itself wrote — nested inserts, or a new article under its
   * author's articles. Hasura reads back the same way.
   */
  readonly read?: Sql;
  /** The shape of `value`: the response object, or the row (null when none). */
  readonly shape: RowShape;
  /** Whether the statement evaluates permission checks (a failed one needs a rollback). */
  readonly checked: boolean;
  /**
   * Set when the response is `affected_rows` only (and `__typename`), over one table and
   * without checks: `sql` is then the bare INSERT/UPDATE/DELETE (no RETURNING, no CTE), and
   * the answer is built from the command's row count, once per `affected_rows` field.
   */
  readonly affectedOnly?: number;
}

/** What written rows the response reads, and what it counts and checks. */
interface Written {
  readonly ctes: Sql[];
  /** The root table's written rows (a CTE name). */
  readonly rows: Alias;
  /** `count(*)` of every CTE that wrote rows (affected_rows counts nested rows too, as Hasura). */
  readonly counts: Sql[];
  /** Per check: a condition that holds when every written row passes. */
  readonly checks: Sql[];
  /** Insert CTEs in Hasura's insertion order, with their tables (what a later row's check may see). */
  readonly inserted: { readonly rows: Alias; readonly table: TableModel }[];
}

export function mutationStatement(builder: StatementBuilder, m: MutationIR, output: MutationOutputIR, at: readonly Descent[]): BuiltMutation {
  const bare = bareStatement(builder, m, output);
  if (bare) return { ...bare, checked: false };
  const written: Written = { ctes: [], rows: builder.aliases.alloc(), counts: [], checks: [], inserted: [] };
  switch (m.kind) {
    case 'insert':
      insertCtes(builder, m, written, written.rows, m.rows);
      break;
    case 'update':
      written.ctes.push(sql`${aliasRef(written.rows)} AS (${updateSql(builder, m)})`);
      written.counts.push(countOf(written.rows));
      if (m.check) written.checks.push(allPass(builder, written.rows, m.check));
      break;
    case 'delete': {
      const t = builder.aliases.alloc();
      const where = m.where ? compileWhere(m.where, t, builder.whereContext) : TRUE_SQL;
      written.ctes.push(sql`${aliasRef(written.rows)} AS (DELETE FROM ${tableSql(m.table)} AS ${aliasRef(t)} WHERE ${where} RETURNING ${aliasRef(t)}.*)`);
      written.counts.push(countOf(written.rows));
      break;
    }
  }
  const checked = written.checks.length > 0;
  const ok = !checked ? TRUE_SQL : join(written.checks.map((c) => sql`(${c})`), sql` AND `);
  const affected = written.counts.length === 1 ? written.counts[0]! : sql`(${join(written.counts, sql` + `)})`;
  const ctes = list(written.ctes);
  // A nested insert is read back too: the role's select filter may go through a relationship
  // to a row the statement itself wrote (an article's filter through its new author).
  if (m.kind !== 'delete' && (readsRelationships(output) || (m.kind === 'insert' && m.nested.length > 0))) {
    const rows = builder.aliases.alloc();
    const from = sql`json_populate_recordset(NULL::${tableSql(m.table)}, ${placeholder('rows')}::${typeRef('pg_catalog', 'json')})`;
    const { value, shape } = responseValue(builder, output, from, sql`${placeholder('affected')}::${typeRef('pg_catalog', 'int8')}`, at);
    const written_ = sql`(SELECT coalesce(json_agg(row_to_json(${aliasRef(rows)})), '[]'::json) FROM ${aliasRef(written.rows)} AS ${aliasRef(rows)})`;
    return {
      sql: sql`WITH ${ctes} SELECT json_build_array(${written_}, ${affected}, ${ok}) AS "root"`,
      read: sql`SELECT json_build_array(${value}, true) AS "root"`,
      shape, checked,
    };
  }
  const { value, shape } = responseValue(builder, output, aliasRef(written.rows), affected, at);
  return { sql: sql`WITH ${ctes} SELECT json_build_array(${value}, ${ok}) AS "root"`, shape, checked };
}

/**
 * `affected_rows` alone needs neither the written rows nor a CTE: the bare statement's row
 * count answers it (Postgres counts what RETURNING would return, upserts' updated rows
 * included). Only for one written table (no nested inserts) without permission checks (an
 * upsert that may update is checked row by row, insertCtes).
 */
function bareStatement(builder: StatementBuilder, m: MutationIR, output: MutationOutputIR): { sql: Sql; shape: RowShape; affectedOnly: number } | undefined {
  if (output.kind !== 'response' || !output.fields.every((f) => f.kind === 'affected_rows' || f.kind === 'typename')) return undefined;
  if (m.kind === 'insert' && (m.nested.length > 0 || m.rows.length === 0 || m.check || upsertUpdates(m))) return undefined;
  if (m.kind === 'update' && m.check) return undefined;
  let statement: Sql;
  if (m.kind === 'insert') {
    statement = insertSql(builder, m, m.rows, false);
  } else if (m.kind === 'update') {
    statement = updateSql(builder, m, false);
  } else {
    const t = builder.aliases.alloc();
    statement = sql`DELETE FROM ${tableSql(m.table)} AS ${aliasRef(t)} WHERE ${m.where ? compileWhere(m.where, t, builder.whereContext) : TRUE_SQL}`;
  }
  let slot = 0;
  const fields: ShapeField[] = output.fields.map((f) => (f.kind === 'typename' ? { kind: 'constant', key: f.key, value: f.typename } : { kind: 'scalar', key: f.key, slot: slot++ }));
  return { sql: statement, shape: { fields }, affectedOnly: slot };
}

/** Whether the output selects relationships (local ones read tables; remote ones only need the keys). */
function readsRelationships(output: MutationOutputIR): boolean {
  const local = (sel: SelectionIR): boolean => sel.fields.some((f) => f.kind === 'object-relationship' || f.kind === 'array-relationship' || f.kind === 'array-aggregate');
  if (output.kind === 'row') return local(output.selection);
  return output.fields.some((f) => f.kind === 'returning' && local(f.selection));
}

function countOf(rows: Alias): Sql {
  return sql`(SELECT count(*) FROM ${aliasRef(rows)})`;
}

/** Every row passes `check`; a check that is NULL for a row (a NULL column compared) fails it, as in Hasura. */
function allPass(builder: StatementBuilder, rows: Alias, check: NonNullable<InsertIR['check']>, ctx: WhereContext = builder.whereContext): Sql {
  const r = builder.aliases.alloc();
  return sql`(SELECT coalesce(bool_and((${compileWhere(check, r, ctx)}) IS TRUE), true) FROM ${aliasRef(rows)} AS ${aliasRef(r)})`;
}

type RowValue = Sql | InsertValue;

function rowValue(v: RowValue, column: ColumnModel): Sql {
  if (!('kind' in v)) return v;
  return v.kind === 'default' ? sql`DEFAULT` : castParam(v.value, column);
}

/**
 * The CTEs inserting `ins` with `rows` (values or subqueries), named `name`. Nested
 * object rows go first; with nested array rows each parent row gets its own CTE.
 */
function insertCtes(builder: StatementBuilder, ins: InsertIR, written: Written, name: Alias, given: readonly (readonly RowValue[])[]): void {
  const rows = given.map((r) => [...r]);
  // Object relationships: one CTE per nested row; the parent's key columns read it.
  for (const n of ins.nested) {
    if (n.type !== 'object') continue;
    n.parentRows.forEach((parent, i) => {
      const child = builder.aliases.alloc();
      const one = rowSubset(n.insert, [i]);
      insertCtes(builder, one, written, child, one.rows);
      for (const m of n.mapping) {
        const at = ins.columns.findIndex((c) => c.name === m.from);
        invariant(at >= 0, `key column ${m.from} is inserted`);
        rows[parent]![at] = sql`(SELECT ${ident(m.to)} FROM ${aliasRef(child)})`;
      }
    });
  }
  // Hasura inserts nested rows statement by statement, so a row's check sees the rows inserted
  // before it (its object relationships' rows, the parent of an array relationship's rows).
  const checkContext = seeingInserted(builder, written.inserted.slice());
  const arrays = ins.nested.filter((n) => n.type === 'array');
  if (arrays.length === 0) {
    written.ctes.push(sql`${aliasRef(name)} AS (${insertSql(builder, ins, rows)})`);
    written.inserted.push({ rows: name, table: ins.table });
  } else {
    const perRow = rows.map((row) => {
      const one = builder.aliases.alloc();
      written.ctes.push(sql`${aliasRef(one)} AS (${insertSql(builder, ins, [row])})`);
      written.inserted.push({ rows: one, table: ins.table });
      return one;
    });
    const union = perRow.length === 0 ? sql`SELECT * FROM ${tableSql(ins.table)} WHERE false` : join(perRow.map((p) => sql`SELECT * FROM ${aliasRef(p)}`), sql` UNION ALL `);
    written.ctes.push(sql`${aliasRef(name)} AS (${union})`);
    for (const n of arrays) {
      const keyAt = n.mapping.map((m) => n.insert.columns.findIndex((c) => c.name === m.to));
      perRow.forEach((one, r) => {
        const mine = n.parentRows.flatMap((p, i) => (p === r ? [i] : []));
        if (mine.length === 0) return;
        const children = rowSubset(n.insert, mine);
        const childRows = children.rows.map((values) => {
          const row: RowValue[] = [...values];
          n.mapping.forEach((m, k) => {
            row[keyAt[k]!] = sql`(SELECT ${ident(m.from)} FROM ${aliasRef(one)})`;
          });
          return row;
        });
        insertCtes(builder, children, written, builder.aliases.alloc(), childRows);
      });
    }
  }
  written.counts.push(countOf(name));
  if (upsertUpdates(ins)) {
    // Hasura's rule: an inserted row passes the insert check, an updated one the update check.
    const r = builder.aliases.alloc();
    const insertOk = ins.check ? compileWhere(ins.check, r, checkContext) : TRUE_SQL;
    const updateOk = ins.onConflict!.updateCheck ? compileWhere(ins.onConflict!.updateCheck, r, checkContext) : TRUE_SQL;
    written.checks.push(sql`(SELECT coalesce(bool_and((CASE WHEN ${aliasRef(r)}.${ident(INSERTED)} THEN ${insertOk} ELSE ${updateOk} END) IS TRUE), true) FROM ${aliasRef(name)} AS ${aliasRef(r)})`);
  } else if (ins.check) {
    written.checks.push(allPass(builder, name, ins.check, checkContext));
  }
}

/**
 * The where-context of a nested row's check: a table the statement inserted rows into
 * earlier reads as the table plus those rows (a statement's subqueries see the tables as they
 * were before it, so the check would miss them — e.g. an order line's check through its new
 * order).
 */
function seeingInserted(builder: StatementBuilder, before: readonly { readonly rows: Alias; readonly table: TableModel }[]): WhereContext {
  if (before.length === 0) return builder.whereContext;
  const base = builder.whereContext;
  return {
    ...base,
    table: (t) => {
      const mine = before.filter((b) => b.table.source === t.source && b.table.schema === t.schema && b.table.name === t.name);
      if (mine.length === 0) return base.table(t);
      const columns = list(t.catalog.columns.map((c) => ident(c.name)));
      const parts = [sql`SELECT ${columns} FROM ${base.table(t)}`, ...mine.map((b) => sql`SELECT ${columns} FROM ${aliasRef(b.rows)}`)];
      return sql`(${join(parts, sql` UNION ALL `)})`;
    },
  };
}

/** The column an updating upsert's rows carry: true for inserted rows, false for updated ones. */
const INSERTED = '__farjoin_inserted';

function upsertUpdates(ins: InsertIR): boolean {
  return ins.onConflict !== undefined && ins.onConflict.updateColumns.length > 0;
}

/** The rows `indices` of an insert, with their nested rows (renumbered). */
function rowSubset(ins: InsertIR, indices: readonly number[]): InsertIR {
  const position = new Map(indices.map((r, i) => [r, i]));
  const nested = ins.nested.map((n) => {
    const kept = n.parentRows.flatMap((p, i) => (position.has(p) ? [i] : []));
    return { ...n, insert: rowSubset(n.insert, kept), parentRows: kept.map((i) => position.get(n.parentRows[i]!)!) };
  });
  return { ...ins, rows: indices.map((i) => ins.rows[i]!), nested };
}

function insertSql(builder: StatementBuilder, ins: InsertIR, rows: readonly (readonly RowValue[])[], returns = true): Sql {
  const t = builder.aliases.alloc();
  const target = sql`INSERT INTO ${tableSql(ins.table)} AS ${aliasRef(t)}`;
  const conflict = onConflictSql(builder, ins, t);
  // An upsert that may update also returns whether each row was inserted (Postgres's xmax is 0 then), for the checks.
  const updates = upsertUpdates(ins);
  const returning = !returns ? sql`` : updates ? sql` RETURNING ${aliasRef(t)}.*, (${aliasRef(t)}.xmax = 0) AS ${ident(INSERTED)}` : sql` RETURNING ${aliasRef(t)}.*`;
  if (rows.length === 0) return updates ? sql`SELECT *, true AS ${ident(INSERTED)} FROM ${tableSql(ins.table)} WHERE false` : sql`SELECT * FROM ${tableSql(ins.table)} WHERE false`;
  if (ins.columns.length === 0) {
    invariant(rows.length === 1, 'rows without columns are inserted one by one');
    return sql`${target} DEFAULT VALUES${conflict}${returning}`;
  }
  const columns = sql`(${list(ins.columns.map((c) => ident(c.name)))})`;
  const bulk = rows.length > 1 && ins.columns.every((c) => c.catalog.type.category !== 'A') &&
    rows.every((r) => r.every((v) => 'kind' in v && v.kind === 'value'));
  if (bulk) {
    // One array parameter per column: a statement of constant size whatever the row count.
    const arrays = ins.columns.map((c, i) => castParam(rows.map((r) => (r[i] as Extract<InsertValue, { kind: 'value' }>).value), c, true));
    return sql`${target} ${columns} SELECT * FROM unnest(${list(arrays)})${conflict}${returning}`;
  }
  const values = rows.map((r) => sql`(${list(r.map((v, i) => rowValue(v, ins.columns[i]!)))})`);
  return sql`${target} ${columns} VALUES ${list(values)}${conflict}${returning}`;
}

function onConflictSql(builder: StatementBuilder, ins: InsertIR, t: Alias): Sql {
  const c = ins.onConflict;
  if (!c) return sql``;
  const on = sql` ON CONFLICT ON CONSTRAINT ${ident(c.constraint)}`;
  if (c.updateColumns.length === 0) return sql`${on} DO NOTHING`;
  const sets = c.updateColumns.map((x) => sql`${ident(x.name)} = EXCLUDED.${ident(x.name)}`);
  const where = c.where ? sql` WHERE ${compileWhere(c.where, t, builder.whereContext)}` : sql``;
  return sql`${on} DO UPDATE SET ${list(sets)}${where}`;
}

const JSONB = typeRef('pg_catalog', 'jsonb');

function setSql(s: SetIR, t: Alias): Sql {
  const c = col(t, s.column.name);
  switch (s.op) {
    case '_set': return castParam(s.value, s.column);
    case '_inc': return sql`${c} + ${castParam(s.value, s.column)}`;
    case '_append': return sql`${c} || ${param(JSON.stringify(s.value))}::${JSONB}`;
    case '_prepend': return sql`${param(JSON.stringify(s.value))}::${JSONB} || ${c}`;
    case '_delete_key': return sql`${c} - ${param(String(s.value))}::${typeRef('pg_catalog', 'text')}`;
    case '_delete_elem': return sql`${c} - ${param(s.value)}::${typeRef('pg_catalog', 'int4')}`;
    case '_delete_at_path': return sql`${c} #- ${param(s.value)}::${typeRef('pg_catalog', 'text', true)}`;
  }
}

function updateSql(builder: StatementBuilder, u: UpdateIR, returns = true): Sql {
  const t = builder.aliases.alloc();
  const sets = u.sets.map((s) => sql`${ident(s.column.name)} = ${setSql(s, t)}`);
  const where = u.where ? compileWhere(u.where, t, builder.whereContext) : TRUE_SQL;
  return sql`UPDATE ${tableSql(u.table)} AS ${aliasRef(t)} SET ${list(sets)} WHERE ${where}${returns ? sql` RETURNING ${aliasRef(t)}.*` : sql``}`;
}

/** The response object or row over the written rows; `at` locates the value in the step's result. */
function responseValue(builder: StatementBuilder, output: MutationOutputIR, from: Sql, affected: Sql, at: readonly Descent[]): { value: Sql; shape: RowShape } {
  if (output.kind === 'row') {
    const query = { kind: 'list-query' as const, selection: output.selection, where: output.where, orderBy: [], distinctOn: [], limit: undefined, offset: undefined };
    const built = builder.listSubquery(query, () => [], at, [], { from });
    return { value: sql`((${built.expr})->0)`, shape: built.shape };
  }
  const values: Sql[] = [];
  const fields: ShapeField[] = output.fields.map((f): ShapeField => {
    switch (f.kind) {
      case 'typename':
        return { kind: 'constant', key: f.key, value: f.typename };
      case 'affected_rows':
        values.push(affected);
        return { kind: 'scalar', key: f.key, slot: values.length - 1 };
      case 'returning': {
        const slot = values.length;
        values.push(sql`NULL`);
        const query = { kind: 'list-query' as const, selection: f.selection, where: f.where, orderBy: [], distinctOn: [], limit: undefined, offset: undefined };
        const built = builder.listSubquery(query, () => [], [...at, { slot, many: true }], [], { from });
        values[slot] = sql`(${built.expr})`;
        return { kind: 'array', key: f.key, slot, shape: built.shape };
      }
    }
  });
  return { value: values.length === 0 ? sql`json_build_array()` : jsonArray(values), shape: { fields } };
}
