/**
 * Explain of a subscription (issue 14, DESIGN.md §5.3): the plan's steps are those of one
 * cohort; `subscription` adds how a poll runs them for every cohort of the poller — each
 * step's statement wrapped as multiplex.ts sends it, the cohorts' values as arrays, so a
 * poll sends one statement per step whatever the number of cohorts. A stream is a cohort
 * of one subscriber (its cursor is its own).
 */
import type { ExplainJson, ExplainSubscription } from '../../compiler/explain/json.js';
import { multiplexedSql } from './multiplex.js';

export function explainSubscription(explain: ExplainJson, options: { stream: boolean; intervalMs: number }): ExplainSubscription {
  return {
    kind: options.stream ? 'stream' : 'live',
    intervalMs: options.intervalMs,
    multiplexed: true,
    pollerKey: 'role + operation name + query text',
    cohortKey: options.stream ? 'one per subscriber (its cursor)' : 'variables + session variables',
    statementsPerPoll: explain.steps.length,
    statements: explain.steps.map((s) => {
      const sql = multiplexedSql(s.sql);
      return { step: s.id, source: s.source, ...(sql === undefined ? {} : { sql }) };
    }),
  };
}
