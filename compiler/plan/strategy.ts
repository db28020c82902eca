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

export function chooseStrategy(field: RemoteFieldIR, from: string, request: StrategyRequest): StrategyChoice {
  const to = queryTable(field.query).source;
  if (request === 'fdw' || request === 'semi-join') {
    throw new FarjoinError('not-supported',
      `strategy "${request}" is not available for ${field.path}: postgres_fdw pushdown is not implemented in this version; use "two-phase" or "auto"`,
      { path: '$' });
  }
  const shape = field.query.kind === 'aggregate-query'
    ? 'an aggregate per parent, so keys are sent once and each key gets its own correlated aggregate (unnest)'
    : needsPerKey(field)
      ? 'per-parent limit/offset/distinct_on, so keys are sent once and each key gets its own correlated list (unnest)'
      : 'distinct keys sent as one array parameter (= ANY), rows hash-joined in memory';
  const why = request === 'two-phase'
    ? 'forced by the request'
    : `default: no postgres_fdw link from ${from} to ${to} is planned by this version`;
  return { strategy: 'two-phase', reason: `${why}; ${shape}` };
}

/** How a filter through a remote relationship runs. */
export function chooseFilterStrategy(node: RemoteExists, request: StrategyRequest): StrategyChoice {
  if (request === 'fdw') {
    throw new FarjoinError('not-supported',
      `strategy "fdw" is not available for the filter on ${node.path}: no postgres_fdw link from ${node.parent.source} to ${node.target.source}; run \`farjoin fdw setup --from ${node.parent.source} --to ${node.target.source}\` or use "auto"`,
      { path: '$' });
  }
  return {
    strategy: 'semi-join',
    reason: `filter on remote relationship ${node.path}: the matching keys are fetched from ${node.target.source} first (under the role's permission) and ${node.parent.source} keeps rows whose key is among them (= ANY)`,
  };
}
