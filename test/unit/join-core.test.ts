/** The join core as pure functions: key collection, hash join and stitching (no database). */
import { describe, expect, it } from 'vitest';
import type { RemoteJoinStep, RowShape } from '../../compiler/plan/types.js';
import { toColumns } from '../../runtime/join/columnar.js';
import { JoinIndex } from '../../runtime/join/hash-join.js';
import { hashKeyAt, KeyCollector } from '../../runtime/join/keys.js';
import { materializeRows } from '../../runtime/join/materialize.js';
import { forEachRowAt } from '../../runtime/join/walk.js';

function step(over: Partial<RemoteJoinStep>): RemoteJoinStep {
  return {
    kind: 'remote-join', id: 2, parent: 1, source: 't', target: 't', from: 's', path: 'p', relationship: 'r', relationshipType: 'object', returns: 'object',
    strategy: 'two-phase', reason: '', site: { startsWithList: true, descents: [] }, parentKeySlots: [1], keyTypes: [], keyRanges: [null],
    sql: { text: '', values: [], placeholders: {} }, mode: 'any', entryKeySlots: [0], entryRowsSlot: -1,
    shape: { fields: [{ kind: 'scalar', key: 'name', slot: 1 }] }, ...over,
  };
}

describe('join core', () => {
  it('collects distinct, non-null keys from nested sites', () => {
    const result = [[1, [[10], [11], [10]]], [2, null], [3, [[null], [12]]]];
    const c = new KeyCollector([0]);
    forEachRowAt(result, { startsWithList: true, descents: [{ slot: 1, many: true }] }, (r, i) => c.add(r, i));
    expect(c.columns).toEqual([[10, 11, 12]]);
    expect(c.chunks(2)).toEqual([[[10, 11]], [[12]]]);
  });

  it('hashes composite keys unambiguously and treats a null part as no key', () => {
    expect(hashKeyAt(['a,b', 'c'], [0, 1])).not.toBe(hashKeyAt(['a', 'b,c'], [0, 1]));
    expect(hashKeyAt(['a', null], [0, 1])).toBeNull();
    expect(hashKeyAt([7], [0])).toBe(7);
  });

  it('stitches object joins (first match) and array joins (all matches, in order)', () => {
    const parentShape: RowShape = { fields: [{ kind: 'scalar', key: 'id', slot: 0 }, { kind: 'remote', key: 'user', join: 2 }] };
    const obj = new JoinIndex(step({}));
    obj.add([[1, 'Alice'], [2, 'Bob'], [1, 'Duplicate']]);
    const arr = new JoinIndex(step({ relationshipType: 'array', returns: 'array' }));
    arr.add([[1, 'a'], [2, 'b'], [1, 'c']]);
    const parents = [[10, 1], [11, null], [12, 3]];
    expect(materializeRows(parents, parentShape, new Map([[2, { index: obj, parentKeySlots: [1] }]]))).toEqual([
      { id: 10, user: { name: 'Alice' } }, { id: 11, user: null }, { id: 12, user: null },
    ]);
    expect(materializeRows(parents, parentShape, new Map([[2, { index: arr, parentKeySlots: [1] }]]))).toEqual([
      { id: 10, user: [{ name: 'a' }, { name: 'c' }] }, { id: 11, user: null }, { id: 12, user: [] },
    ]);
  });

  it('reads columnar lists as statements return them: keys from the key column, targets built from the columns', () => {
    // Parents (id, user_id) and target entries (id, name) as [count, column 0, column 1].
    const parents = toColumns([4, [10, 11, 12, 13], [1, null, 3, 1]]);
    const c = new KeyCollector([1]);
    forEachRowAt(parents, { startsWithList: true, descents: [] }, (r, i) => c.add(r, i));
    expect(c.columns).toEqual([[1, 3]]);
    const parentShape: RowShape = { fields: [{ kind: 'scalar', key: 'id', slot: 0 }, { kind: 'remote', key: 'user', join: 2 }] };
    const obj = new JoinIndex(step({ shape: { fields: [{ kind: 'scalar', key: 'id', slot: 0 }, { kind: 'scalar', key: 'name', slot: 1 }] } }));
    obj.add([2, [1, 2], ['Alice', 'Bob']]);
    obj.add([0, null, null]);
    const out = materializeRows(parents, parentShape, new Map([[2, { index: obj, parentKeySlots: [1] }]]));
    expect(out).toEqual([
      { id: 10, user: { id: 1, name: 'Alice' } }, { id: 11, user: null }, { id: 12, user: null }, { id: 13, user: { id: 1, name: 'Alice' } },
    ]);
    expect(out[0]!.user).toBe(out[3]!.user); // one object per target row
    const arr = new JoinIndex(step({ relationshipType: 'array', returns: 'array' }));
    arr.add([2, [1, 3], ['a', 'b']]);
    arr.add([1, [1], ['c']]);
    expect(materializeRows(parents, parentShape, new Map([[2, { index: arr, parentKeySlots: [1] }]]))).toEqual([
      { id: 10, user: [{ name: 'a' }, { name: 'c' }] }, { id: 11, user: null }, { id: 12, user: [{ name: 'b' }] }, { id: 13, user: [{ name: 'a' }, { name: 'c' }] },
    ]);
  });

  it('never emits hidden key slots', () => {
    const shape: RowShape = { fields: [{ kind: 'scalar', key: 'name', slot: 1 }] };
    expect(materializeRows([[99, 'x']], shape, new Map())).toEqual([{ name: 'x' }]);
  });
});
