/** The plan cache's LRU and key (runtime/plan-cache.ts). */
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../compiler/plan/types.js';
import { boundedStableJson, PlanCache, planCacheKey, stableJson } from '../../runtime/plan-cache.js';

const plan = (n: number): Plan => ({ kind: 'plan', pushdowns: [], root: { fields: [{ kind: 'constant', key: `k${n}`, value: n }] }, steps: [] });
const key = (variables: Record<string, unknown> | null, extra: Partial<Parameters<typeof planCacheKey>[0]> = {}): string =>
  planCacheKey({ query: 'q', operationName: null, role: 'admin', session: {}, strategy: 'auto', variables, ...extra });

describe('plan cache', () => {
  it('keeps at most maxEntries plans, evicting the least recently used', () => {
    const cache = new PlanCache(2);
    cache.set('a', plan(1));
    cache.set('b', plan(2));
    expect(cache.get('a')).toEqual(plan(1)); // a is now most recent
    cache.set('c', plan(3)); // evicts b
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.stats()).toEqual({ size: 2, maxEntries: 2, hits: 3, misses: 1 });
  });

  it('caches nothing when the size is 0, and skips oversized keys', () => {
    const off = new PlanCache(0);
    off.set('a', plan(1));
    expect(off.get('a')).toBeUndefined();
    const small = new PlanCache(10, 8);
    small.set('123456789', plan(1));
    expect(small.stats().size).toBe(0);
  });

  it('keys by variable values (plans bake them in), independent of key order', () => {
    expect(key({ a: 1, b: [1, { y: 2, x: 1 }] })).toBe(key({ b: [1, { x: 1, y: 2 }], a: 1 }));
    expect(key({ a: 1 })).not.toBe(key({ a: 2 }));
    expect(key(null)).toBe(key({}));
    expect(key({ a: '1' })).not.toBe(key({ a: 1 }));
    expect(key({}, { role: 'user' })).not.toBe(key({}));
    expect(key({}, { strategy: 'fdw' })).not.toBe(key({}));
    expect(key({}, { operationName: 'A' })).not.toBe(key({}));
    expect(key({}, { session: { 'x-hasura-user-id': '1' } })).not.toBe(key({}));
    expect(stableJson({ b: undefined, a: null })).toBe('{"a":null}');
  });

  it('stops building a key past the cacheable size', () => {
    const big = { o: Array.from({ length: 10_000 }, (_, i) => ({ id: i, note: `note ${i}` })) };
    const full = stableJson(big);
    expect(boundedStableJson(big, full.length)).toBe(full);
    expect(boundedStableJson(big, full.length - 1)).toBeUndefined();
    expect(boundedStableJson(big, 64 * 1024)).toBeUndefined();
  });
});
