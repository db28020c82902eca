/**
 * JWT mode (DESIGN.md §6, headers row): the token → the role and `x-hasura-*` claims, as
 * Hasura v2 does it (server `Hasura.Server.Auth.JWT.processJwt_`). In order:
 *
 *   1. Find the token where the config says (Authorization: Bearer, a cookie, a header).
 *      None → the caller falls back to the unauthorized role. Two → error.
 *   2. If an issuer is configured and the token names another one, stop (Hasura checks
 *      this before the signature).
 *   3. Verify the signature with `jose`, restricted to the algorithms of the configured key.
 *   4. Validate the registered claims in Hasura's order: exp, nbf, iss, aud (a claim the
 *      token does not carry is not checked, as in Hasura's JOSE library).
 *   5. Find the Hasura claims (namespace key, namespace path, or claims_map), keep the
 *      `x-hasura-*` ones, read `x-hasura-allowed-roles` and `x-hasura-default-role`.
 *   6. The role is the `x-hasura-role` header if given, else the default role; it must be
 *      one of the allowed roles.
 *   7. The other claims become session variables. Their values must be strings in Hasura;
 *      farjoin also accepts numbers (decimal text) and arrays (Postgres array literals,
 *      `{1,2}`), which Hasura users have asked for (hasura/graphql-engine#1902).
 *
 * Error messages are Hasura's, e.g. `Could not verify JWT: JWTExpired`.
 */
import { compactVerify } from 'jose';
import { FarjoinError, type ErrorCode } from '../../compiler/errors.js';
import { formatClaimsPath, readClaimsPath } from './claims-path.js';
import type { JwtClaimsMapValue, JwtConfig } from './jwt-config.js';
import { firstHeader, isSessionVariable, ROLE_HEADER, type HeaderMap } from './session-headers.js';

const ALLOWED_ROLES = 'x-hasura-allowed-roles';
const DEFAULT_ROLE = 'x-hasura-default-role';
const REGISTERED_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti']);

/**
 * Hasura answers a missing role claim with `jwt-missing-role-claims`; this code list has no
 * such entry yet, so the nearest one is used (see the session report in issue 5).
 */
const MISSING_ROLE_CLAIM_CODE: ErrorCode = 'jwt-invalid-claims';

export interface JwtIdentity {
  readonly role: string;
  /** Lower-cased `x-hasura-*` claims as text, without the role claims. */
  readonly claims: Readonly<Record<string, string>>;
  /** The token's `exp`, in seconds since the epoch. */
  readonly expiresAt?: number;
}

function fail(code: ErrorCode, message: string): never {
  throw new FarjoinError(code, message, { path: '$' });
}

function notVerified(detail: string): never {
  return fail('invalid-jwt', `Could not verify JWT: ${detail}`);
}

/**
 * The identity in the request's token, or undefined when the request carries no token
 * where the config looks for one. `now` is in seconds since the epoch.
 */
export async function authenticateJwt(config: JwtConfig, headers: HeaderMap, now: number = Date.now() / 1000): Promise<JwtIdentity | undefined> {
  const token = findToken(config, headers);
  if (token === undefined) return undefined;
  const payload = await verifyJwt(config, token, now);
  const claims = hasuraClaims(config, payload);
  const allowedRoles = roleList(claims.get(ALLOWED_ROLES), 'invalid x-hasura-allowed-roles; should be a list of roles');
  const defaultRole = roleName(claims.get(DEFAULT_ROLE), 'invalid x-hasura-default-role; should be a single role name');
  const requested = firstHeader(headers, ROLE_HEADER);
  const role = requested !== undefined && requested !== '' ? requested : defaultRole;
  if (!allowedRoles.includes(role)) fail('access-denied', 'Your requested role is not in allowed roles');
  const text: Record<string, string> = {};
  for (const [name, value] of claims) {
    if (name === ALLOWED_ROLES || name === DEFAULT_ROLE) continue;
    text[name] = claimText(name, value);
  }
  return { role, claims: text, ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp } : {}) };
}

// ── 1. Where the token is ────────────────────────────────────────────────────────────

function findToken(config: JwtConfig, headers: HeaderMap): string | undefined {
  const location = config.location;
  let found: string[];
  if (location.kind === 'authorization') found = [...(headers.get('authorization') ?? [])];
  else if (location.kind === 'custom-header') found = [...(headers.get(location.name) ?? [])];
  else found = (headers.get('cookie') ?? []).flatMap((h) => cookieValues(h, location.name));
  if (found.length === 0) return undefined;
  if (found.length > 1) fail('invalid-headers', 'Could not verify JWT: Multiple JWTs found');
  const value = found[0]!;
  if (location.kind !== 'authorization') return value;
  const words = value.split(/[ \t\n\r\f\v]+/).filter((w) => w !== '');
  if (words.length !== 2 || words[0] !== 'Bearer') fail('invalid-headers', 'Malformed Authorization header');
  return words[1]!;
}

