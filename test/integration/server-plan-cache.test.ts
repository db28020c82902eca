/** Plan cache through the engine: a hit skips compilation and returns the same data; bounded. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDemo, type DemoContext } from '../helpers/demo.js';

let demo: DemoContext;
beforeAll(async () => {
  demo = await startDemo({ planCacheSize: 3 });
});
afterAll(async () => {
  await demo?.close();
});

const Q = 'query Q($id: Int!) { orders(where: {id: {_lte: $id}}, order_by: {id: asc}) { id user { name } } }';

describe('plan cache', () => {
  it('a hit returns identical data without compiling again', async () => {
    const first = await demo.engine.run({ query: Q, variables: { id: 3 } });
    expect(first.trace.cache).toBe('miss');
    const compile = vi.spyOn(demo.engine.compiler, 'compile');
    try {
      const second = await demo.engine.run({ query: Q, variables: { id: 3 } });
      expect(second.trace.cache).toBe('hit');
      expect(compile).not.toHaveBeenCalled();
      expect(second.response).toEqual(first.response);
      expect(second.response.data).toEqual({ orders: [{ id: 1, user: { name: 'Alice' } }, { id: 2, user: { name: 'Alice' } }, { id: 3, user: { name: 'Bob' } }] });
    } finally {
      compile.mockRestore();
    }
  });

  it('another variable value is another plan (values are bound into plans)', async () => {
    const r = await demo.engine.run({ query: Q, variables: { id: 1 } });
    expect(r.trace.cache).toBe('miss');
    expect(r.response.data).toEqual({ orders: [{ id: 1, user: { name: 'Alice' } }] });
    const again = await demo.engine.run({ query: Q, variables: { id: 1 } });
    expect(again.trace.cache).toBe('hit');
    expect(again.response).toEqual(r.response);
  });

  it('does not cache failed compilations', async () => {
    const bad = await demo.engine.run({ query: '{ orders { nope } }' });
    expect(bad.response.errors?.[0]?.extensions.code).toBe('validation-failed');
    expect((await demo.engine.run({ query: '{ orders { nope } }' })).trace.cache).toBe('miss');
  });

  it('stays within its bound', async () => {
    for (let i = 1; i <= 6; i++) {
      const r = await demo.engine.execute({ query: `{ orders(where: {id: {_eq: ${i}}}) { id } }` });
      expect(r.data).toEqual({ orders: [{ id: i }] });
    }
    const stats = demo.engine.planCacheStats();
    expect(stats.maxEntries).toBe(3);
    expect(stats.size).toBe(3);
    // the first of the six was evicted; the last is still there
    expect((await demo.engine.run({ query: '{ orders(where: {id: {_eq: 1}}) { id } }' })).trace.cache).toBe('miss');
    expect((await demo.engine.run({ query: '{ orders(where: {id: {_eq: 6}}) { id } }' })).trace.cache).toBe('hit');
  });
});
