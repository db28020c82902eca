/** Semi-join keys (runtime/join/semi-join.ts): range filtering and the cap, never truncation. */
import { describe, expect, it } from 'vitest';
import type { SemiJoinStep } from '../../compiler/plan/types.js';
import { collectSemiJoinKeys } from '../../runtime/join/semi-join.js';

const step = (over: Partial<SemiJoinStep> = {}): SemiJoinStep => ({
  kind: 'semi-join', id: 2, consumer: 1, source: 'target_db', from: 'source_db', path: 'orders.user', relationship: 'user',
  strategy: 'semi-join', reason: '', placeholders: ['f2_k0', 'f2_k1'], keyRanges: ['int4', null],
  sql: { text: '', values: [], placeholders: {} }, maxKeys: 3, ...over,
});

describe('semi-join keys', () => {
  it('returns the key columns, dropping keys the parent column cannot hold', () => {
    expect(collectSemiJoinKeys(step(), [['1', 'a'], ['3000000000', 'b'], ['1.5', 'c']])).toEqual([['1'], ['a']]);
  });

  it('refuses more keys than the cap, naming the fix instead of truncating', () => {
    expect(() => collectSemiJoinKeys(step(), [['1', 'a'], ['2', 'b'], ['3', 'c'], ['4', 'd']]))
      .toThrow(/matched 4 keys in target_db, more than the semi-join limit of 3; narrow the filter, or run `farjoin fdw setup --from source_db --to target_db`/);
  });
});
