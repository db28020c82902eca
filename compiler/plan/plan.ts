/**
 * IR → Plan (DESIGN.md §5). Root fields are grouped by source into one fetch statement
 * each; every remote field found while building a statement becomes a remote join step
 * whose parent is that statement's step, so nesting (remote under local arrays, remote
 * under remote) falls out of the same mechanism.
 */
import { invariant } from '../errors.js';
import { queryTable, type OperationIR, type RootFieldIR } from '../ir/types.js';
import { print, sql, type Sql } from '../sql/builder.js';
import type { OutputOptions } from '../sql/output.js';
import { keyArrayFilter } from '../sql/where.js';
import { jsonArray, StatementBuilder, tableSql, type RemoteOrderTarget, type RemoteSiteDraft, type ScanHint } from '../sql/select.js';
import type { Alias } from '../sql/builder.js';
import type { BoolExpIR } from '../ir/types.js';
import { FarjoinError } from '../errors.js';
import { buildRemoteJoin, needsPerKey } from './remote-join.js';
import { pushableWhere, tablesRead, type FdwLinks } from './fdw.js';
import type { TableModel } from '../metadata/model.js';
import { DEFAULT_MAX_SEMI_JOIN_KEYS, planFdwFilter, planFdwOrder, planSemiJoin, type RemoteExists } from './remote-filter.js';
import { filterCost, orderCost } from './cost.js';
import { planKeyOrder } from './remote-order.js';
import { chooseFilterStrategy, chooseStrategy, type FdwAvailability, type StrategyRequest } from './strategy.js';
import type { FetchStep, Plan, Pushdown, RootShapeField, Site, Step } from './types.js';
import { planMutation } from './mutation.js';
import { isFunctionMutation, planFunctionMutation } from './function-mutation.js';

export interface PlanOptions {
  readonly strategy: StrategyRequest;
  readonly output: OutputOptions;
  readonly fdw: FdwLinks;
}

interface PendingJoin {
  readonly id: number;
  readonly parent: number;
  readonly from: string;
  readonly draft: RemoteSiteDraft;
  readonly site: Site;
}

/**
 * Step ids, the steps planned so far, and the joins still to plan. Every statement is
 * built by `builder(id, …)`, which routes what it finds: remote fields become joins whose
 * parent is `id`; remote filters become semi-joins that `id` consumes.
 */
class PlanContext {
  private nextId = 1;
  readonly steps: Step[] = [];
  readonly pending: PendingJoin[] = [];
  readonly pushdowns: Pushdown[] = [];

  constructor(readonly options: PlanOptions) {}

  alloc(): number {
    return this.nextId++;
  }

  /**
   * A builder for step `id`, whose statement runs on `runsOn`: tables of that source by
   * their own names, tables of other sources through its foreign tables (fdw statements).
   */
  builder(id: number, startsWithList: boolean, runsOn: string): StatementBuilder {
    return new StatementBuilder(
      (draft) => {
        const joinId = this.alloc();
        this.pending.push({ id: joinId, parent: id, from: draft.from, draft, site: { startsWithList, descents: draft.at } });
        return joinId;
      },
      this.options.output,
      {
        filter: (node, parent, builder, scan) => this.remoteFilter(id, runsOn, node, parent, builder, scan),
        order: (target, parent, where, builder) => this.remoteOrder(id, runsOn, target, parent, where, builder),
        foreign: (t) => t.source !== runsOn,
      },
      (t) => this.tableOn(runsOn, t) ?? invariantSql(t),
    );
  }

  /** How a statement on `runsOn` names `table`: its own name, or the foreign table reading it. */
  private tableOn(runsOn: string, table: TableModel): Sql | undefined {
    return table.source === runsOn ? tableSql(table) : this.options.fdw.tableSql(runsOn, table);
  }

  /** Why a statement on `runsOn` cannot read `table` (it has no name for it there). */
  private unreachable(runsOn: string, table: TableModel): string {
    return this.options.fdw.link(runsOn, table.source)
      ? `${runsOn} has no foreign table for ${table.schema}.${table.name}`
      : this.options.fdw.missing(runsOn, table.source);
  }

