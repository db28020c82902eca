/**
 * Aggregate selections → SQL. Hasura semantics: `where/order_by/limit/offset/distinct_on`
 * pick the rows first (inner query), aggregates and `nodes` are computed over those rows
 * (outer query). The result is one positional JSON row: one slot per requested field.
 */
import { invariant } from '../errors.js';
import type { AggregateFieldIR, AggregateOp, AggregateQueryIR, AggregateValueIR } from '../ir/types.js';
import type { ColumnModel } from '../metadata/model.js';
import type { Descent, RowShape, ShapeField } from '../plan/types.js';
import { col, ident, list, sql, type Alias, type Sql } from './builder.js';
import { isStringifiedType, type OutputOptions } from './output.js';

/** The SQL function of each aggregate operator (also used to order by aggregates). */
export const AGG_FUNCTIONS: Readonly<Record<AggregateOp, Sql>> = {
  sum: sql`sum`, avg: sql`avg`, max: sql`max`, min: sql`min`, stddev: sql`stddev`, stddev_pop: sql`stddev_pop`,
  stddev_samp: sql`stddev_samp`, var_pop: sql`var_pop`, var_samp: sql`var_samp`, variance: sql`variance`,
};

/** Names the inner columns an aggregate reads (`c0`, `c1`, … — allocated, never user text). */
export class InnerColumns {
  private readonly byName = new Map<string, number>();
  readonly columns: ColumnModel[] = [];
  ref(s: Alias, column: ColumnModel): Sql {
    let i = this.byName.get(column.name);
    if (i === undefined) {
      i = this.columns.length;
      this.columns.push(column);
      this.byName.set(column.name, i);
    }
    return col(s, `c${i}`);
  }
  select(t: Alias): Sql[] {
    return this.columns.map((c, i) => sql`${col(t, c.name)} AS ${ident(`c${i}`)}`);
  }
}

export interface AggregateOutput {
  /** Expressions of the outer row, one per slot. */
  readonly slots: Sql[];
  readonly shape: RowShape;
  /** Slot of each `nodes` field, for locating nested join sites. */
  readonly nodesSlots: ReadonlyMap<AggregateFieldIR, number>;
  /**
   * Whether a slot reads the rows (an aggregate function or `nodes`). When none does
   * (`aggregate { __typename }`), the outer row is constant and must not be selected once
   * per inner row.
   */
  readonly readsRows: boolean;
}

/**
 * The outer row of an aggregate over inner alias `s`. `nodes(slot)` returns the JSON
 * list expression of one `nodes` field (built by the caller, who owns row building).
 */
export function aggregateRow(
  q: AggregateQueryIR, s: Alias, inner: InnerColumns, at: readonly Descent[], output: OutputOptions,
  nodes: (field: Extract<AggregateFieldIR, { kind: 'nodes' }>, at: readonly Descent[]) => { expr: Sql; shape: RowShape },
): AggregateOutput {
  const slots: Sql[] = [];
  const fields: ShapeField[] = [];
  const nodesSlots = new Map<AggregateFieldIR, number>();
  let readsRows = false;
  for (const f of q.fields) {
    switch (f.kind) {
      case 'typename':
        fields.push({ kind: 'constant', key: f.key, value: f.typename });
        break;
      case 'aggregate': {
        const built = aggregateValues(f.values, s, inner, output);
        readsRows ||= built.readsRows;
        slots.push(built.expr);
        fields.push({ kind: 'object', key: f.key, slot: slots.length - 1, shape: built.shape });
        break;
      }
      case 'nodes': {
        const slot = slots.length;
        slots.push(sql`NULL`);
        nodesSlots.set(f, slot);
        const built = nodes(f, [...at, { slot, many: true }]);
        readsRows = true;
        slots[slot] = built.expr;
        fields.push({ kind: 'array', key: f.key, slot, shape: built.shape });
        break;
      }
      default: {
        const never: never = f;
        invariant(false, `unknown aggregate field ${JSON.stringify(never)}`);
      }
    }
  }
  return { slots, shape: { fields }, nodesSlots, readsRows };
}

/** Numeric aggregates (sum, avg, deviations) and min/max of stringified types print as strings when asked. */
function stringifies(op: AggregateOp, column: ColumnModel, output: OutputOptions): boolean {
  if (!output.stringifyNumeric) return false;
  return op === 'max' || op === 'min' ? isStringifiedType(column) : true;
}

function aggregateValues(values: readonly AggregateValueIR[], s: Alias, inner: InnerColumns, output: OutputOptions): { expr: Sql; shape: RowShape; readsRows: boolean } {
  const slots: Sql[] = [];
  const fields: ShapeField[] = [];
  let readsRows = false;
  for (const v of values) {
    switch (v.kind) {
      case 'typename':
        fields.push({ kind: 'constant', key: v.key, value: v.typename });
        break;
      case 'count': {
        const distinct = v.distinct ? sql`DISTINCT ` : sql``;
        // No columns: every row counts (rows are already distinct as a whole).
        const expr = v.columns.length === 0
          ? sql`count(*)`
          : v.columns.length === 1
            ? sql`count(${distinct}${inner.ref(s, v.columns[0]!)})`
            : sql`count(${distinct}(${list(v.columns.map((c) => inner.ref(s, c)))}))`;
        slots.push(expr);
        readsRows = true;
        fields.push({ kind: 'scalar', key: v.key, slot: slots.length - 1 });
        break;
      }
      case 'operator': {
        const inSlots: Sql[] = [];
        const inFields: ShapeField[] = [];
        for (const c of v.fields) {
          if (c.kind === 'typename') inFields.push({ kind: 'constant', key: c.key, value: c.typename });
          else {
            const value = sql`${AGG_FUNCTIONS[v.op]}(${inner.ref(s, c.column)})`;
            inSlots.push(stringifies(v.op, c.column, output) ? sql`(${value})::text` : value);
            readsRows = true;
            inFields.push({ kind: 'scalar', key: c.key, slot: inSlots.length - 1 });
          }
        }
        slots.push(sql`json_build_array(${list(inSlots)})`);
        fields.push({ kind: 'object', key: v.key, slot: slots.length - 1, shape: { fields: inFields } });
        break;
      }
      default: {
        const never: never = v;
        invariant(false, `unknown aggregate value ${JSON.stringify(never)}`);
      }
    }
  }
  return { expr: sql`json_build_array(${list(slots)})`, shape: { fields }, readsRows };
}