function cookieValues(header: string, name: string): string[] {
  const out: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) out.push(part.slice(eq + 1).trim());
  }
  return out;
}

// ── 2–4. Verification ────────────────────────────────────────────────────────────────

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function base64url(part: string): Buffer | undefined {
  return BASE64URL.test(part) && part.length % 4 !== 1 ? Buffer.from(part, 'base64url') : undefined;
}

function jsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function verifyJwt(config: JwtConfig, token: string, now: number): Promise<Record<string, unknown>> {
  const parts = token.split('.');
  // Hasura compares the issuer before anything else, from the unverified payload.
  if (config.issuer !== undefined && parts.length >= 3) {
    const unverified = base64url(parts[1]!);
    const iss = unverified === undefined ? undefined : jsonObject(unverified)?.iss;
    if (typeof iss === 'string' && iss !== config.issuer) notVerified('JWTNotInIssuer');
  }
  if (parts.length !== 3) notVerified(`JWSError (CompactDecodeError Invalid number of parts: Expected 3 parts; got ${parts.length})`);
  const headerBytes = base64url(parts[0]!);
  if (headerBytes === undefined) notVerified('JWSError (JSONDecodeError "Not valid base64url")');
  const header = jsonObject(headerBytes);
  if (header === undefined || typeof header.alg !== 'string') notVerified('JWSError (JSONDecodeError "protected header contains invalid JSON")');

  // An algorithm the key cannot verify (another family, `none`) fails like a bad signature,
  // as it does in Hasura.
  if (!config.algorithms.includes(header.alg)) notVerified('JWSError JWSInvalidSignature');
  let payloadBytes: Uint8Array;
  try {
    payloadBytes = (await compactVerify(token, config.key, { algorithms: [...config.algorithms] })).payload;
  } catch {
    return notVerified('JWSError JWSInvalidSignature');
  }
  const payload = jsonObject(Buffer.from(payloadBytes));
  if (payload === undefined) notVerified('JWTClaimsSetDecodeError "Error in $: expected a JSON object"');
  validateRegisteredClaims(config, payload, now);
  return payload;
}

function claimsSetError(claim: string, expected: string): never {
  return notVerified(`JWTClaimsSetDecodeError "Error in $['${claim}']: expected ${expected}"`);
}

function validateRegisteredClaims(config: JwtConfig, claims: Record<string, unknown>, now: number): void {
  const num = (name: string): number | undefined => {
    const v = claims[name];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'number' && Number.isFinite(v) ? v : claimsSetError(name, 'Number');
  };
  const str = (name: string): string | undefined => {
    const v = claims[name];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' ? v : claimsSetError(name, 'String');
  };
  const iss = str('iss');
  str('sub');
  str('jti');
  const exp = num('exp');
  const nbf = num('nbf');
  num('iat');
  const audRaw = claims.aud;
  let aud: string[] | undefined;
  if (typeof audRaw === 'string') aud = [audRaw];
  else if (Array.isArray(audRaw) && audRaw.every((a) => typeof a === 'string')) aud = audRaw as string[];
  else if (audRaw !== undefined && audRaw !== null) claimsSetError('aud', 'String or Array of String');

  const skew = config.allowedSkewSeconds;
  if (exp !== undefined && !(now < exp + skew)) notVerified('JWTExpired');
  if (nbf !== undefined && !(now >= nbf - skew)) notVerified('JWTNotYetValid');
  if (config.issuer !== undefined && iss !== undefined && iss !== config.issuer) notVerified('JWTNotInIssuer');
  if (aud !== undefined) {
    const audience = config.audience;
    if (!aud.some((a) => audience === undefined || audience.includes(a))) notVerified('JWTNotInAudience');
  }
}

// ── 5. The Hasura claims ─────────────────────────────────────────────────────────────

/** Lower-cased `x-hasura-*` name → JSON value (later duplicates win, as in Hasura). */
function hasuraClaims(config: JwtConfig, payload: Record<string, unknown>): Map<string, unknown> {
  const claims = config.claims;
  if (claims.kind === 'map') return mappedClaims(claims, payload);
  // Null prototype: a `__proto__` claim stays an ordinary key.
  const unregistered: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(payload)) if (!REGISTERED_CLAIMS.has(k)) unregistered[k] = v;
  const ns = claims.namespace;
  const location = ns.kind === 'key' ? `claims_namespace ${ns.key}` : `claims_namespace_path ${formatClaimsPath(ns.path)}`;
  const value =
    ns.kind === 'key'
      ? Object.prototype.hasOwnProperty.call(unregistered, ns.key)
        ? unregistered[ns.key]
        : undefined
      : readClaimsPath(unregistered, ns.path);
  if (value === undefined) {
    fail('jwt-invalid-claims', ns.kind === 'key' ? `claims key: '${ns.key}' not found` : `claims not found at claims_namespace_path: '${formatClaimsPath(ns.path)}'`);
  }
  let object: unknown = value;
  if (claims.format === 'stringified_json') {
    if (typeof value !== 'string') fail('jwt-invalid-claims', 'expecting a string when claims_format is stringified_json');
    const parsed = jsonObject(Buffer.from(value, 'utf8'));
    if (parsed === undefined) fail('jwt-invalid-claims', `expecting stringified json at: '${location}', but found: ${value}`);
    object = parsed;
  } else if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('jwt-invalid-claims', 'expecting a json object when claims_format is json');
  }
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(object as Record<string, unknown>)) {
    if (isSessionVariable(k)) out.set(k.toLowerCase(), v);
  }
  return out;
}

