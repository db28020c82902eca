/**
 * Request limits the runtime enforces around the compiler (DESIGN.md §8 "pools stay
 * bounded, nothing leaks"): query depth, checked on the parsed document before any
 * lowering or planning; rows and bytes per response, counted *while* the work is done
 * (bytes as the sources send them, rows as the join core builds them, both again while
 * the response is serialised), so an oversized response stops early. Defaults and their
 * reasons: docs/operating-limits.md. Each limit is set by createEngine `limits`, else an
 * environment variable, else the default; 0 means no limit.
 *
 * Depth counts field levels: `{ orders { id user { name } } }` has depth 3 (`orders` 1,
 * `id`/`user` 2, `name` 3). Fragments count where they are spread; a fragment cycle
 * (rejected later by validation) counts as nothing here. Introspection fields (`__schema`,
 * `__type`) are not counted: their depth is bounded by the schema, not by the data.
 */
import {
  getOperationAST,
  Kind,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { FarjoinError } from '../compiler/errors.js';
import { MAX_TOKENS } from '../compiler/index.js';
import { checkDocument, DEFAULT_INPUT_BOUNDS, type InputBounds } from '../compiler/input-bounds.js';

/** The four per-request work limits (docs/operating-limits.md). */
export interface WorkLimits {
  readonly maxDepth: number;
  readonly maxRows: number;
  readonly maxResponseBytes: number;
  readonly statementTimeoutMs: number;
}

export const DEFAULT_WORK_LIMITS: WorkLimits = {
  maxDepth: 15,
  maxRows: 100_000,
  maxResponseBytes: 16 * 1024 * 1024,
  statementTimeoutMs: 30_000,
};

/** How each limit is named on the command line, in the environment and in createEngine. */
export const LIMIT_NAMES: Readonly<Record<keyof WorkLimits, { flag: string; env: string }>> = {
  maxDepth: { flag: '--max-depth', env: 'FARJOIN_MAX_DEPTH' },
  maxRows: { flag: '--max-rows', env: 'FARJOIN_MAX_ROWS' },
  maxResponseBytes: { flag: '--max-response-bytes', env: 'FARJOIN_MAX_RESPONSE_BYTES' },
  statementTimeoutMs: { flag: '--statement-timeout', env: 'FARJOIN_STATEMENT_TIMEOUT_MS' },
};

/** "raise it with --max-rows, FARJOIN_MAX_ROWS or limits.maxRows (0: no limit)". */
export function howToRaise(limit: keyof WorkLimits): string {
  const n = LIMIT_NAMES[limit];
  return `raise it with ${n.flag}, ${n.env} or createEngine limits.${limit} (0: no limit)`;
}

/** A limit's value from a flag or an environment variable: a whole number ≥ 0. */
export function parseLimit(limit: keyof WorkLimits, text: string, from: string): number {
  const n = Number(text.trim().replace(/_/g, ''));
  if (text.trim() === '' || !Number.isSafeInteger(n) || n < 0) {
    throw new FarjoinError('invalid-configuration', `${from} must be a whole number ≥ 0 (0: no limit), got "${text}"`);
  }
  return n;
}

/** Given limits first, then the environment, then the defaults; 0 (no limit) becomes Infinity. */
export function resolveWorkLimits(given: Partial<WorkLimits>, env: NodeJS.ProcessEnv): WorkLimits {
  const out = { ...DEFAULT_WORK_LIMITS } as { -readonly [K in keyof WorkLimits]: number };
  for (const key of Object.keys(DEFAULT_WORK_LIMITS) as (keyof WorkLimits)[]) {
    const fromEnv = env[LIMIT_NAMES[key].env];
    const value = given[key] ?? (fromEnv !== undefined && fromEnv !== '' ? parseLimit(key, fromEnv, LIMIT_NAMES[key].env) : out[key]);
    if (!Number.isFinite(value) && value !== Infinity || value < 0) {
      throw new FarjoinError('invalid-configuration', `limits.${key} must be a number ≥ 0 (0: no limit), got ${String(value)}`);
    }
    out[key] = value === 0 ? Infinity : value;
  }
  return out;
}

/**
 * Parses `query` only to measure it; an unparseable query is left to the compiler to
 * report. The caller has bounded the text's nesting (checkDocumentText); the document's
 * fragments are bounded here before the measure below recurses through them.
 */
export function checkQueryDepth(query: string, operationName: string | null | undefined, maxDepth: number, bounds: InputBounds = DEFAULT_INPUT_BOUNDS): void {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: MAX_TOKENS, noLocation: true });
  } catch {
    return;
  }
  checkDocument(document, bounds);
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const measure = new DepthMeasure(fragments);
  const depth = measure.depth(operation.selectionSet);
  if (depth <= maxDepth) return;
  const path = measure.deepestPath(operation.selectionSet, maxDepth + 1);
  throw new FarjoinError('validation-failed',
    `the query has depth ${depth}, more than the limit of ${maxDepth}; request fewer nested levels, or ${howToRaise('maxDepth')}`,
    { path: `$.selectionSet.${path.join('.selectionSet.')}` });
}

