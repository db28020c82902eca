/**
 * Strategy choice per remote join and per filter through a remote relationship (DESIGN.md
 * §5.2). Every choice carries its reason, which explain prints. Selections run two-phase
 * unless fdw is requested (fdw only adds a hop, selectionCost); filters go to the cheaper of
 * semi-join and fdw by the cost model (cost.ts). A requested strategy that cannot run is
 * refused with the fix, except fdw on a shape it would run per key or per row (two-phase,
 * saying why).
 */
import { FarjoinError, invariant } from '../errors.js';
import { queryTable, type RemoteFieldIR } from '../ir/types.js';
import { needsPerKey } from './remote-join.js';
import { fdwSelectionOverhead, type FilterCost, type KeyTest } from './cost.js';
import type { RemoteExists } from './remote-filter.js';
import type { Strategy } from './types.js';

export type StrategyRequest = 'auto' | Strategy;

export interface StrategyChoice {
  readonly strategy: Strategy;
  readonly reason: string;
}

/**
 * Whether a remote field can run over postgres_fdw. `unsuited`: the link and foreign
 * tables exist, but the statement would query a foreign table once per key or per row, so
 * even a request for fdw runs two-phase (and explain says why).
 */
export interface FdwAvailability {
  readonly available: boolean;
  readonly why: string;
  readonly unsuited?: boolean;
}

export function chooseStrategy(field: RemoteFieldIR, from: string, request: StrategyRequest, fdw: FdwAvailability): StrategyChoice {
  const to = queryTable(field.query).source;
  if (request === 'fdw') {
    if (!fdw.available && !fdw.unsuited) {
      throw new FarjoinError('not-supported',
        `strategy "fdw" is not available for ${field.path}: ${fdw.why}; run \`farjoin fdw setup --from ${from} --to ${to}\` or use "auto"`,
        { path: '$' });
    }
    if (fdw.available) {
      return {
        strategy: 'fdw',
        reason: `forced by the request: the statement runs on ${from} over its foreign tables; the key array parameter (= ANY($1)) reaches ${to} as one remote query`,
      };
    }
  }
  const shape = field.query.kind === 'aggregate-query'
    ? 'an aggregate per parent, so keys are sent once and each key gets its own correlated aggregate (unnest)'
    : needsPerKey(field)
      ? 'per-parent limit/offset/distinct_on, so keys are sent once and each key gets its own correlated list (unnest)'
      : 'distinct keys sent as one array parameter (= ANY), rows hash-joined in memory';
  const why = request === 'two-phase' || request === 'semi-join'
    ? `forced by the request (${request})`
    : request === 'fdw'
      ? `fdw was requested, but ${fdw.why}, so two-phase`
      : fdw.available
        ? selectionCost(field, from)
        : `${fdw.why}`;
  return { strategy: 'two-phase', reason: `${why}; ${shape}` };
}

/** Why two-phase beats fdw for a selection, in the cost model's terms. */
function selectionCost(field: RemoteFieldIR, from: string): string {
  const target = queryTable(field.query);
  const [first] = field.mapping;
  invariant(first, 'a remote join has key columns');
  return `a postgres_fdw link from ${from} to ${target.source} exists, but for a selection both ship the same keys and read the same rows, ${fdwSelectionOverhead(target, first.to, field.query.where, from)}, so two-phase`;
}

/** A filter's strategy, and for a semi-join how the parent tests its keys (cost.ts). */
export interface FilterChoice extends StrategyChoice {
  readonly keyTest: KeyTest;
}

/**
 * How a filter through a remote relationship runs: `fdw` (one statement, the target read
 * through its foreign table into a hashed subplan) or `semi-join` (the matching keys are
 * fetched first, capped), whichever the cost model (cost.ts) finds cheaper. A semi-join
 * that would pass the key cap is never chosen while fdw can run the filter.
 */
export function chooseFilterStrategy(node: RemoteExists, request: StrategyRequest, fdw: { available: boolean; why: string }, cost: FilterCost, maxKeys: number): FilterChoice {
  const semiJoin = `the matching keys are fetched from ${node.target.source} first (under the role's permission) and ${node.parent.source} keeps rows whose key is among them (${cost.semiJoin.keyTest === 'planned' ? '= ANY(keys), estimated and index-driven by its planner' : 'a hashed = ANY(keys) filter, the keys too many for its planner to estimate one by one'})`;
  const semi = (why: string): FilterChoice => ({ strategy: 'semi-join', keyTest: cost.semiJoin.keyTest, reason: `${why}: ${semiJoin}` });
  const pushdown = (why: string): FilterChoice => ({ strategy: 'fdw', keyTest: 'hashed', reason: `${why}: the filter runs inside the ${node.parent.source} statement over the foreign table, read once as one remote query into a hashed subplan (IN (SELECT …))` });
  if (request === 'fdw') {
    if (fdw.available) return pushdown('forced by the request');
    throw new FarjoinError('not-supported',
      `strategy "fdw" is not available for the filter on ${node.path}: ${fdw.why}; run \`farjoin fdw setup --from ${node.parent.source} --to ${node.target.source}\` or use "auto"`,
      { path: '$' });
  }
  if (request === 'semi-join' || request === 'two-phase') return semi(`forced by the request (${request}); ${cost.summary}`);
  if (!fdw.available || cost.fdw === undefined) return semi(`${fdw.why}; ${cost.summary}`);
  if (cost.keys > maxKeys) return pushdown(`${cost.summary}; more keys than a semi-join may carry (${maxKeys.toLocaleString('en-US')})`);
  return cost.fdw.ms <= cost.semiJoin.ms
    ? pushdown(`${cost.summary}, so fdw`)
    : semi(`${cost.summary}, so semi-join`);
}
