/**
 * Plan cache (DESIGN.md §7 "planning a cached query ≤ 0.1 ms"): a bounded LRU of compiled
 * plans, so a repeated request skips parse, validate, lower and plan entirely.
 *
 * Key: query text, operation name, role, session variables, strategy — and the variable
 * VALUES, not just their types. The compiler bakes variable values into the plan (they
 * become bind parameters while lowering), so two requests that differ only in a variable's
 * value have different plans; a key by variable types alone would return wrong data. Once
 * the compiler produces parameterised plans (values bound at execution time) the key can
 * drop the values and keep only their types. Session variables are in the key for the
 * same reason: permission filters bind them as parameters.
 *
 * Requests whose key is larger than `maxKeyChars` (huge variable lists) are not cached:
 * they would evict many small plans and are unlikely to repeat.
 */
import type { Plan } from '../compiler/plan/types.js';

export interface PlanCacheKeyParts {
  readonly query: string;
  readonly operationName: string | null | undefined;
  readonly role: string;
  readonly session: Readonly<Record<string, string>>;
  readonly strategy: string;
  readonly variables: Readonly<Record<string, unknown>> | null | undefined;
}

export interface PlanCacheStats {
  readonly size: number;
  readonly maxEntries: number;
  readonly hits: number;
  readonly misses: number;
}

export const DEFAULT_PLAN_CACHE_ENTRIES = 1000;
const DEFAULT_MAX_KEY_CHARS = 64 * 1024;

/**
 * JSON with object keys sorted at every level, so `{a, b}` and `{b, a}` give one key.
 * Iterative (an explicit stack of pending output pieces), so no value can exhaust the
 * call stack, whatever its depth; the engine bounds variables before this runs anyway.
 */
export function stableJson(value: unknown): string {
  return boundedStableJson(value, Infinity)!;
}

/**
 * `stableJson`, or undefined as soon as the text passes `maxChars`: a key too large to
 * cache is not built in full (10,000 mutation input objects made it a tenth of the request).
 */
export function boundedStableJson(value: unknown, maxChars: number): string | undefined {
  const out: string[] = [];
  let length = 0;
  const emit = (text: string): boolean => {
    out.push(text);
    length += text.length;
    return length <= maxChars;
  };
  // Each entry is either a value still to print or literal text to emit.
  const stack: ({ text: string } | { value: unknown })[] = [{ value }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if ('text' in top) {
      if (!emit(top.text)) return undefined;
      continue;
    }
    const v = top.value;
    if (v === null || typeof v !== 'object') {
      if (!emit(JSON.stringify(v) ?? 'null')) return undefined;
    } else if (Array.isArray(v)) {
      const pending: ({ text: string } | { value: unknown })[] = [{ text: '[' }];
      v.forEach((item, i) => {
        if (i > 0) pending.push({ text: ',' });
        pending.push({ value: item });
      });
      pending.push({ text: ']' });
      for (let i = pending.length - 1; i >= 0; i--) stack.push(pending[i]!);
    } else {
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
      const pending: ({ text: string } | { value: unknown })[] = [{ text: '{' }];
      keys.forEach((k, i) => {
        pending.push({ text: `${i > 0 ? ',' : ''}${JSON.stringify(k)}:` }, { value: obj[k] });
      });
      pending.push({ text: '}' });
      for (let i = pending.length - 1; i >= 0; i--) stack.push(pending[i]!);
    }
  }
  return out.join('');
}

export function planCacheKey(p: PlanCacheKeyParts): string {
  return boundedPlanCacheKey(p, Infinity)!;
}

/** The key, or undefined when it would pass `maxChars` (such requests are not cached). */
export function boundedPlanCacheKey(p: PlanCacheKeyParts, maxChars: number): string | undefined {
  return boundedStableJson([p.query, p.operationName ?? null, p.role, p.strategy, p.session, p.variables ?? {}], maxChars);
}

export class PlanCache {
  private readonly entries = new Map<string, Plan>();
  private hits = 0;
  private misses = 0;

  constructor(readonly maxEntries = DEFAULT_PLAN_CACHE_ENTRIES, readonly maxKeyChars = DEFAULT_MAX_KEY_CHARS) {}

  /** The cached plan, marked most recently used; `undefined` on a miss. */
  get(key: string): Plan | undefined {
    const plan = this.entries.get(key);
    if (plan === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, plan);
    return plan;
  }

  set(key: string, plan: Plan): void {
    if (this.maxEntries <= 0 || key.length > this.maxKeyChars) return;
    this.entries.delete(key);
    this.entries.set(key, plan);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  stats(): PlanCacheStats {
    return { size: this.entries.size, maxEntries: this.maxEntries, hits: this.hits, misses: this.misses };
  }
}
