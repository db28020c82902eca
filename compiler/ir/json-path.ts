/**
 * Hasura's `path` argument on json/jsonb columns: `$.a.b[0]`, `a.b`, `$["odd key"][1]`,
 * `a.[0].["key"]` (a dot before a bracket).
 * Returns the path elements for Postgres's `#>` operator (bound as a text[] parameter).
 */
import { FarjoinError } from '../errors.js';

export function parseJsonPath(path: string, errorPath: string): string[] {
  const fail = (why: string): never => {
    throw new FarjoinError('validation-failed', `invalid JSON path "${path}": ${why}`, { path: errorPath });
  };
  let i = 0;
  const out: string[] = [];
  if (path.startsWith('$')) i = 1;
  else if (path.length > 0 && path[0] !== '[' && path[0] !== '.') {
    // A leading bare key: `a.b` means `$.a.b`.
    path = `.${path}`;
  }
  while (i < path.length) {
    const ch = path[i];
    if (ch === '.' && path[i + 1] === '[') {
      // Hasura also takes a bracket after a dot: `objs.[0].["key"]`.
      i += 1;
    } else if (ch === '.') {
      const m = /^[^.[\]]+/.exec(path.slice(i + 1));
      if (!m) fail(`expected a key after "." at position ${i}`);
      out.push(m![0]);
      i += 1 + m![0].length;
    } else if (ch === '[') {
      const rest = path.slice(i);
      const index = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\[(["'])((?:(?!\1).)*)\1\]/.exec(rest);
      if (index) {
        out.push(index[1]!);
        i += index[0].length;
      } else if (quoted) {
        out.push(quoted[2]!);
        i += quoted[0].length;
      } else fail(`expected [n] or ["key"] at position ${i}`);
    } else fail(`unexpected "${ch}" at position ${i}`);
  }
  return out;
}
