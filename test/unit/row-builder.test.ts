/**
 * Row builders (runtime/join/row-builder.ts): the generated builder and the generic loop
 * produce the same objects — key order, duplicate keys, constants, nested readers — and
 * keys that an object literal would misread fall back to the generic loop.
 */
import { describe, expect, it } from 'vitest';
import type { RowShape } from '../../compiler/plan/types.js';
import { JoinIndex } from '../../runtime/join/hash-join.js';
import { materializeRows } from '../../runtime/join/materialize.js';
import { shapeBuilders } from '../../runtime/join/row-builder.js';
import type { RemoteJoinStep } from '../../compiler/plan/types.js';

function generic(shape: RowShape, row: readonly unknown[], readers: readonly (((r: readonly unknown[]) => unknown) | undefined)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  shape.fields.forEach((f, i) => {
    out[f.key] = f.kind === 'scalar' ? row[f.slot] : readers[i]!(row);
  });
  return out;
}

describe('row builders', () => {
  it('match the generic loop, key order and duplicate keys included', () => {
    const shape: RowShape = { fields: [
      { kind: 'scalar', key: 'b', slot: 2 },
      { kind: 'constant', key: '__typename', value: 'T' },
      { kind: 'scalar', key: 'a', slot: 0 },
      { kind: 'scalar', key: 'b', slot: 1 },
      { kind: 'scalar', key: 'we"ird\\key', slot: 0 },
    ] };
    const readers = shape.fields.map((f) => (f.kind === 'constant' ? () => f.value : undefined));
    const { row, rows } = shapeBuilders(shape, readers);
    const raw = [1, 'x', null];
    expect(JSON.stringify(row(raw))).toBe(JSON.stringify(generic(shape, raw, readers)));
    expect(Object.keys(row(raw))).toEqual(['b', '__typename', 'a', 'we"ird\\key']);
    expect(rows([raw, [2, 'y', 3]])).toEqual([row(raw), row([2, 'y', 3])]);
    expect(rows(null)).toEqual([]);
  });

  it('falls back to the generic loop for a __proto__ key', () => {
    const shape: RowShape = { fields: [{ kind: 'scalar', key: '__proto__', slot: 0 }, { kind: 'scalar', key: 'id', slot: 1 }] };
    const { row } = shapeBuilders(shape, []);
    const raw = ['p', 7];
    expect(row(raw)).toEqual(generic(shape, raw, []));
    expect(Object.getPrototypeOf(row(raw))).toBe(Object.prototype);
  });

  it('object joins: parents with one key get equal objects, misses and null keys get null', () => {
    const step = {
      kind: 'remote-join', id: 2, parent: 1, source: 't', target: 't', from: 's', path: 'p', relationship: 'r', relationshipType: 'object', returns: 'object',
      strategy: 'two-phase', reason: '', site: { startsWithList: true, descents: [] }, parentKeySlots: [1], keyTypes: [],
      sql: { text: '', values: [], placeholders: {} }, mode: 'any', entryKeySlots: [0], entryRowsSlot: -1,
      shape: { fields: [{ kind: 'scalar', key: 'name', slot: 1 }] },
    } as unknown as RemoteJoinStep;
    const index = new JoinIndex(step);
    index.add([[1, 'Alice'], [2, 'Bob']]);
    const parentShape: RowShape = { fields: [{ kind: 'scalar', key: 'id', slot: 0 }, { kind: 'remote', key: 'user', join: 2 }] };
    const out = materializeRows([[10, 1], [11, 1], [12, null], [13, 9], [14, 2]], parentShape, new Map([[2, { index, parentKeySlots: [1] }]]));
    expect(out).toEqual([
      { id: 10, user: { name: 'Alice' } }, { id: 11, user: { name: 'Alice' } }, { id: 12, user: null }, { id: 13, user: null }, { id: 14, user: { name: 'Bob' } },
    ]);
    expect(JSON.stringify(out)).toBe('[{"id":10,"user":{"name":"Alice"}},{"id":11,"user":{"name":"Alice"}},{"id":12,"user":null},{"id":13,"user":null},{"id":14,"user":{"name":"Bob"}}]');
  });
});
