/**
 * Input bounds (DESIGN.md §8 "bad input gets a clear error, never a crash"; issue 16):
 * every request is measured here BEFORE anything recursive touches it — graphql's parser,
 * validation, variable coercion, lowering, the plan-cache key — so that no input can
 * exhaust the stack. Each measure is iterative, and each bound has a `validation-failed`
 * error that names the limit and how to raise it.
 *
 * - document text: nesting of `{ [ (` (selection sets, object and list values, arguments),
 *   scanned over the raw text before `parse` (strings and comments skipped);
 * - document: fields with fragments expanded (aliases included: each alias is a field),
 *   and nesting with fragments expanded, measured per fragment in dependency order, so a
 *   chain or a cycle of fragments is no deeper than the operation that spreads it;
 * - variables: depth and number of values of the JSON variables.
 */
import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { FarjoinError } from './errors.js';
import { fragmentCycleError } from './graphql-errors.js';

export interface InputBounds {
  /** Deepest nesting of `{`, `[` and `(` in a document, fragments expanded. */
  readonly maxNesting: number;
  /** Most fields (each alias counts) in a document, fragments expanded. */
  readonly maxFields: number;
  /** Deepest nesting of objects and lists in the variables. */
  readonly maxVariableDepth: number;
  /** Most values (scalars, objects, lists) in the variables. */
  readonly maxVariableValues: number;
}

export const DEFAULT_INPUT_BOUNDS: InputBounds = {
  maxNesting: 128,
  maxFields: 2000,
  maxVariableDepth: 64,
  maxVariableValues: 1_000_000,
};

function tooMuch(what: string, limit: number, option: string, path: string): FarjoinError {
  return new FarjoinError('validation-failed', `${what} exceeds the limit of ${limit} (limits.${option}); ${hint(option)}`, { path });
}

function hint(option: string): string {
  switch (option) {
    case 'maxFields':
      return 'split the request, or raise it with --max-fields / FARJOIN_MAX_FIELDS';
    case 'maxNesting':
      return 'flatten the query (nested _and/_or can be one list)';
    default:
      return 'send fewer or flatter variables';
  }
}

/** The nesting of `{ [ (` in GraphQL text, strings and comments skipped; throws past `max`. */
export function checkDocumentText(text: string, max = DEFAULT_INPUT_BOUNDS.maxNesting): void {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x23 /* # */) {
      while (i < n && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
    } else if (c === 0x22 /* " */) {
      if (text.startsWith('"""', i)) i = blockStringEnd(text, i + 3);
      else {
        for (i++; i < n; i++) {
          const d = text.charCodeAt(i);
          if (d === 0x5c) i++;
          else if (d === 0x22 || d === 0x0a) break;
        }
      }
    } else if (c === 0x7b || c === 0x5b || c === 0x28) {
      if (++depth > max) throw tooMuch('the nesting of {, [ and ( in the query', max, 'maxNesting', '$.query');
    } else if (c === 0x7d || c === 0x5d || c === 0x29) {
      if (depth > 0) depth--;
    }
  }
}

/** Index of the last quote of a block string whose body starts at `from` (escaped `\"""` skipped). */
function blockStringEnd(text: string, from: number): number {
  let i = from;
  for (;;) {
    const end = text.indexOf('"""', i);
    if (end < 0) return text.length;
    if (text.charCodeAt(end - 1) === 0x5c) {
      i = end + 3;
      continue;
    }
    return end + 2;
  }
}

export interface DocumentMeasure {
  /** Most fields of one operation, fragments expanded (saturates just past the limit). */
  readonly fields: number;
  /** Deepest nesting of selection sets and values, fragments expanded. */
  readonly nesting: number;
}

interface SetMeasure {
  fields: number;
  nesting: number;
  /** Fragment spreads inside, with the nesting at which each is spread. */
  spreads: { name: string; at: number }[];
}

/**
 * Fields and nesting of a document with its fragments expanded, computed per fragment in
 * dependency order (Kahn's algorithm) instead of by recursing through spreads; a fragment
 * cycle is rejected here with graphql's wording. The walk inside one definition recurses
 * at most `maxNesting` deep, which `checkDocumentText` guaranteed.
 */
