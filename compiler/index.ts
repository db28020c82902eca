/**
 * The pure compiler (DESIGN.md §5): GraphQL text → Plan, in phases that read like the
 * spec — parse, validate, select the operation, coerce variables, lower to IR, plan.
 * No I/O: metadata and the catalog are plain values handed in by the runtime.
 */
import {
  getOperationAST,
  GraphQLError,
  Kind,
  NoUnusedVariablesRule,
  parse,
  SingleFieldSubscriptionsRule,
  specifiedRules,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
} from 'graphql';
import type { Catalog } from './catalog/types.js';
import { FarjoinError, isFarjoinError, MetadataError } from './errors.js';
import { explainPlan, type ExplainJson } from './explain/json.js';
import { fromParseError, fromValidationError, fromVariableError } from './graphql-errors.js';
import { checkDocument, checkDocumentText, DEFAULT_INPUT_BOUNDS, type InputBounds } from './input-bounds.js';
import { acceptStringOffsets } from './string-offset.js';
import { answerIntrospection, hasIntrospection } from './introspection.js';
import { lowerOperation } from './ir/lower.js';
import { coerceVariables } from './variables.js';
import { ModelIndex, type Model } from './metadata/model.js';
import { ADMIN_ROLE, restrictModel } from './permissions/access.js';
import { Permissions, type SessionInput } from './permissions/filters.js';
import { parseMetadata } from './metadata/parse.js';
import { resolveMetadata } from './metadata/resolve.js';
import { checkMetadata } from './metadata/check.js';
import { describeInconsistency, type InconsistentObject } from './metadata/inconsistent.js';
import type { Metadata } from './metadata/types.js';
import { FdwLinks } from './plan/fdw.js';
import { planOperation } from './plan/plan.js';
import type { StrategyRequest } from './plan/strategy.js';
import type { Plan } from './plan/types.js';
import type { OutputOptions } from './sql/output.js';
import type { StreamCursor } from './ir/stream.js';
import { buildSchema, type BuiltSchema } from './schema/build.js';
import type { NamingConvention } from './schema/naming.js';

export interface GraphQLRequest {
  readonly query: string;
  readonly variables?: Readonly<Record<string, unknown>> | null;
  readonly operationName?: string | null;
}

export interface CompileOptions {
  readonly strategy?: StrategyRequest;
  /** Role and `x-hasura-*` session variables (default: admin). */
  readonly session?: SessionInput;
  /** A streaming subscription's cursor after its last batch (runtime/live/stream.ts). */
  readonly streamCursor?: StreamCursor;
}

export interface CompilerOptions {
  /** Naming convention of sources whose customization names none (HASURA_GRAPHQL_DEFAULT_NAMING_CONVENTION). */
  readonly defaultNamingConvention?: NamingConvention;
  /** bigint/numeric/float8 as JSON strings (HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES). */
  readonly stringifyNumericTypes?: boolean;
  /** Bounds on documents and variables, checked before any recursive step (input-bounds.ts). */
  readonly bounds?: Partial<InputBounds>;
  /** Most rows one mutation field may insert, nested rows included (default 10,000). */
  readonly maxMutationRows?: number;
  /** Throw `InvalidMetadataError` when any metadata object is inconsistent (`serve --strict`), instead of leaving it out. */
  readonly strict?: boolean;
  /** Sources the runtime could not introspect, with the reason (they become inconsistent). */
  readonly sourceErrors?: Readonly<Record<string, string>>;
}

export type CompileResult =
  | { readonly ok: true; readonly plan: Plan }
  | { readonly ok: false; readonly errors: readonly FarjoinError[] };

/** Thrown by `createCompiler` with `strict` when some metadata object is inconsistent. */
export class InvalidMetadataError extends FarjoinError {
  /** Each object's mistake as a metadata error (`reason; fix` at its path). */
  readonly problems: readonly MetadataError[];

  constructor(readonly objects: readonly InconsistentObject[]) {
    super('invalid-metadata', `metadata is inconsistent:\n${objects.map((p) => `  - ${describeInconsistency(p)}`).join('\n')}`);
    this.problems = objects.map((o) => new MetadataError(describeInconsistency(o).slice(o.path.length + 2), o.path));
    this.name = 'InvalidMetadataError';
  }
}

const ADMIN_SESSION: SessionInput = { role: ADMIN_ROLE, variables: {} };

