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
import { jsonArray, StatementBuilder, type RemoteSiteDraft } from '../sql/select.js';
import { buildRemoteJoin } from './remote-join.js';
import { planSemiJoin } from './remote-filter.js';
import { chooseFilterStrategy, chooseStrategy, type StrategyRequest } from './strategy.js';
import type { FetchStep, Plan, RootShapeField, Site, Step } from './types.js';

export interface PlanOptions {
  readonly strategy: StrategyRequest;
  readonly output: OutputOptions;
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

  constructor(readonly options: PlanOptions) {}

  alloc(): number {
    return this.nextId++;
  }

  builder(id: number, source: string, startsWithList: boolean): StatementBuilder {
    return new StatementBuilder(
      (draft) => {
        const joinId = this.alloc();
        this.pending.push({ id: joinId, parent: id, from: source, draft, site: { startsWithList, descents: draft.at } });
        return joinId;
      },
      this.options.output,
      (node, parent) => {
        const choice = chooseFilterStrategy(node, this.options.strategy);
        return planSemiJoin(
          { alloc: () => this.alloc(), builder: (sid, src) => this.builder(sid, src, true), add: (step) => this.steps.push(step) },
          id, node, parent, choice.reason,
        );
      },
    );
  }
}

export function planOperation(op: OperationIR, options: PlanOptions): Plan {
  const ctx = new PlanContext(options);
  const { steps, pending } = ctx;
  const rootFields = new Map<string, RootShapeField>();

  // Fetch steps: one per source, in order of first appearance.
  const bySource = new Map<string, Exclude<RootFieldIR, { kind: 'constant' }>[]>();
  for (const f of op.fields) {
    if (f.kind === 'constant') continue;
    const source = queryTable(f.query).source;
    const group = bySource.get(source) ?? [];
    group.push(f);
    bySource.set(source, group);
  }
  for (const [source, fields] of bySource) {
    const id = ctx.alloc();
    const builder = ctx.builder(id, source, false);
    const exprs: Sql[] = fields.map((f, slot) => {
      if (f.kind === 'select-aggregate') {
        const built = builder.aggregateSubquery(f.query, () => [], [{ slot, many: false }]);
        rootFields.set(f.key, { kind: 'object', key: f.key, step: id, slot, shape: built.shape });
        return built.expr;
      }
      if (f.kind === 'select') {
        const built = builder.listSubquery(f.query, () => [], [{ slot, many: true }]);
        rootFields.set(f.key, { kind: 'list', key: f.key, step: id, slot, shape: built.shape });
        return sql`(${built.expr})`;
      }
      const built = builder.listSubquery({ ...f.query, limit: 1 }, () => [], [{ slot, many: true }]);
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
    const choice = chooseStrategy(p.draft.field, p.from, options.strategy);
    const step = buildRemoteJoin(
      { id: p.id, parent: p.parent, from: p.from, field: p.draft.field, site: p.site, parentKeySlots: p.draft.keySlots, keys: p.draft.keys, ...choice },
      ctx.builder(p.id, queryTable(p.draft.field.query).source, true),
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
  return { kind: 'plan', root: { fields: root }, steps };
}