export function checkDocument(document: DocumentNode, bounds: InputBounds = DEFAULT_INPUT_BOUNDS): DocumentMeasure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const cap = bounds.maxFields + 1;
  const own = new Map<string, SetMeasure>();
  for (const [name, f] of fragments) own.set(name, measureSet(f.selectionSet, cap));
  // Kahn: a fragment is measured once every fragment it spreads is.
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [name, m] of own) {
    const targets = new Set(m.spreads.map((s) => s.name).filter((t) => fragments.has(t)));
    waiting.set(name, targets.size);
    for (const t of targets) {
      const list = dependents.get(t) ?? [];
      list.push(name);
      dependents.set(t, list);
    }
  }
  const done = new Map<string, DocumentMeasure>();
  const ready = [...waiting].filter(([, n]) => n === 0).map(([name]) => name);
  while (ready.length > 0) {
    const name = ready.pop()!;
    done.set(name, expand(own.get(name)!, done, cap));
    for (const d of dependents.get(name) ?? []) {
      const left = waiting.get(d)! - 1;
      waiting.set(d, left);
      if (left === 0) ready.push(d);
    }
  }
  for (const name of fragments.keys()) {
    if (!done.has(name)) {
      // A cycle (or a fragment only reachable through one): Hasura's words and path when an operation meets it.
      throw fragmentCycleError(document) ?? new FarjoinError('validation-failed', `Cannot spread fragment "${name}" within itself.`, { path: '$.query' });
    }
  }
  let fields = 0;
  let nesting = 0;
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    const m = expand(measureSet(d.selectionSet, cap), done, cap);
    fields = Math.max(fields, m.fields);
    nesting = Math.max(nesting, m.nesting);
  }
  for (const m of done.values()) nesting = Math.max(nesting, m.nesting);
  if (nesting > bounds.maxNesting) throw tooMuch('the nesting of the query with its fragments expanded', bounds.maxNesting, 'maxNesting', '$.query');
  if (fields > bounds.maxFields) throw tooMuch('the number of fields in the query (each alias counted, fragments expanded)', bounds.maxFields, 'maxFields', '$.query');
  return { fields, nesting };
}

function expand(m: SetMeasure, done: ReadonlyMap<string, DocumentMeasure>, cap: number): DocumentMeasure {
  let fields = m.fields;
  let nesting = m.nesting;
  for (const s of m.spreads) {
    const f = done.get(s.name);
    if (!f) continue; // unknown fragment: validation reports it
    fields = Math.min(cap, fields + f.fields);
    nesting = Math.max(nesting, s.at + f.nesting);
  }
  return { fields, nesting };
}

/** Own fields and nesting of one selection set (spreads listed, not followed). */
function measureSet(root: SelectionSetNode, cap: number): SetMeasure {
  const out: SetMeasure = { fields: 0, nesting: 1, spreads: [] };
  const stack: { set: SelectionSetNode; at: number }[] = [{ set: root, at: 1 }];
  while (stack.length > 0) {
    const { set, at } = stack.pop()!;
    out.nesting = Math.max(out.nesting, at);
    for (const s of set.selections) {
      if (s.kind === Kind.FRAGMENT_SPREAD) out.spreads.push({ name: s.name.value, at });
      else if (s.kind === Kind.INLINE_FRAGMENT) stack.push({ set: s.selectionSet, at });
      else {
        if (out.fields < cap) out.fields++;
        if (s.selectionSet) stack.push({ set: s.selectionSet, at: at + 1 });
      }
    }
  }
  return out;
}

/** Depth and number of values of the variables, iteratively; throws past the bounds. */
export function checkVariables(variables: unknown, bounds: InputBounds = DEFAULT_INPUT_BOUNDS): void {
  if (variables === null || typeof variables !== 'object') return;
  const stack: { v: object; depth: number }[] = [{ v: variables, depth: 1 }];
  let values = 0;
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (depth > bounds.maxVariableDepth) {
      throw tooMuch('the nesting of the variables', bounds.maxVariableDepth, 'maxVariableDepth', '$.variableValues');
    }
    const items = Array.isArray(v) ? v : Object.values(v);
    values += items.length;
    if (values > bounds.maxVariableValues) {
      throw tooMuch('the number of values in the variables', bounds.maxVariableValues, 'maxVariableValues', '$.variableValues');
    }
    for (const item of items) if (item !== null && typeof item === 'object') stack.push({ v: item as object, depth: depth + 1 });
  }
}
