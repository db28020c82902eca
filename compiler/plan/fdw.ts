/**
 * postgres_fdw pushdown (DESIGN.md §5.2): which target tables a source can read through
 * foreign tables, and which filters can run there. Rules learnt the hard way and kept here:
 * never a plain local ⋈ foreign join (it pulls the whole remote table); keys travel as
 * `= ANY(ARRAY(SELECT …))`, an init plan that postgres_fdw ships as one remote query.
 */
import type { FdwLink, FdwTable } from '../catalog/types.js';
import type { AggregateQueryIR, BoolExpIR, ListQueryIR, OrderByIR, SelectionIR } from '../ir/types.js';
import type { Model, TableModel } from '../metadata/model.js';
import { ident, type Sql } from '../sql/builder.js';

export class FdwLinks {
  private readonly links = new Map<string, FdwLink>();

  constructor(model: Model) {
    for (const s of model.sources) for (const l of s.fdwLinks) this.links.set(JSON.stringify([s.name, l.target]), l);
  }

  /** A usable link (one that failed its start-up check is not). */
  link(from: string, to: string): FdwLink | undefined {
    const l = this.links.get(JSON.stringify([from, to]));
    return l && !l.unusable ? l : undefined;
  }

  /** Why there is no usable link from `from` to `to`. */
  missing(from: string, to: string): string {
    const l = this.links.get(JSON.stringify([from, to]));
    return l?.unusable
      ? `the postgres_fdw link from ${from} to ${to} (server ${l.server}) failed its check: ${l.unusable}`
      : `no postgres_fdw link from ${from} to ${to}`;
  }

  /** The foreign table in `from` that reads `table` (of another source), if any. */
  foreignTable(from: string, table: TableModel): FdwTable | undefined {
    return this.link(from, table.source)?.tables.find((t) => t.schema === table.schema && t.name === table.name);
  }

  /** `"farjoin_fdw_x"."user"`: how `from` names `table`. */
  tableSql(from: string, table: TableModel): Sql | undefined {
    const ft = this.foreignTable(from, table);
    return ft ? ident(ft.localSchema, ft.localName) : undefined;
  }
}

/**
 * Whether a filter on the target can run inside a statement that reads the tables
 * `readable` accepts (through foreign tables): comparisons, relationship filters over
 * readable tables, and filters through remote relationships (each planned on its own,
 * pushed down or as a semi-join feeding the statement).
 */
export function pushableWhere(b: BoolExpIR | undefined, readable: (t: TableModel) => boolean): boolean {
  if (!b) return true;
  switch (b.kind) {
    case 'and':
    case 'or':
      return b.items.every((i) => pushableWhere(i, readable));
    case 'not':
      return pushableWhere(b.item, readable);
    case 'compare':
      // A computed field's function exists only in the table's own database.
      return b.computed === undefined;
    case 'compare-column':
    case 'remote-exists':
      return true;
    case 'root':
      return pushableWhere(b.item, readable);
    case 'exists-relationship':
    case 'exists':
      // A computed field's function exists only in the table's own database.
      return !(b.kind === 'exists' && b.from) && readable(b.target) && pushableWhere(b.where, readable);
  }
}

/**
 * Every table a remote field's query reads (selection, local relationships, relationship
 * filters and ordering) — what an fdw statement needs foreign tables for — and the
 * tables of other sources it orders by (remote filters are planned on their own).
 */
export function tablesRead(query: ListQueryIR | AggregateQueryIR): { tables: TableModel[]; remoteOrders: TableModel[]; callsFunctions: boolean } {
  const tables = new Set<TableModel>();
  let callsFunctions = false;
  const remoteOrders = new Set<TableModel>();
  const where = (b: BoolExpIR | undefined): void => {
    if (!b) return;
    switch (b.kind) {
      case 'and':
      case 'or':
        b.items.forEach(where);
        break;
      case 'not':
        where(b.item);
        break;
      case 'compare':
        if (b.computed) callsFunctions = true;
        break;
      case 'compare-column':
        break;
      case 'root':
        where(b.item);
        break;
      case 'exists-relationship':
      case 'exists':
        if (b.kind === 'exists' && b.from) callsFunctions = true;
        tables.add(b.target);
        where(b.where);
        break;
      case 'remote-exists':
        break;
    }
  };
  const order = (items: readonly OrderByIR[]): void => {
    for (const o of items) {
      for (const step of o.path) {
        tables.add(step.target);
        where(step.where);
      }
      if ((o.target.kind === 'column' && o.target.computed) || (o.target.kind === 'array-aggregate' && o.target.from)) callsFunctions = true;
      if (o.target.kind === 'array-aggregate') {
        tables.add(o.target.table);
        where(o.target.where);
      } else if (o.target.kind === 'remote-column' || o.target.kind === 'remote-aggregate') remoteOrders.add(o.target.table);
    }
  };
  const selection = (s: SelectionIR): void => {
    tables.add(s.table);
    for (const f of s.fields) {
      if (f.kind === 'object-relationship') {
        selection(f.selection);
        where(f.where);
      } else if (f.kind === 'array-relationship' || f.kind === 'array-aggregate') q(f.query);
      else if (f.kind === 'computed-scalar') callsFunctions = true;
      else if (f.kind === 'computed-table') {
        callsFunctions = true;
        q(f.query);
      }
    }
  };
  const q = (x: ListQueryIR | AggregateQueryIR): void => {
    if (x.from) callsFunctions = true;
    where(x.where);
    order(x.orderBy);
    if (x.kind === 'list-query') selection(x.selection);
    else {
      tables.add(x.table);
      for (const f of x.fields) if (f.kind === 'nodes') selection(f.selection);
    }
  };
  q(query);
  return { tables: [...tables], remoteOrders: [...remoteOrders], callsFunctions };
}
