/** `farjoin explain`'s text for a subscription: the cohort's steps, then how a poll multiplexes them. */
import { describe, expect, it } from 'vitest';
import type { ExplainJson } from '../../compiler/explain/json.js';
import { explainText } from '../../compiler/explain/text.js';

const base: ExplainJson = {
  version: 1,
  steps: [{ id: 1, source: 'source_db', kind: 'fetch', sql: 'SELECT $1::int4' }],
  remoteJoins: [],
};

describe('explain text of a subscription', () => {
  it('adds the poll: interval, poller and cohort keys, and each statement as sent for all cohorts', () => {
    const text = explainText({
      ...base,
      subscription: {
        kind: 'live', intervalMs: 1000, multiplexed: true, pollerKey: 'role + operation name + query text',
        cohortKey: 'variables + session variables', statementsPerPoll: 1,
        statements: [{ step: 1, source: 'source_db', sql: 'SELECT json_agg(…)' }],
      },
    });
    expect(text.split('\n').slice(-5)).toEqual([
      'Subscription: live query, polled every 1000 ms, multiplexed',
      '  poller: role + operation name + query text; cohort: variables + session variables',
      '  statements per poll: 1, whatever the number of cohorts',
      '  step 1 on source_db, for all cohorts: SELECT json_agg(…)',
      '',
    ]);
  });

  it('says so when a statement runs once per cohort, and adds nothing for a query', () => {
    const text = explainText({
      ...base,
      subscription: { kind: 'stream', intervalMs: 50, multiplexed: true, pollerKey: 'p', cohortKey: 'c', statementsPerPoll: 1, statements: [{ step: 1, source: 'source_db' }] },
    });
    expect(text).toContain('Subscription: stream, polled every 50 ms, multiplexed\n');
    expect(text).toContain('step 1 on source_db, for all cohorts: runs once per cohort (a parameter without a cast)\n');
    expect(explainText(base)).not.toContain('Subscription');
  });
});
