/**
 * Request limits the runtime enforces around the compiler (DESIGN.md §8 "pools stay
 * bounded, nothing leaks"): query depth, checked on the parsed document before any
 * lowering or planning, and rows per response, checked on the materialised data.
 *
 * Depth counts field levels: `{ orders { id user { name } } }` has depth 3 (`orders` 1,
 * `id`/`user` 2, `name` 3). Fragments count where they are spread; a fragment cycle
 * (rejected later by validation) counts as nothing here.
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

export interface DepthLimitOptions {
  readonly maxDepth: number;
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
    `the query has depth ${depth}, more than the limit of ${maxDepth} (limits.maxDepth); request fewer nested levels`,
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
      if (s.kind === Kind.FIELD) max = Math.max(max, 1 + (s.selectionSet ? this.depth(s.selectionSet) : 0));
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

/**
 * Rows in a response: every element of every list, at any level. Stops counting once
 * past `limit`, so an oversized response costs no more than `limit` steps to reject.
 */
export function countRows(value: unknown, limit = Infinity): number {
  let n = 0;
  const visit = (v: unknown): void => {
    if (n > limit || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const item of v) {
        if (item !== null && typeof item === 'object') {
          n++;
          visit(item);
          if (n > limit) return;
        }
      }
      return;
    }
    for (const k in v) visit((v as Record<string, unknown>)[k]);
  };
  visit(value);
  return n;
}

export function rowLimitError(maxRows: number): FarjoinError {
  return new FarjoinError('validation-failed',
    `the response has more than ${maxRows} rows (limits.maxRows); narrow the query with where or limit`, { path: '$' });
}
