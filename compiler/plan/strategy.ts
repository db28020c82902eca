/**
 * Strategy choice per remote join (DESIGN.md §5.2). Every choice carries its reason, which
 * explain prints. Two-phase is the default and the only strategy this build executes;
 * fdw pushdown and semi-joins are planned by later work (issue 4), and asking for them
 * explicitly is reported rather than silently ignored.
 */
import { FarjoinError } from '../errors.js';
import { queryTable, type RemoteFieldIR } from '../ir/types.js';
import { needsPerKey } from './remote-join.js';
import type { RemoteExists } from './remote-filter.js';
import type { Strategy } from './types.js';

export type StrategyRequest = 'auto' | Strategy;

export interface StrategyChoice {
  readonly strategy: Strategy;
  readonly reason: string;
}

export function chooseStrategy(field: RemoteFieldIR, from: string, request: StrategyRequest, fdw: { available: boolean; why: string }): StrategyChoice {
  const to = queryTable(field.query).source;
  if (request === 'fdw') {
    if (!fdw.available) {
      throw new FarjoinError('not-supported',
        `strategy "fdw" is not available for ${field.path}: ${fdw.why}; run \`farjoin fdw setup --from ${from} --to ${to}\` or use "auto"`,
        { path: '$' });
    }
    return {
      strategy: 'fdw',
      reason: `forced by the request: the statement runs on ${from} over its foreign tables; the key array parameter (= ANY($1)) reaches ${to} as one remote query`,
    };
  }
  const shape = field.query.kind === 'aggregate-query'
    ? 'an aggregate per parent, so keys are sent once and each key gets its own correlated aggregate (unnest)'
    : needsPerKey(field)
      ? 'per-parent limit/offset/distinct_on, so keys are sent once and each key gets its own correlated list (unnest)'
      : 'distinct keys sent as one array parameter (= ANY), rows hash-joined in memory';
  // Cost model for selections: both strategies ship the same key array and read the same
  // target rows (measured on par, DESIGN.md §5.2); fdw adds a hop through the parent's
  // database and its memory, so two-phase wins whenever there is nothing to push down.
  const why = request === 'two-phase' || request === 'semi-join'
    ? `forced by the request (${request})`
    : fdw.available
      ? `a postgres_fdw link from ${from} to ${to} exists, but for a selection two-phase ships the same keys without routing the rows through ${from}`
      : `${fdw.why}`;
  return { strategy: 'two-phase', reason: `${why}; ${shape}` };
}

/**
 * How a filter through a remote relationship runs. `fdw` when the parent's database reads
 * the target through a foreign table and the filter fits in it: one statement, no key cap,
 * no extra round trip. Otherwise `semi-join` (keys fetched first, capped).
 */
export function chooseFilterStrategy(node: RemoteExists, request: StrategyRequest, fdw: { available: boolean; why: string }): StrategyChoice {
  const semi: StrategyChoice = {
    strategy: 'semi-join',
    reason: `the matching keys are fetched from ${node.target.source} first (under the role's permission) and ${node.parent.source} keeps rows whose key is among them (= ANY)`,
  };
  if (request === 'fdw') {
    if (fdw.available) return { strategy: 'fdw', reason: 'forced by the request; the filter runs in the parent statement over the foreign table (IN (SELECT …), a hashed subplan)' };
    throw new FarjoinError('not-supported',
      `strategy "fdw" is not available for the filter on ${node.path}: ${fdw.why}; run \`farjoin fdw setup --from ${node.parent.source} --to ${node.target.source}\` or use "auto"`,
      { path: '$' });
  }
  if (request === 'semi-join' || request === 'two-phase') return { ...semi, reason: `forced by the request (${request}): ${semi.reason}` };
  if (fdw.available) {
    return { strategy: 'fdw', reason: `a postgres_fdw link from ${node.parent.source} to ${node.target.source} exists: the filter runs inside the parent statement over the foreign table, read once as one remote query into a hashed subplan (IN (SELECT …)), with no key cap and no extra round trip` };
  }
  return { ...semi, reason: `${fdw.why}; ${semi.reason}` };
}
