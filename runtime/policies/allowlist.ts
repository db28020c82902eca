/**
 * Hasura's allow-list (docs: security/allow-list; metadata `query_collections` and
 * `allowlist`): with `--enable-allowlist` (`HASURA_GRAPHQL_ENABLE_ALLOWLIST=true`), a
 * non-admin request runs only when its whole document equals a query of an allowed
 * collection. Documents are compared as Hasura compares them: parsed (so whitespace and
 * comments do not matter), `__typename` fields removed, everything else — field order,
 * aliases, operation names — strictly.
 *
 * An `allowlist` entry's `scope` is `{global: true}` (the default: every role) or
 * `{global: false, roles: […]}` (those roles only), as in Hasura's role-based allow-lists.
 */
import { Kind, parse, print, visit, type DocumentNode } from 'graphql';
import { FarjoinError } from '../../compiler/errors.js';

export class Allowlist {
  private constructor(
    private readonly global: ReadonlySet<string>,
    private readonly byRole: ReadonlyMap<string, ReadonlySet<string>>,
  ) {}

  static fromMetadata(collections: unknown, allowlist: unknown): Allowlist {
    const queriesOf = new Map<string, string[]>();
    if (collections !== undefined && collections !== null) {
      if (!Array.isArray(collections)) throw invalid('$.query_collections', 'a list of collections');
      collections.forEach((c, i) => {
        const path = `$.query_collections[${i}]`;
        if (!isObject(c) || typeof c.name !== 'string') throw invalid(path, 'a collection {name, definition: {queries}}');
        const queries = isObject(c.definition) && Array.isArray(c.definition.queries) ? c.definition.queries : [];
        queriesOf.set(c.name, queries.map((q, j) => {
          const qp = `${path}.definition.queries[${j}]`;
          if (!isObject(q) || typeof q.query !== 'string') throw invalid(qp, 'a query {name, query}');
          try {
            return normalize(parse(q.query, { noLocation: true }));
          } catch (e) {
            throw invalid(`${qp}.query`, `a GraphQL document (${(e as Error).message})`);
          }
        }));
      });
    }
    const global = new Set<string>();
    const byRole = new Map<string, Set<string>>();
    if (allowlist !== undefined && allowlist !== null) {
      if (!Array.isArray(allowlist)) throw invalid('$.allowlist', 'a list of {collection, scope}');
      allowlist.forEach((entry, i) => {
        const path = `$.allowlist[${i}]`;
        if (!isObject(entry) || typeof entry.collection !== 'string') throw invalid(path, 'an entry {collection, scope}');
        const queries = queriesOf.get(entry.collection);
        if (!queries) throw invalid(`${path}.collection`, `the name of a query collection; "${entry.collection}" is not in query_collections`);
        const scope = isObject(entry.scope) ? entry.scope : { global: true };
        if (scope.global === false) {
          const roles = Array.isArray(scope.roles) ? scope.roles.filter((r): r is string => typeof r === 'string') : [];
          for (const role of roles) {
            const set = byRole.get(role) ?? new Set<string>();
            for (const q of queries) set.add(q);
            byRole.set(role, set);
          }
        } else {
          for (const q of queries) global.add(q);
        }
      });
    }
    return new Allowlist(global, byRole);
  }

  /** Refuses a non-admin request whose document is in no collection allowed for its role. */
  check(document: DocumentNode, role: string, admin: boolean): void {
    if (admin) return;
    const text = normalize(document);
    if (this.global.has(text) || this.byRole.get(role)?.has(text)) return;
    throw new FarjoinError('validation-failed', 'query is not allowed', {
      path: '$', internal: { message: 'query is not in any of the allowlists' },
    });
  }
}

/** The document printed without `__typename` fields: what two allowed-equal documents share. */
function normalize(document: DocumentNode): string {
  return print(visit(document, {
    [Kind.FIELD]: (node) => (node.name.value === '__typename' ? null : undefined),
  }));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(path: string, what: string): FarjoinError {
  return new FarjoinError('invalid-configuration', `${path} must be ${what}`, { path });
}
