/**
 * Two-phase remote join statements (DESIGN.md §5.1, step 3). Keys travel as typed array
 * parameters: `= ANY($1::int4[])` for one key column, `IN (SELECT * FROM unnest($1, $2))`
 * for composite keys. Per-parent `limit/offset/distinct_on` need one correlated list per
 * key tuple (`per-key`, over `unnest`); everything else is one flat `any` statement whose
 * rows are grouped by key in memory, order preserved (so `order_by` alone stays `any`).
 * Object joins never get a forced `LIMIT 1` (a known Hasura slowdown).
 */
import type { PgType } from '../catalog/types.js';
import { invariant } from '../errors.js';
import { queryTable, type RemoteFieldIR } from '../ir/types.js';
import { keyColumn, type TableModel } from '../metadata/model.js';
import { aliasRef, col, ident, list, placeholder, print, sql, typeRef, type Alias, type Sql } from '../sql/builder.js';
import { jsonArray, type BuiltRow, type StatementBuilder } from '../sql/select.js';
import { keyExpr, type RemoteKey } from './key-form.js';
import type { RemoteJoinStep, RowShape, Site, Strategy } from './types.js';

export interface RemoteJoinInput {
  readonly id: number;
  readonly parent: number;
  readonly from: string;
  readonly field: RemoteFieldIR;
  readonly site: Site;
  readonly parentKeySlots: readonly number[];
  readonly keys: readonly RemoteKey[];
  /** The source the statement runs on: the target, or the parent's source over postgres_fdw. */
  readonly runsOn: string;
  readonly strategy: Strategy;
  readonly reason: string;
}

function keyArray(i: number, t: PgType): Sql {
  return sql`${placeholder(`k${i}`)}::${typeRef(t.schema, t.name, true)}`;
}

/** Per-parent limits and aggregates need one correlated subquery per key tuple. */
export function needsPerKey(field: RemoteFieldIR): boolean {
  const q = field.query;
  if (q.kind === 'aggregate-query') return true;
  return field.relationshipType === 'array' && (q.limit !== undefined || q.offset !== undefined || q.distinctOn.length > 0);
}

/** Builds the step with `builder`, which registers joins nested in the target rows (sites relative to its entries). */
export function buildRemoteJoin(input: RemoteJoinInput, builder: StatementBuilder): RemoteJoinStep {
  const { field } = input;
  const target: TableModel = queryTable(field.query);
  const keyColumns = field.mapping.map((m) => {
    const c = keyColumn(target, m.to);
    invariant(c, `target key column ${m.to} exists`);
    return c;
  });
  const keyTypes = keyColumns.map((c) => c.catalog.type);
  const forms = input.keys.map((k) => k.target.form);

  let text: Sql;
  let mode: RemoteJoinStep['mode'];
  let entryKeySlots: number[];
  let entryRowsSlot = -1;
  let shape: RowShape;

  if (needsPerKey(field)) {
    // [k0 … kn, rows] per distinct key tuple.
    const k = builder.aliases.alloc();
    const keyNames = keyColumns.map((_, i) => `k${i}`);
    const rowsSlot = keyColumns.length;
    const correlate = (t: Alias): Sql[] => field.mapping.map((m, i) => sql`${col(t, m.to)} = ${col(k, keyNames[i] ?? '')}`);
    const rows = field.query.kind === 'aggregate-query'
      ? builder.aggregateSubquery(field.query, correlate, [{ slot: rowsSlot, many: false }])
      : wrap(builder.listSubquery(field.query, correlate, [{ slot: rowsSlot, many: true }]));
    const entry = jsonArray([...keyNames.map((n, i) => keyExpr(col(k, n), forms[i] ?? 'raw')), rows.expr]);
    const unnest = sql`unnest(${list(keyTypes.map((t, i) => keyArray(i, t)))}) AS ${aliasRef(k)}(${list(keyNames.map((n) => ident(n)))})`;
    text = sql`SELECT coalesce(json_agg(${entry}), '[]'::json) AS "entries" FROM ${unnest}`;
    mode = 'per-key';
    entryKeySlots = keyNames.map((_, i) => i);
    entryRowsSlot = rowsSlot;
    shape = rows.shape;
  } else {
    invariant(field.query.kind === 'list-query', 'aggregates are per-key');
    const keyCondition = (t: Alias): Sql[] => {
      if (keyColumns.length === 1) {
        const only = keyColumns[0];
        invariant(only, 'one key column');
        return [sql`${col(t, only.name)} = ANY(${keyArray(0, only.catalog.type)})`];
      }
      const tuple = list(keyColumns.map((c) => col(t, c.name)));
      const exact = sql`(${tuple}) IN (SELECT * FROM unnest(${list(keyTypes.map((kt, i) => keyArray(i, kt)))}))`;
      if (input.strategy !== 'fdw') return [exact];
      // Over a foreign table the tuple test is a local semi-join that postgres_fdw cannot
      // ship: it would read the whole remote table. Each column's `= ANY` goes to the remote
      // query (a superset of the keys' rows); the tuple test then picks the exact ones.
      return [...keyColumns.map((c, i) => sql`${col(t, c.name)} = ANY(${keyArray(i, c.catalog.type)})`), exact];
    };
    const rows = builder.listSubquery(field.query, keyCondition, [], keyColumns.map((c, i) => ({ column: c.name, form: forms[i] ?? 'raw' })), { columnar: true });
    text = sql`${rows.expr}`;
    mode = 'any';
    entryKeySlots = [...rows.hiddenSlots];
    shape = rows.shape;
  }

  return {
    kind: 'remote-join',
    id: input.id,
    parent: input.parent,
    source: input.runsOn,
    target: target.source,
    from: input.from,
    path: field.path,
    relationship: field.relationship,
    relationshipType: field.relationshipType,
    returns: field.query.kind === 'aggregate-query' ? 'object' : field.relationshipType,
    strategy: input.strategy,
    reason: input.reason,
    site: input.site,
    parentKeySlots: input.parentKeySlots,
    keyTypes,
    keyRanges: input.keys.map((k) => k.range),
    sql: print(text),
    mode,
    entryKeySlots,
    entryRowsSlot,
    shape,
  };
}

/** A list subquery used as a scalar expression. */
function wrap(b: BuiltRow): BuiltRow {
  return { ...b, expr: sql`(${b.expr})` };
}
