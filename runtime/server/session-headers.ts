/**
 * Request headers as session resolution reads them (DESIGN.md §6, headers row): names
 * compared case-insensitively, every value kept in arrival order.
 *
 * Node's HTTP parser already lower-cases names and joins repeated headers, but library
 * callers pass any record (`{ 'X-Hasura-Role': … }`, arrays), so both are normalised here.
 * Where a name occurs more than once, readers take the first value.
 */

export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** Lower-cased name → values in order. */
export type HeaderMap = ReadonlyMap<string, readonly string[]>;

export function headerMap(headers: RequestHeaders): HeaderMap {
  const out = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (typeof v !== 'string') continue;
      const key = name.toLowerCase();
      const list = out.get(key);
      if (list) list.push(v);
      else out.set(key, [v]);
    }
  }
  return out;
}

export function firstHeader(headers: HeaderMap, name: string): string | undefined {
  return headers.get(name)?.[0];
}

export const ADMIN_SECRET_HEADER = 'x-hasura-admin-secret';
/** Hasura's deprecated name for the admin secret header, still honoured. */
export const ACCESS_KEY_HEADER = 'x-hasura-access-key';
export const ROLE_HEADER = 'x-hasura-role';

/** Hasura's test for a session variable: the `x-hasura-` prefix, in any case. */
export function isSessionVariable(name: string): boolean {
  return name.toLowerCase().startsWith('x-hasura-');
}

/** Every `x-hasura-*` header (first value of each) as a session variable. */
export function headerSessionVariables(headers: HeaderMap): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [name, values] of headers) {
    if (isSessionVariable(name) && values[0] !== undefined) variables[name] = values[0];
  }
  return variables;
}
