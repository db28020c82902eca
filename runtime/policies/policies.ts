/**
 * What a request must pass before it is planned (issue 15), in Hasura's order: its query
 * text resolved (automatic persisted queries), the role's rate limit, the allow-list, then
 * the depth and node limits — all before any SQL runs. Built from the metadata's
 * `api_limits`, `query_collections` and `allowlist` with every metadata version.
 */
import { getOperationAST, parse, type DocumentNode } from 'graphql';
import { checkDocumentText } from '../../compiler/input-bounds.js';
import type { GraphQLRequest } from '../../compiler/index.js';
import { ApiLimits, type LimitsSubject } from './api-limits.js';
import { Allowlist } from './allowlist.js';
import { operationShape } from './document-shape.js';
import { PersistedQueries } from './persisted-queries.js';

export interface PolicyOptions {
  /** `--enable-allowlist` / `HASURA_GRAPHQL_ENABLE_ALLOWLIST=true`. */
  readonly enableAllowlist: boolean;
  /** The input bound on document nesting, checked over the text before it is parsed here. */
  readonly maxNesting?: number;
}

/** Parsed documents kept for the checks (the compiler keeps its own, validated ones). */
const MAX_DOCUMENTS = 500;
const MAX_DOCUMENT_CHARS = 20_000;

export class RequestPolicies {
  private readonly documents = new Map<string, DocumentNode | null>();

  private constructor(
    readonly limits: ApiLimits,
    private readonly allowlist: Allowlist | undefined,
    readonly persisted: PersistedQueries,
    private readonly maxNesting: number | undefined,
  ) {}

  static fromMetadata(raw: unknown, options: PolicyOptions, persisted = new PersistedQueries()): RequestPolicies {
    const o = typeof raw === 'object' && raw !== null ? raw as Record<string, unknown> : {};
    const allowlist = Allowlist.fromMetadata(o.query_collections, o.allowlist);
    return new RequestPolicies(ApiLimits.fromMetadata(o.api_limits), options.enableAllowlist ? allowlist : undefined, persisted, options.maxNesting);
  }


  /**
   * The request as it will be planned (its query resolved from a persisted-query hash), or
   * a thrown FarjoinError naming the policy it breaks. A text that does not parse passes:
   * the compiler reports the parse error, and nothing runs.
   */
  admit<R extends GraphQLRequest & { extensions?: unknown }>(request: R, subject: LimitsSubject, options: { countRate?: boolean } = {}): R {
    const query = this.persisted.resolve(request.query, request.extensions);
    const resolved = query === request.query ? request : { ...request, query };
    if (options.countRate !== false) this.limits.checkRate(subject);
    if (subject.admin || typeof query !== 'string' || (!this.allowlist && !this.limits.limitsShape(subject))) return resolved;
    const document = this.documentOf(query);
    if (!document) return resolved;
    this.allowlist?.check(document, subject.role, subject.admin);
    const operation = getOperationAST(document, request.operationName ?? undefined);
    if (operation) this.limits.checkShape(subject, operationShape(document, operation));
    return resolved;
  }

  /** The request's document, parsed (cached per text); null when it does not parse. */
  documentOf(query: string): DocumentNode | null {
    const known = this.documents.get(query);
    if (known !== undefined) return known;
    checkDocumentText(query, this.maxNesting); // before the (recursive) parser sees it
    let document: DocumentNode | null;
    try {
      document = parse(query, { noLocation: true, maxTokens: 100_000 });
    } catch {
      document = null;
    }
    if (query.length <= MAX_DOCUMENT_CHARS) {
      if (this.documents.size >= MAX_DOCUMENTS) this.documents.delete(this.documents.keys().next().value as string);
      this.documents.set(query, document);
    }
    return document;
  }
}
