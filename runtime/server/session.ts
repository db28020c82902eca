/**
 * Request sessions from Hasura headers (DESIGN.md §6 headers row, §8): who is asking, as
 * which role, with which `x-hasura-*` session variables. The rules are Hasura v2's
 * (server `Hasura.Server.Auth.getUserInfoWithExpTime_`, `Hasura.Session.mkUserInfo`):
 *
 * - No admin secret configured: every request is admin, unless `x-hasura-role` names
 *   another role; all `x-hasura-*` headers are session variables.
 * - Admin secret configured, and `x-hasura-admin-secret` (or the deprecated
 *   `x-hasura-access-key`) sent: it must match; then as above (admin, or the role header).
 * - Admin secret configured, none sent: JWT mode if configured (no token → the
 *   unauthorized role, else an error); otherwise the unauthorized role if configured
 *   (its `x-hasura-*` headers are its session variables, as in Hasura); otherwise refused.
 * - JWT and an unauthorized role both require an admin secret: Hasura refuses to start
 *   without one, and so does every request here.
 *
 * The role is admin exactly when it is named `admin`, wherever it came from (Hasura's
 * `isAdmin`). `variables` never holds the admin secret and always holds `x-hasura-role`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { FarjoinError } from '../../compiler/errors.js';
import { authenticateJwt } from './jwt.js';
import type { JwtConfig } from './jwt-config.js';
import {
  ACCESS_KEY_HEADER,
  ADMIN_SECRET_HEADER,
  firstHeader,
  headerMap,
  headerSessionVariables,
  ROLE_HEADER,
  type RequestHeaders,
} from './session-headers.js';

export { parseJwtConfig, type JwtConfig } from './jwt-config.js';

export interface Session {
  readonly admin: boolean;
  readonly role: string;
  /** Lower-cased `x-hasura-*` names → text; always includes `x-hasura-role`. */
  readonly variables: Readonly<Record<string, string>>;
  /** A JWT session's `exp` (seconds since the epoch): subscriptions end then (runtime/live/). */
  readonly expiresAt?: number;
}

export interface SessionOptions {
  readonly adminSecret?: string | undefined;
  /** From FARJOIN_JWT_SECRET (Hasura's JWT config JSON), see `parseJwtConfig`. */
  readonly jwt?: JwtConfig | undefined;
  /** Hasura's HASURA_GRAPHQL_UNAUTHORIZED_ROLE: the role of requests without credentials. */
  readonly unauthorizedRole?: string | undefined;
}

export const ADMIN_ROLE = 'admin';

function refuse(code: 'access-denied' | 'invalid-headers', message: string): never {
  throw new FarjoinError(code, message, { path: '$' });
}

function misconfigured(what: string): never {
  throw new FarjoinError('invalid-configuration', `${what} requires --admin-secret (FARJOIN_ADMIN_SECRET) to be set`, { path: '$' });
}

/**
 * Compares through SHA-512 digests, as Hasura does: equal-length inputs for
 * `timingSafeEqual`, so neither the secret's length nor its content leaks through timing.
 */
function secretMatches(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha512').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function session(role: string, variables: Readonly<Record<string, string>>, expiresAt?: number): Session {
  const vars: Record<string, string> = { ...variables };
  delete vars[ADMIN_SECRET_HEADER];
  delete vars[ACCESS_KEY_HEADER];
  vars[ROLE_HEADER] = role;
  return Object.freeze({ admin: role === ADMIN_ROLE, role, variables: Object.freeze(vars), ...(expiresAt !== undefined ? { expiresAt } : {}) });
}

/** Admin, or the role named by a non-empty `x-hasura-role` header. */
function fromHeaders(variables: Readonly<Record<string, string>>): Session {
  const requested = variables[ROLE_HEADER];
  return session(requested !== undefined && requested !== '' ? requested : ADMIN_ROLE, variables);
}

/**
 * Hasura's backend-only mutation permissions are for requests that carry the admin secret:
 * elsewhere (JWT, unauthorized role) the header that asks for them is dropped.
 */
function withoutBackendOnly(variables: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  if (!('x-hasura-use-backend-only-permissions' in variables)) return variables;
  const { 'x-hasura-use-backend-only-permissions': _dropped, ...rest } = variables;
  return rest;
}

export async function resolveSession(headers: RequestHeaders, options: SessionOptions): Promise<Session> {
  const adminSecret = options.adminSecret !== '' ? options.adminSecret : undefined;
  const unauthorizedRole = options.unauthorizedRole !== '' ? options.unauthorizedRole : undefined;
  if (adminSecret === undefined) {
    if (options.jwt !== undefined) misconfigured('JWT mode (FARJOIN_JWT_SECRET)');
    if (unauthorizedRole !== undefined) misconfigured('--unauthorized-role');
  }

  const map = headerMap(headers);
  const headerVariables = headerSessionVariables(map);
  if (adminSecret === undefined) return fromHeaders(headerVariables);

  const sent = firstHeader(map, ADMIN_SECRET_HEADER) ?? firstHeader(map, ACCESS_KEY_HEADER);
  if (sent !== undefined) {
    if (!secretMatches(sent, adminSecret)) refuse('access-denied', `invalid ${ADMIN_SECRET_HEADER}/${ACCESS_KEY_HEADER}`);
    return fromHeaders(headerVariables);
  }

  if (options.jwt !== undefined) {
    const identity = await authenticateJwt(options.jwt, map);
    if (identity !== undefined) return session(identity.role, withoutBackendOnly(identity.claims), identity.expiresAt);
    if (unauthorizedRole !== undefined) return session(unauthorizedRole, withoutBackendOnly(headerVariables));
    return refuse('invalid-headers', "Missing 'Authorization' or 'Cookie' header in JWT authentication mode");
  }
  if (unauthorizedRole !== undefined) return session(unauthorizedRole, withoutBackendOnly(headerVariables));
  return refuse('access-denied', `${ADMIN_SECRET_HEADER}/${ACCESS_KEY_HEADER} required, but not found`);
}
