/**
 * Hasura's query response caching (docs: caching/caching-config): a query whose operation
 * carries `@cached(ttl: Int = 60, refresh: Boolean = false)` is answered from an in-memory
 * LRU cache while its entry lives, and its response carries `Cache-Control:
 * max-age=<seconds left>`, `X-Hasura-Query-Cache-Key` and `X-Hasura-Query-Family-Cache-Key`.
 * `ttl` is at most 300 s (Hasura's maximum); `refresh: true` runs the query and replaces the
 * entry.
 *
 * The key is the query text, operation name, variables, role, and the values of the
 * session variables that role's select permissions read (all of them when a computed field
 * or function receives the session), so two roles — or two users whose filters differ —
 * never share an entry. Only complete answers (no errors) are kept. Bounded by entries and
 * by the bytes of the kept responses.
 */
import { createHash } from 'node:crypto';
import type { GraphQLResponse } from '../engine.js';
import { stableJson } from '../plan-cache.js';

export const DEFAULT_CACHE_ENTRIES = 1000;
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
export const MAX_TTL_SECONDS = 300;
export const DEFAULT_TTL_SECONDS = 60;

interface Entry {
  readonly response: GraphQLResponse;
  readonly bytes: number;
  readonly expiresAt: number;
  readonly family: string;
}

export interface CacheKeys {
  /** Unique to the query, its variables, role and session values read. */
  readonly key: string;
  /** The same, ignoring variable values. */
  readonly family: string;
}

export interface CachedAnswer {
  readonly response: GraphQLResponse;
  readonly maxAgeSeconds: number;
}

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly maxEntries = DEFAULT_CACHE_ENTRIES, private readonly maxBytes = DEFAULT_CACHE_BYTES) {}

  static keys(parts: { query: string; operationName: string | null | undefined; variables: unknown; role: string; session: Readonly<Record<string, string>> }): CacheKeys {
    const session = Object.entries(parts.session).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const family = digest([parts.query, parts.operationName ?? null, parts.role, session]);
    // Keys sorted (stableJson, iterative): equal variables give equal keys.
    return { family, key: digest([family, stableJson(parts.variables ?? {})]) };
  }

  get(key: string, now = Date.now()): CachedAnswer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.delete(key, entry);
      return undefined;
    }
    this.entries.delete(key); // most recently used last
    this.entries.set(key, entry);
    return { response: entry.response, maxAgeSeconds: Math.max(0, Math.ceil((entry.expiresAt - now) / 1000)) };
  }

  set(keys: CacheKeys, response: GraphQLResponse, ttlSeconds: number, now = Date.now()): void {
    const bytes = Buffer.byteLength(JSON.stringify(response));
    const old = this.entries.get(keys.key);
    if (old) this.delete(keys.key, old);
    if (bytes > this.maxBytes) return;
    this.entries.set(keys.key, { response, bytes, expiresAt: now + ttlSeconds * 1000, family: keys.family });
    this.bytes += bytes;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, Entry];
      this.delete(oldestKey, oldest);
    }
  }

  stats(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private delete(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}

/** Session variables each role's select permissions read, from the raw metadata. */
export function sessionVariablesRead(rawMetadata: unknown): (role: string) => ReadonlySet<string> | 'all' {
  const byRole = new Map<string, Set<string>>();
  let sessionArgument = false;
  const sources = (rawMetadata as { sources?: unknown })?.sources;
  for (const source of Array.isArray(sources) ? sources : []) {
    const s = source as Record<string, unknown>;
    if (JSON.stringify(s).includes('"session_argument"')) sessionArgument = true;
    for (const table of Array.isArray(s.tables) ? s.tables : []) {
      const perms = (table as Record<string, unknown>).select_permissions;
      for (const p of Array.isArray(perms) ? perms : []) {
        const { role, permission } = p as { role?: unknown; permission?: unknown };
        if (typeof role !== 'string') continue;
        const names = byRole.get(role) ?? new Set<string>();
        for (const m of JSON.stringify(permission ?? null).matchAll(/"(x-hasura-[^"\\]*)"/gi)) names.add(m[1]!.toLowerCase());
        byRole.set(role, names);
      }
    }
  }
  const none = new Set<string>();
  return (role) => (sessionArgument ? 'all' : byRole.get(role) ?? none);
}

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}
