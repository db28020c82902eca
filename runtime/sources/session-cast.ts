/**
 * A session value that does not cast (issue 16): permission filters bind `X-Hasura-*`
 * values as parameters cast to the column type (compiler/permissions/filters.ts), so a
 * value the type cannot hold fails the statement with a data exception — the filter never
 * widens. The caller then learns which session variable was at fault, on which source.
 *
 * Postgres quotes the offending input (`invalid input syntax for type integer: "abc"`,
 * `value "99999999999" is out of range for type integer`); a session variable is blamed
 * when its value was bound in the statement and is (or, for an array literal such as
 * `{1,x}`, contains) the quoted input.
 */
import { FarjoinError } from '../../compiler/errors.js';

interface PgDetail {
  readonly source?: string;
  readonly message?: string;
}

/** The inputs Postgres quotes in its message. */
function quoted(message: string): string[] {
  return [...message.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? '');
}

/** The parts of a Postgres array literal (`{1,2,"a b"}`), or the value itself. */
function parts(value: string): string[] {
  const v = value.trim();
  if (!v.startsWith('{') || !v.endsWith('}')) return [value];
  return [value, ...v.slice(1, -1).split(',').map((p) => p.trim().replace(/^"(.*)"$/, '$1'))];
}

/** Whether `value` was bound, alone or as an element of an array parameter. */
function bound(values: readonly unknown[], value: string): boolean {
  return values.some((v) => v === value || (Array.isArray(v) && v.includes(value)));
}

export function sessionValueError(e: unknown, values: readonly unknown[], variables: Readonly<Record<string, string>>): FarjoinError | undefined {
  if (!(e instanceof FarjoinError) || e.code !== 'data-exception') return undefined;
  const detail = (e.internal ?? {}) as PgDetail;
  const inputs = new Set(quoted(detail.message ?? ''));
  const blamed = Object.entries(variables)
    .filter(([, v]) => bound(values, v) && parts(v).some((p) => inputs.has(p)))
    .map(([name]) => `"${name}"`);
  if (blamed.length === 0) return undefined;
  const which = blamed.length === 1 ? `session variable ${blamed[0]}` : `session variables ${blamed.join(', ')}`;
  return new FarjoinError('invalid-session-value', `invalid value for ${which} on source "${detail.source ?? '?'}": ${detail.message ?? 'it does not fit the column type'}`, { ...(e.path !== undefined ? { path: e.path } : {}), internal: e.internal, cause: e });
}