  /**
   * A filter through a remote relationship, inside step `id`'s statement (on `runsOn`): fdw
   * or semi-join. The target is read where the statement runs — through a foreign table,
   * or directly when the statement itself reads its parent over postgres_fdw from the
   * target's own database (a remote filter nested in an fdw remote join).
   */
  private remoteFilter(id: number, runsOn: string, node: RemoteExists, parent: Alias, builder: StatementBuilder, scan: ScanHint | undefined): Sql {
    const targetTable = this.tableOn(runsOn, node.target);
    const local = node.target.source === runsOn;
    // Its own remote filters are planned again from here; its relationship filters need
    // the tables they read on `runsOn`.
    const available = !!targetTable && pushableWhere(node.where, (t) => !!this.tableOn(runsOn, t));
    const why = !targetTable
      ? this.unreachable(runsOn, node.target)
      : `the filter uses relationships of the target whose tables ${runsOn} has no foreign tables for`;
    const pushdown = !available ? undefined : local ? { fetchSize: Infinity } : this.options.fdw.link(runsOn, node.target.source);
    const cost = filterCost(node, scan, pushdown);
    const choice = chooseFilterStrategy(node, this.options.strategy, { available, why }, cost, DEFAULT_MAX_SEMI_JOIN_KEYS);
    if (choice.strategy === 'fdw' && targetTable) {
      const reason = runsOn === node.parent.source
        ? choice.reason
        : `${choice.reason}; the statement runs on ${runsOn} (an fdw remote join), which reads ${node.target.typeName} ${local ? 'as its own table' : 'through its foreign table'}`;
      this.pushdowns.push({ step: id, path: node.path, relationship: node.relationship, from: node.parent.source, to: node.target.source, strategy: 'fdw', reason });
      const [only] = node.mapping;
      // A parent read through a foreign table gets the keys shipped with its remote query.
      if (node.parent.source !== runsOn && only && node.mapping.length === 1) return keyArrayFilter(only, parent, targetTable, node.where, builder.whereContext);
      return planFdwFilter(builder, node, parent, targetTable);
    }
    return planSemiJoin(
      { alloc: () => this.alloc(), builder: (sid) => this.builder(sid, true, node.target.source), add: (step) => this.steps.push(step) },
      id, node, parent, choice.reason, choice.keyTest,
    );
  }

  /**
   * Ordering by a remote field, inside step `id`'s statement on `runsOn`: pushed down over
   * postgres_fdw (the remote values joined inside the statement), or — without a link, or
   * when the cost model finds it cheaper, or forced by `two-phase`/`semi-join` — as (key,
   * rank) pairs prefetched from the target and shipped as arrays (remote-order.ts).
   */
  private remoteOrder(id: number, runsOn: string, target: RemoteOrderTarget, parent: Alias, where: BoolExpIR | undefined, builder: StatementBuilder): { join: Sql; value: Sql } {
    const { strategy } = this.options;
    const to = target.table.source;
    const targetTable = this.tableOn(runsOn, target.table);
    const readable = !!targetTable && pushableWhere(target.where, (t) => !!this.tableOn(runsOn, t));
    if (strategy === 'fdw' && !targetTable) {
      throw new FarjoinError('not-supported', `ordering by the remote relationship ${target.path} over fdw is not possible: ${this.unreachable(runsOn, target.table)}; run \`farjoin fdw setup --from ${runsOn} --to ${to}\` or use "auto"`, { path: '$' });
    }
    if (strategy === 'fdw' && !readable) {
      throw new FarjoinError('not-supported', `ordering by the remote relationship ${target.path} over fdw: the role's permission on ${target.table.typeName} uses relationships whose tables ${runsOn} has no foreign tables for; use "auto"`, { path: '$' });
    }
    const local = to === runsOn;
    const pushdown = !readable ? undefined : local ? { fetchSize: Infinity } : this.options.fdw.link(runsOn, to);
    const cost = orderCost(target, pushdown);
    const prefetch = `the (key, rank) pairs of ${target.table.typeName} are fetched from ${to} first (under the role's permission) and joined in ${runsOn} as array parameters (LEFT JOIN unnest)`;
    let why: string | undefined;
    if (strategy === 'two-phase' || strategy === 'semi-join') why = `forced by the request (${strategy}); ${cost.summary}`;
    else if (strategy === 'auto' && cost.fdwMs === undefined) why = `${targetTable ? `the role's permission on ${target.table.typeName} uses relationships ${runsOn} cannot read` : this.unreachable(runsOn, target.table)}; ${cost.summary}`;
    else if (strategy === 'auto' && cost.pairs <= DEFAULT_MAX_SEMI_JOIN_KEYS && cost.prefetchMs < cost.fdwMs!) why = `${cost.summary}, so a prefetch`;
    if (why !== undefined) {
      return planKeyOrder(
        { alloc: () => this.alloc(), builder: (sid) => this.builder(sid, true, to), add: (step) => this.steps.push(step) },
        id, builder, target, parent, `${why}: ${prefetch}`,
      );
    }
    invariant(targetTable, 'fdw ordering reads the target table');
    const chosen = strategy === 'fdw' ? 'forced by the request' : cost.pairs > DEFAULT_MAX_SEMI_JOIN_KEYS ? `${cost.summary}; more pairs than a prefetch may carry (${DEFAULT_MAX_SEMI_JOIN_KEYS.toLocaleString('en-US')}), so fdw` : `${cost.summary}, so fdw`;
    this.pushdowns.push({
      step: id, path: target.path, relationship: target.relationship, from: target.parent.source, to, strategy: 'fdw',
      reason: `${chosen}: the remote values go inside the parent statement: the ${local ? 'table' : 'foreign table'} is read once for the parent keys (= ANY(ARRAY(SELECT …))) and hash-joined in ${runsOn}`,
    });
    return planFdwOrder(builder, target, parent, where, targetTable);
  }
}

