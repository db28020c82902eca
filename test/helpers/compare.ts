/**
 * Comparing GraphQL responses with expectations built from plain SQL (differential
 * tests). Lists the query orders are compared in order; lists it does not order are
 * compared as multisets, by naming their field paths (`album.tracks`: the `tracks` list
 * of every element of `album`; list indexes are not part of a path).
 */
import { expect } from 'vitest';
import { StrategyResults } from './strategies.js';

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A copy of `value` whose lists at `unordered` paths are sorted by content. */
export function canonical(value: unknown, unordered: ReadonlySet<string>, path = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v, unordered, path));
    if (unordered.has(path)) items.sort((x, y) => (stable(x) < stable(y) ? -1 : stable(x) > stable(y) ? 1 : 0));
    return items;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, canonical(v, unordered, path ? `${path}.${k}` : k)]));
  }
  return value;
}

/**
 * `actual` equals `expected`, in order except for the lists at `unordered` paths; for the
 * answers of several strategies (helpers/strategies.ts), each of them does.
 */
export function expectSameData(actual: unknown, expected: unknown, unordered: readonly string[] = []): void {
  const set = new Set(unordered);
  const want = canonical(expected, set);
  if (actual instanceof StrategyResults) {
    for (const [strategy, data] of actual.byStrategy) expect(canonical(data, set), `[${strategy}]`).toEqual(want);
  } else {
    expect(canonical(actual, set)).toEqual(want);
  }
}

/** Rows grouped by a key, in their original order (for building nested expectations). */
export function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

/** Postgres numeric text → the JSON number Hasura prints (null stays null). */
export function num(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