export class Compiler {
  /** The admin schema. */
  readonly schema: GraphQLSchema;
  readonly model: Model;
  private readonly fullIndex: ModelIndex;
  private readonly fdw: FdwLinks;
  private readonly output: OutputOptions;
  readonly bounds: InputBounds;
  private readonly maxMutationRows: number | undefined;
  /** One schema per role: each shows only what the role may read (DESIGN.md §8). */
  private readonly roles = new Map<string, BuiltSchema>();
  /**
   * Per role: query texts that parsed and validated against that role's schema, with
   * their documents (a bounded LRU). Validation depends on the text and the schema only,
   * so a request that differs in its variables — a plan cache miss, since plans bind
   * variable values — skips parse and validate, which were most of compiling the bench
   * query (graphql-js validation alone about half; issue 7). Failing texts are not kept.
   */
  private readonly documents = new Map<string, Map<string, DocumentNode>>();

  /** Metadata objects left out of the model (DESIGN.md §3), in Hasura's get_inconsistent_metadata shape. */
  readonly inconsistencies: readonly InconsistentObject[];

  constructor(model: Model, options: CompilerOptions = {}, inconsistencies: readonly InconsistentObject[] = []) {
    this.model = model;
    this.inconsistencies = inconsistencies;
    this.fullIndex = new ModelIndex(model);
    this.fdw = new FdwLinks(model);
    this.output = { stringifyNumeric: options.stringifyNumericTypes === true };
    this.bounds = { ...DEFAULT_INPUT_BOUNDS, ...options.bounds };
    this.maxMutationRows = options.maxMutationRows;
    this.schema = this.schemaFor(ADMIN_ROLE).schema;
  }

  /**
   * The schema `role` sees, built on first use. `backendOnly`: the request asked for
   * Hasura's backend-only mutation permissions (`x-hasura-use-backend-only-permissions: true`).
   */
  schemaFor(role: string, backendOnly = false): BuiltSchema {
    const key = schemaKey(role, backendOnly);
    let built = this.roles.get(key);
    if (!built) {
      built = buildSchema(restrictModel(this.model, role, { backendOnly }), { backendOnly });
      this.roles.set(key, built);
    }
    return built;
  }

  compile(request: GraphQLRequest, options: CompileOptions = {}): CompileResult {
    try {
      return { ok: true, plan: this.compileOrThrow(request, options) };
    } catch (e) {
      if (isFarjoinError(e)) return { ok: false, errors: [e] };
      throw e;
    }
  }

  explain(request: GraphQLRequest, options: CompileOptions = {}): { ok: true; explain: ExplainJson; plan: Plan } | { ok: false; errors: readonly FarjoinError[] } {
    const result = this.compile(request, options);
    return result.ok ? { ok: true, explain: explainPlan(result.plan), plan: result.plan } : result;
  }

  private compileOrThrow(request: GraphQLRequest, options: CompileOptions): Plan {
    const session = options.session ?? ADMIN_SESSION;
    const backendOnly = usesBackendOnly(session);
    const built = this.schemaFor(session.role, backendOnly);
    const schema = built.schema;
    const document = this.validDocument(schemaKey(session.role, backendOnly), schema, request.query);
    const operation = getOperationAST(document, request.operationName ?? undefined);
    if (!operation) {
      const message = request.operationName
        ? `no such operation found in the document: "${request.operationName}"`
        : 'exactly one operation has to be present in the document when operationName is not specified';
      throw new FarjoinError('validation-failed', message, { path: '$' });
    }
    const coerced = coerceVariables(schema, operation.variableDefinitions ?? [], request.variables ?? {});
    if (coerced.errors) throw fromVariableError(coerced.errors[0] as GraphQLError, document, operation, schema);
    const variables = coerced.coerced;
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    const constants = hasIntrospection(operation, document)
      ? answerIntrospection(schema, document, operation, variables)
      : new Map<string, unknown>();
    const permissions = new Permissions(this.fullIndex, session, built.info.index);
    const ir = lowerOperation({ schema, info: built.info, operation, collect: { fragments, variables }, constants, permissions, streamCursor: options.streamCursor, session, maxMutationRows: this.maxMutationRows });
    return { ...planOperation(ir, { strategy: options.strategy ?? 'auto', output: this.output, fdw: this.fdw }), operation: operation.operation };
  }

