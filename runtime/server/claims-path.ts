/**
 * The JSON paths of Hasura's JWT config (`claims_namespace_path`, `claims_map` paths):
 * `$`, `$.a.b`, `$.a[0]`, `$["odd key"]`, `$['odd key']` (DESIGN.md §6, headers row).
 *
 * Hasura's grammar (server `Data.Parser.JSONPath`): an optional `$`, then one or more
 * elements; a bare name starts with a letter or `_` and continues with letters, digits,
 * `-` or `_`; anything else goes in brackets. This differs from the jsonb `path` argument
 * (compiler/ir/json-path.ts), so it has its own parser.
 */

export type ClaimsPathElement = { readonly kind: 'key'; readonly key: string } | { readonly kind: 'index'; readonly index: number };
export type ClaimsPath = readonly ClaimsPathElement[];

const NAME_FIRST = /[\p{L}_]/u;
const NAME_REST = /[\p{L}0-9_-]/u;

/** Parses a path, or returns undefined when it does not follow Hasura's grammar. */
export function parseClaimsPath(text: string): ClaimsPath | undefined {
  if (text === '$') return [];
  const chars = Array.from(text);
  let i = chars[0] === '$' ? 1 : 0;
  const out: ClaimsPathElement[] = [];
  while (i < chars.length) {
    let j = i;
    if (chars[j] === '.') j++;
    if (chars[j] === '[') {
      const parsed = bracket(chars, j + 1);
      if (!parsed) return undefined;
      out.push(parsed.element);
      i = parsed.next;
      continue;
    }
    if (j >= chars.length || !NAME_FIRST.test(chars[j]!)) return undefined;
    let end = j + 1;
    while (end < chars.length && NAME_REST.test(chars[end]!)) end++;
    out.push({ kind: 'key', key: chars.slice(j, end).join('') });
    i = end;
  }
  return out.length === 0 ? undefined : out;
}

function bracket(chars: string[], start: number): { element: ClaimsPathElement; next: number } | undefined {
  const quote = chars[start];
  if (quote === '"' || quote === "'") {
    let key = '';
    let i = start + 1;
    while (i < chars.length && chars[i] !== quote) {
      if (chars[i] === '\\' && i + 1 < chars.length) i++;
      key += chars[i];
      i++;
    }
    if (chars[i] !== quote || chars[i + 1] !== ']') return undefined;
    return { element: { kind: 'key', key }, next: i + 2 };
  }
  let i = start;
  while (i < chars.length && /[0-9]/.test(chars[i]!)) i++;
  if (i === start || chars[i] !== ']') return undefined;
  return { element: { kind: 'index', index: Number(chars.slice(start, i).join('')) }, next: i + 1 };
}

/** The value at `path`, or undefined when some step does not exist. */
export function readClaimsPath(value: unknown, path: ClaimsPath): unknown {
  let current = value;
  for (const element of path) {
    if (element.kind === 'key') {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
      if (!Object.prototype.hasOwnProperty.call(current, element.key)) return undefined;
      current = (current as Record<string, unknown>)[element.key];
    } else {
      if (!Array.isArray(current) || element.index >= current.length) return undefined;
      current = current[element.index];
    }
  }
  return current;
}

/** Hasura's rendering of a path in error messages: `$.a[0]["odd key"]`. */
export function formatClaimsPath(path: ClaimsPath): string {
  let out = '$';
  for (const element of path) {
    if (element.kind === 'index') out += `[${element.index}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(element.key)) out += `.${element.key}`;
    else out += `[${JSON.stringify(element.key)}]`;
  }
  return out;
}