function mappedClaims(claims: Extract<JwtConfig['claims'], { kind: 'map' }>, payload: Record<string, unknown>): Map<string, unknown> {
  const lookup = <T>(value: JwtClaimsMapValue<T>): unknown => {
    if (value.kind === 'static') return value.value;
    const found = readClaimsPath(payload, value.path);
    return found !== undefined ? found : value.default;
  };
  const allowed = lookup(claims.allowedRoles);
  if (allowed === undefined) fail(MISSING_ROLE_CLAIM_CODE, `JWT claim does not contain ${ALLOWED_ROLES}`);
  roleList(allowed, `invalid ${ALLOWED_ROLES}; should be a list of roles`);
  const defaultRole = lookup(claims.defaultRole);
  if (defaultRole === undefined) fail(MISSING_ROLE_CLAIM_CODE, `JWT claim does not contain ${DEFAULT_ROLE}`);
  roleName(defaultRole, `invalid ${DEFAULT_ROLE}; should be a role`);
  const out = new Map<string, unknown>([
    [ALLOWED_ROLES, allowed],
    [DEFAULT_ROLE, defaultRole],
  ]);
  for (const [name, value] of claims.others) {
    const found = lookup(value);
    if (found === undefined) fail('jwt-invalid-claims', `JWT claim from claims_map, ${name} not found`);
    out.set(name, found);
  }
  return out;
}

/** Aeson's name for a JSON value's kind, for Hasura's parse error messages. */
function jsonKind(v: unknown): string {
  if (v === null) return 'Null';
  if (Array.isArray(v)) return 'Array';
  switch (typeof v) {
    case 'string':
      return 'String';
    case 'number':
      return 'Number';
    case 'boolean':
      return 'Boolean';
    default:
      return 'Object';
  }
}

function roleName(v: unknown, context: string): string {
  if (v === undefined) fail(MISSING_ROLE_CLAIM_CODE, `JWT claim does not contain ${DEFAULT_ROLE}`);
  if (typeof v !== 'string') fail('jwt-invalid-claims', `${context}: parsing String failed, expected String, but encountered ${jsonKind(v)}`);
  if (v === '') fail('jwt-invalid-claims', `${context}: empty string not allowed`);
  return v;
}

function roleList(v: unknown, context: string): string[] {
  if (v === undefined) fail(MISSING_ROLE_CLAIM_CODE, `JWT claim does not contain ${ALLOWED_ROLES}`);
  if (!Array.isArray(v)) fail('jwt-invalid-claims', `${context}: parsing [] failed, expected Array, but encountered ${jsonKind(v)}`);
  return v.map((r: unknown) => {
    if (typeof r !== 'string') fail('jwt-invalid-claims', `${context}: parsing String failed, expected String, but encountered ${jsonKind(r)}`);
    if (r === '') fail('jwt-invalid-claims', `${context}: empty string not allowed`);
    return r;
  });
}

// ── 7. Claim values as session variable text ─────────────────────────────────────────

function claimText(name: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberText(name, v);
  if (Array.isArray(v)) return arrayLiteral(name, v);
  return fail('jwt-invalid-claims', `x-hasura-* claims: parsing Text failed, expected String, but encountered ${jsonKind(v)}`);
}

function numberText(name: string, n: number): string {
  // JSON.parse has already rounded integers beyond 2^53: refuse rather than pass a
  // different number on to a permission filter.
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) {
    fail('jwt-invalid-claims', `x-hasura-* claims: ${name}: the number ${n} is too large to be read exactly; send it as a string`);
  }
  return String(n);
}

/** A Postgres array literal: strings always quoted (`"` and `\` escaped), NULL for null. */
function arrayLiteral(name: string, items: readonly unknown[]): string {
  const parts = items.map((item) => {
    if (item === null) return 'NULL';
    if (typeof item === 'string') return `"${item.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    if (typeof item === 'number') return numberText(name, item);
    if (Array.isArray(item)) return arrayLiteral(name, item);
    return fail('jwt-invalid-claims', `x-hasura-* claims: ${name}: array elements must be strings, numbers, null or arrays, but encountered ${jsonKind(item)}`);
  });
  return `{${parts.join(',')}}`;
}
