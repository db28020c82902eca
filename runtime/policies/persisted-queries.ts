/**
 * Automatic persisted queries, Apollo's protocol (`extensions.persistedQuery: {version: 1,
 * sha256Hash}`): a request with the hash and no query runs the query registered under it,
 * or fails with `PersistedQueryNotFound` (code `PERSISTED_QUERY_NOT_FOUND`), after which
 * Apollo Client sends the hash with the query; that request is checked (the hash must be
 * the query's SHA-256) and registers it. Bounded: the least recently used entries go first.
 */
import { createHash } from 'node:crypto';
import { FarjoinError } from '../../compiler/errors.js';

export const DEFAULT_PERSISTED_QUERIES = 5000;
/** Longer texts are run but not kept (they would crowd out the rest). */
const MAX_PERSISTED_CHARS = 100_000;

export class PersistedQueries {
  private readonly byHash = new Map<string, string>();

  constructor(private readonly capacity = DEFAULT_PERSISTED_QUERIES) {}

  /**
   * The query text a request stands for: its own `query` (registered when it carries a
   * matching hash), or the one registered under its hash.
   */
  resolve(query: unknown, extensions: unknown): unknown {
    const hash = persistedHash(extensions);
    if (hash === undefined) return query;
    if (typeof query === 'string' && query !== '') {
      const actual = createHash('sha256').update(query).digest('hex');
      if (actual !== hash) throw new FarjoinError('validation-failed', 'provided sha256Hash does not match the query', { path: '$.extensions.persistedQuery.sha256Hash' });
      if (query.length <= MAX_PERSISTED_CHARS) this.remember(hash, query);
      return query;
    }
    const known = this.byHash.get(hash);
    if (known === undefined) throw new FarjoinError('PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound', { path: '$' });
    this.byHash.delete(hash); // most recently used last
    this.byHash.set(hash, known);
    return known;
  }

  private remember(hash: string, query: string): void {
    this.byHash.delete(hash);
    this.byHash.set(hash, query);
    while (this.byHash.size > this.capacity) this.byHash.delete(this.byHash.keys().next().value as string);
  }
}

function persistedHash(extensions: unknown): string | undefined {
  if (typeof extensions !== 'object' || extensions === null) return undefined;
  const pq = (extensions as Record<string, unknown>).persistedQuery;
  if (typeof pq !== 'object' || pq === null) return undefined;
  const { version, sha256Hash } = pq as Record<string, unknown>;
  if (version !== undefined && version !== 1) throw new FarjoinError('validation-failed', `persistedQuery version ${JSON.stringify(version)} is not supported; use version 1`, { path: '$.extensions.persistedQuery.version' });
  if (typeof sha256Hash !== 'string' || !/^[0-9a-f]{64}$/i.test(sha256Hash)) {
    throw new FarjoinError('validation-failed', 'persistedQuery.sha256Hash must be a SHA-256 hex digest', { path: '$.extensions.persistedQuery.sha256Hash' });
  }
  return sha256Hash.toLowerCase();
}