/**
 * Whether a remote field can run over foreign tables of `from`, and why not. Its own
 * remote filters are planned inside the fdw statement (pushed down, or semi-joins whose
 * keys feed it); ordering by remote fields needs those tables readable from `from` too.
 */
function fdwForJoin(fdw: FdwLinks, from: string, field: RemoteSiteDraft['field']): FdwAvailability {
  const to = queryTable(field.query).source;
  if (!fdw.link(from, to)) return { available: false, why: fdw.missing(from, to) };
  const read = tablesRead(field.query);
  // A function runs in its own database: over foreign tables there is none to call.
  if (read.callsFunctions) return { available: false, unsuited: true, why: `the field selects computed fields, whose SQL functions exist only in ${to}` };
  const missing = read.tables.find((t) => !fdw.foreignTable(from, t));
  if (missing) return { available: false, why: `${from} has no foreign table for ${missing.schema}.${missing.name}` };
  const unordered = read.remoteOrders.find((t) => t.source !== from && !fdw.foreignTable(from, t));
  if (unordered) {
    const how = fdw.link(from, unordered.source) ? `${from} has no foreign table for ${unordered.schema}.${unordered.name}` : fdw.missing(from, unordered.source);
    return { available: false, why: `the field orders by a remote relationship to ${unordered.source}, and ${how}` };
  }
  const perRow = perRowReads(field);
  if (perRow) return { available: false, unsuited: true, why: `over foreign tables ${perRow} would query ${to} once per ${needsPerKey(field) ? 'key' : 'row'} (postgres_fdw runs a correlated subquery as one remote query per outer row)` };
  return { available: true, why: '' };
}

/**
 * What in a remote field's rows would be read per parent key or per row: per-key lists or
 * aggregates, and local relationships of the target (correlated subqueries).
 */
function perRowReads(field: RemoteSiteDraft['field']): string | undefined {
  if (field.query.kind === 'aggregate-query') return 'an aggregate per parent';
  if (needsPerKey(field)) return 'a list per parent (limit/offset/distinct_on)';
  const q = field.query;
  const related = q.selection.fields.find((f) => f.kind === 'object-relationship' || f.kind === 'array-relationship' || f.kind === 'array-aggregate');
  if (related) return `its relationship ${related.key}`;
  if (q.orderBy.some((o) => o.path.length > 0 || o.target.kind === 'array-aggregate')) return 'an order through its relationships';
  return undefined;
}

function invariantSql(t: TableModel): never {
  throw new FarjoinError('unexpected', `no foreign table for ${t.schema}.${t.name} in an fdw statement`, { visibility: 'internal' });
}

