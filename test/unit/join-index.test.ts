/**
 * The join index (runtime/join/hash-join.ts): dense integer keys take the array path,
 * everything else the Map path, and both stitch the same response — first entry wins for
 * object joins, every entry in statement order (across chunks) for array joins, null for
 * a null key, null/[] for a key without entries.
 */
import { describe, expect, it } from 'vitest';
import type { RemoteJoinStep, RowShape } from '../../compiler/plan/types.js';
import { JoinIndex } from '../../runtime/join/hash-join.js';
import { materializeRows } from '../../runtime/join/materialize.js';

function step(over: Partial<RemoteJoinStep>): RemoteJoinStep {
  return {
    kind: 'remote-join', id: 2, parent: 1, source: 't', from: 's', path: 'p', relationship: 'r', relationshipType: 'object', returns: 'object',
    strategy: 'two-phase', reason: '', site: { startsWithList: true, descents: [] }, parentKeySlots: [1], keyTypes: [],
    sql: { text: '', values: [], placeholders: {} }, mode: 'any', entryKeySlots: [0], entryRowsSlot: -1,
    shape: { fields: [{ kind: 'scalar', key: 'v', slot: 1 }] }, ...over,
  } as RemoteJoinStep;
}

const parentShape: RowShape = { fields: [{ kind: 'scalar', key: 'id', slot: 0 }, { kind: 'remote', key: 'r', join: 2 }] };

function stitch(s: RemoteJoinStep, chunks: unknown[][][], parents: unknown[][]): { dense: boolean; out: unknown } {
  const index = new JoinIndex(s);
  for (const c of chunks) index.add(c);
  return { dense: index.dense() !== null, out: materializeRows(parents, parentShape, new Map([[2, { index, parentKeySlots: [1] }]])) };
}

describe('join index', () => {
  const parents = [[10, 1], [11, 2], [12, null], [13, 3], [14, '1'], [15, 1.5], [16, 1e9]];

  it('object joins: dense and hashed keys give the same, first entry per key', () => {
    const dense = stitch(step({}), [[[1, 'a'], [2, 'b']], [[1, 'dup']]], parents);
    const hashed = stitch(step({}), [[[1, 'a'], [2, 'b']], [[1, 'dup'], [-5, 'neg']]], parents);
    expect(dense.dense).toBe(true);
    expect(hashed.dense).toBe(false);
    const expected = [
      { id: 10, r: { v: 'a' } }, { id: 11, r: { v: 'b' } }, { id: 12, r: null }, { id: 13, r: null },
      { id: 14, r: null }, { id: 15, r: null }, { id: 16, r: null },
    ];
    expect(dense.out).toEqual(expected);
    expect(hashed.out).toEqual(expected);
  });

  it('array joins: every entry in statement order, across chunks; [] without entries, null for a null key', () => {
    const s = step({ relationshipType: 'array', returns: 'array' });
    const chunks = [[[2, 'x'], [1, 'a'], [null, 'no key'], [1, 'b']], [[1, 'c'], [2, 'y']]];
    const dense = stitch(s, chunks, parents);
    const hashed = stitch(s, [...chunks, [['s', 'string key']]], parents);
    expect(dense.dense).toBe(true);
    expect(hashed.dense).toBe(false);
    const expected = [
      { id: 10, r: [{ v: 'a' }, { v: 'b' }, { v: 'c' }] }, { id: 11, r: [{ v: 'x' }, { v: 'y' }] }, { id: 12, r: null }, { id: 13, r: [] },
      { id: 14, r: [] }, { id: 15, r: [] }, { id: 16, r: [] },
    ];
    expect(dense.out).toEqual(expected);
    expect(hashed.out).toEqual(expected);
  });

  it('sparse integer keys use the Map', () => {
    const sparse = stitch(step({}), [[[1, 'a'], [5_000_000, 'far']]], [[10, 1], [11, 5_000_000]]);
    expect(sparse.dense).toBe(false);
    expect(sparse.out).toEqual([{ id: 10, r: { v: 'a' } }, { id: 11, r: { v: 'far' } }]);
  });

  it('per-key entries carry their rows', () => {
    const s = step({ relationshipType: 'array', returns: 'array', mode: 'per-key', entryKeySlots: [0], entryRowsSlot: 1, shape: { fields: [{ kind: 'scalar', key: 'v', slot: 0 }] } });
    const out = stitch(s, [[[1, [['a'], ['b']]], [2, []]]], [[10, 1], [11, 2], [12, 3]]);
    expect(out.dense).toBe(true);
    expect(out.out).toEqual([{ id: 10, r: [{ v: 'a' }, { v: 'b' }] }, { id: 11, r: [] }, { id: 12, r: [] }]);
  });
});