  /** `query` parsed and validated against `schema` (the schema of `role`), from the document cache when it can. */
  private validDocument(role: string, schema: GraphQLSchema, query: unknown): DocumentNode {
    let known = this.documents.get(role);
    if (!known) {
      known = new Map();
      this.documents.set(role, known);
    }
    const hit = typeof query === 'string' ? known.get(query) : undefined;
    if (hit) {
      known.delete(query as string); // most recently used last
      known.set(query as string, hit);
      return hit;
    }
    const document = parsePhase(query, this.bounds);
    validatePhase(schema, document);
    const text = query as string;
    if (text.length <= MAX_CACHED_QUERY_CHARS) {
      if (known.size >= MAX_CACHED_DOCUMENTS) known.delete(known.keys().next().value as string);
      known.set(text, document);
    }
    return document;
  }
}

/** Schemas and validated documents are kept per role, and apart for backend-only requests. */
function schemaKey(role: string, backendOnly: boolean): string {
  return backendOnly ? `${role}\u0000backend-only` : role;
}

function usesBackendOnly(session: SessionInput): boolean {
  return session.variables['x-hasura-use-backend-only-permissions']?.toLowerCase() === 'true';
}

/** Validated documents kept per role, and the longest query text kept. */
const MAX_CACHED_DOCUMENTS = 500;
const MAX_CACHED_QUERY_CHARS = 64 * 1024;

/** Parses within the input bounds: nesting before `parse` (it recurses), fields and fragments after. */
function parsePhase(query: unknown, bounds: InputBounds): DocumentNode {
  if (typeof query !== 'string' || query.trim() === '') {
    throw new FarjoinError('validation-failed', 'the request has no "query" string', { path: '$.query' });
  }
  checkDocumentText(query, bounds.maxNesting);
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: MAX_TOKENS });
  } catch (e) {
    if (e instanceof GraphQLError) throw fromParseError(e);
    throw e;
  }
  checkDocument(document, bounds);
  return acceptStringOffsets(document);
}

/** graphql's own bound on a document's size (tokens), checked while it parses. */
export const MAX_TOKENS = 100_000;

/**
 * graphql-js's rules but one: Hasura accepts a declared variable the operation does not use
 * (client code generators send them; tests-py `boolexp/jsonb` declares `$tags` unused).
 */
const VALIDATION_RULES = specifiedRules.filter((rule) => rule !== NoUnusedVariablesRule);

function validatePhase(schema: GraphQLSchema, document: DocumentNode): void {
  // Hasura reports the first error only.
  let errors: readonly GraphQLError[];
  try {
    errors = validate(schema, document, VALIDATION_RULES, { maxErrors: 1 });
  } catch (e) {
    // graphql-js's SingleFieldSubscriptionsRule collects a subscription's fields without
    // variable values, and throws on a directive whose variable is undefined
    // (`@include(if: $x)`): the other rules name the cause ("Variable "$x" is not defined.")
    if (!(e instanceof GraphQLError)) throw e;
    errors = validate(schema, document, VALIDATION_RULES.filter((rule) => rule !== SingleFieldSubscriptionsRule), { maxErrors: 1 });
    if (errors.length === 0) errors = [e];
  }
  const first = errors[0];
  if (first) throw fromValidationError(first, document, schema);
}

/**
 * Checks raw metadata against the catalog and compiles what is consistent; inconsistent
 * objects are left out and listed in `compiler.inconsistencies` (with `strict`, thrown as
 * `InvalidMetadataError`). Metadata that cannot be parsed at all throws.
 */
export function createCompiler(rawMetadata: unknown, catalog: Catalog, options: CompilerOptions = {}): Compiler {
  const metadata: Metadata = parseMetadata(rawMetadata);
  const { model, inconsistent } = checkMetadata(metadata, catalog, {
    ...(options.sourceErrors ? { sourceErrors: options.sourceErrors } : {}),
    ...(options.defaultNamingConvention ? { defaultNamingConvention: options.defaultNamingConvention } : {}),
  });
  if (options.strict && inconsistent.length > 0) throw new InvalidMetadataError(inconsistent);
  return new Compiler(model, options, inconsistent);
}

export { parseMetadata, resolveMetadata, checkMetadata, explainPlan };
export type { InconsistentObject };
export { explainText } from './explain/text.js';
export type { Catalog, ExplainJson, Metadata, Model, Plan, SessionInput, StrategyRequest, StreamCursor };
export { STREAM_CURSOR_KEY } from './ir/stream.js';
export { FarjoinError, MetadataError } from './errors.js';
export type { ErrorCode } from './errors.js';