export function planOperation(op: OperationIR, options: PlanOptions): Plan {
  const ctx = new PlanContext(options);
  const { steps, pending } = ctx;
  const rootFields = new Map<string, RootShapeField>();

  // Mutations: one step per root field, in document order (they run in that order).
  for (const f of op.fields) {
    if (op.operationType === 'mutation' && isFunctionMutation(f)) {
      const id = ctx.alloc();
      const planned = planFunctionMutation(f, id, ctx.builder(id, false, queryTable(f.query).source));
      steps.push(planned.step);
      rootFields.set(f.key, planned.root);
      continue;
    }
    if (f.kind !== 'mutation') continue;
    const id = ctx.alloc();
    let mark = 0;
    const planned = planMutation(f, id, ctx.builder(id, false, f.source), { mark: () => (mark = pending.length), dropSinceMark: () => pending.splice(mark) });
    // A filter through a remote relationship would need its keys fetched before the write,
    // outside the transaction; pushed down over postgres_fdw it runs inside the statement.
    if (steps.some((s) => s.kind === 'semi-join' && s.consumer === id)) {
      throw new FarjoinError('not-supported', `the mutation ${f.key} filters through a remote relationship, which needs a postgres_fdw link (farjoin fdw setup) to run inside its statement`, { path: `$.selectionSet.${f.key}` });
    }
    steps.push(planned.step);
    rootFields.set(f.key, planned.root);
  }

  // Fetch steps: one per source, in order of first appearance.
  const bySource = new Map<string, Exclude<RootFieldIR, { kind: 'constant' | 'mutation' }>[]>();
  for (const f of op.fields) {
    if (f.kind === 'constant' || f.kind === 'mutation' || (op.operationType === 'mutation' && isFunctionMutation(f))) continue;
    const source = queryTable(f.query).source;
    const group = bySource.get(source) ?? [];
    group.push(f);
    bySource.set(source, group);
  }
  for (const [source, fields] of bySource) {
    const id = ctx.alloc();
    const builder = ctx.builder(id, false, source);
    const exprs: Sql[] = fields.map((f, slot) => {
      if (f.kind === 'select-aggregate') {
        const built = builder.aggregateSubquery(f.query, () => [], [{ slot, many: false }]);
        rootFields.set(f.key, { kind: 'object', key: f.key, step: id, slot, shape: built.shape });
        return built.expr;
      }
      if (f.kind === 'select') {
        const built = builder.listSubquery(f.query, () => [], [{ slot, many: true }], [], { columnar: true });
        rootFields.set(f.key, { kind: 'list', key: f.key, step: id, slot, shape: built.shape });
        return sql`(${built.expr})`;
      }
      const built = builder.listSubquery({ ...f.query, limit: 1 }, () => [], [{ slot, many: true }], [], { columnar: true });
      rootFields.set(f.key, { kind: 'one', key: f.key, step: id, slot, shape: built.shape });
      return sql`(${built.expr})`;
    });
    const step: FetchStep = { kind: 'fetch', id, source, sql: print(sql`SELECT ${jsonArray(exprs)} AS "root"`) };
    steps.push(step);
  }

  // Remote joins, breadth-first: building one may discover joins nested in its target rows.
  while (pending.length > 0) {
    const p = pending.shift();
    invariant(p, 'pending join');
    const target = queryTable(p.draft.field.query).source;
    const fdw = fdwForJoin(options.fdw, p.from, p.draft.field);
    const choice = chooseStrategy(p.draft.field, p.from, options.strategy, fdw);
    const viaFdw = choice.strategy === 'fdw';
    const step = buildRemoteJoin(
      { id: p.id, parent: p.parent, from: p.from, field: p.draft.field, site: p.site, parentKeySlots: p.draft.keySlots, keys: p.draft.keys, ...choice, runsOn: viaFdw ? p.from : target },
      ctx.builder(p.id, true, viaFdw ? p.from : target),
    );
    steps.push(step);
  }

  // Root shape in response order.
  const root: RootShapeField[] = [];
  for (const f of op.fields) {
    if (f.kind === 'constant') {
      root.push(f);
      continue;
    }
    const shaped = rootFields.get(f.key);
    invariant(shaped, `root field ${f.key} planned`);
    root.push(shaped);
  }
  steps.sort((a, b) => a.id - b.id);
  return { kind: 'plan', root: { fields: root }, steps, pushdowns: ctx.pushdowns };
}