class DepthMeasure {
  private readonly memo = new Map<string, number>();
  private readonly visiting = new Set<string>();

  constructor(private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>) {}

  /** Field levels below and including this selection set (memoised per fragment). */
  depth(set: SelectionSetNode): number {
    let max = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        // Introspection is as deep as the schema lets it be, not the data: GraphiQL's own query is 15 levels.
        if (s.name.value === '__schema' || s.name.value === '__type') continue;
        max = Math.max(max, 1 + (s.selectionSet ? this.depth(s.selectionSet) : 0));
      }
      else if (s.kind === Kind.INLINE_FRAGMENT) max = Math.max(max, this.depth(s.selectionSet));
      else max = Math.max(max, this.fragmentDepth(s.name.value));
    }
    return max;
  }

  private fragmentDepth(name: string): number {
    const known = this.memo.get(name);
    if (known !== undefined) return known;
    const fragment = this.fragments.get(name);
    if (!fragment || this.visiting.has(name)) return 0;
    this.visiting.add(name);
    const d = this.depth(fragment.selectionSet);
    this.visiting.delete(name);
    this.memo.set(name, d);
    return d;
  }

  /** Response keys down the deepest branch, `levels` fields long. */
  deepestPath(set: SelectionSetNode, levels: number): string[] {
    const path: string[] = [];
    let current: SelectionSetNode | undefined = set;
    while (current && path.length < levels) {
      let best: { key: string; next: SelectionSetNode | undefined; depth: number } | undefined;
      const visit = (s: SelectionSetNode): void => {
        for (const sel of s.selections) {
          if (sel.kind === Kind.FIELD) {
            const d = 1 + (sel.selectionSet ? this.depth(sel.selectionSet) : 0);
            if (!best || d > best.depth) best = { key: sel.alias?.value ?? sel.name.value, next: sel.selectionSet, depth: d };
          } else if (sel.kind === Kind.INLINE_FRAGMENT) visit(sel.selectionSet);
          else {
            const f = this.fragments.get(sel.name.value);
            if (f && !this.visiting.has(f.name.value)) {
              this.visiting.add(f.name.value);
              visit(f.selectionSet);
              this.visiting.delete(f.name.value);
            }
          }
        }
      };
      visit(current);
      if (!best) break;
      path.push(best.key);
      current = best.next;
    }
    return path;
  }
}

export function rowLimitError(maxRows: number): FarjoinError {
  return new FarjoinError('validation-failed',
    `the response has more than ${maxRows} rows; narrow the query with where or limit, or ${howToRaise('maxRows')}`, { path: '$' });
}

export function byteLimitError(maxBytes: number, what = 'the response'): FarjoinError {
  return new FarjoinError('validation-failed',
    `${what} is larger than ${maxBytes} bytes; narrow the query with where or limit, or ${howToRaise('maxResponseBytes')}`, { path: '$' });
}

