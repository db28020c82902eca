/**
 * FARJOIN_JWT_SECRET: Hasura v2's JWT config JSON, read once at startup (DESIGN.md §6,
 * headers row). Field names, defaults and the wording of most errors follow Hasura's
 * `JWTConfig` parser (server `Hasura.Server.Auth.JWT`, `…/JWT/Internal.hs`):
 *
 *   { "type": "HS256" | "HS384" | "HS512" | "RS256" | "RS384" | "RS512"
 *             | "ES256" | "ES384" | "ES512" | "Ed25519",
 *     "key": "<shared secret, or PEM public key / X.509 certificate>",
 *     "claims_namespace": "https://hasura.io/jwt/claims",   (default)
 *     "claims_namespace_path": "$.hasura.claims",           (instead of claims_namespace)
 *     "claims_format": "json" | "stringified_json",
 *     "claims_map": { "x-hasura-allowed-roles": …, "x-hasura-default-role": …, … },
 *     "audience": "aud" | ["aud", …], "issuer": "iss", "allowed_skew": seconds,
 *     "header": { "type": "Authorization" } | { "type": "Cookie", "name": "…" }
 *             | { "type": "CustomHeader", "name": "…" } }
 *
 * `jwk_url` needs the network, which this build never uses: it is refused with a clear
 * message rather than silently ignored. `EdDSA` is accepted as another name for `Ed25519`.
 */
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { FarjoinError } from '../../compiler/errors.js';
import { parseClaimsPath, type ClaimsPath } from './claims-path.js';

export type JwtKeyType = 'HS256' | 'HS384' | 'HS512' | 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'ES384' | 'ES512' | 'Ed25519';

export type JwtNamespace = { readonly kind: 'key'; readonly key: string } | { readonly kind: 'path'; readonly path: ClaimsPath };

/** A `claims_map` entry: a literal, or a JSON path into the token's claims with an optional default. */
export type JwtClaimsMapValue<T> =
  | { readonly kind: 'static'; readonly value: T }
  | { readonly kind: 'path'; readonly path: ClaimsPath; readonly default: T | undefined };

export type JwtClaimsConfig =
  | { readonly kind: 'namespace'; readonly namespace: JwtNamespace; readonly format: 'json' | 'stringified_json' }
  | {
      readonly kind: 'map';
      readonly allowedRoles: JwtClaimsMapValue<readonly string[]>;
      readonly defaultRole: JwtClaimsMapValue<string>;
      /** Lower-cased session variable → value. */
      readonly others: ReadonlyMap<string, JwtClaimsMapValue<string>>;
    };

export type JwtTokenLocation =
  | { readonly kind: 'authorization' }
  | { readonly kind: 'cookie'; readonly name: string }
  /** `name` lower-cased, as header names are compared. */
  | { readonly kind: 'custom-header'; readonly name: string };

export interface JwtConfig {
  readonly type: JwtKeyType;
  /** The verification key: the shared secret's bytes, or a public key. */
  readonly key: Uint8Array | KeyObject;
  /** The `alg` header values this key may verify (as Hasura's JOSE library allows). */
  readonly algorithms: readonly string[];
  readonly audience: readonly string[] | undefined;
  readonly issuer: string | undefined;
  readonly claims: JwtClaimsConfig;
  /** Seconds of clock skew tolerated on `exp` and `nbf`; 0 unless configured. */
  readonly allowedSkewSeconds: number;
  readonly location: JwtTokenLocation;
}

export const DEFAULT_CLAIMS_NAMESPACE = 'https://hasura.io/jwt/claims';

const HMAC_BITS = { HS256: 256, HS384: 384, HS512: 512 } as const;
const EC_CURVES = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' } as const;
const EC_CURVE_NAMES = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' } as const;

function configError(message: string): never {
  throw new FarjoinError('invalid-configuration', `invalid JWT config (FARJOIN_JWT_SECRET): ${message}`, { path: '$' });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalString(o: Record<string, unknown>, field: string): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') configError(`"${field}" must be a string`);
  return v;
}

/**
 * Parses and validates the config, importing the key, so that a bad config fails at
 * startup and never on a request.
 */
export function parseJwtConfig(json: string): JwtConfig;
/** `undefined` (an unset environment variable): no JWT mode. An empty string is an error, as in Hasura. */
export function parseJwtConfig(json: string | undefined): JwtConfig | undefined;
export function parseJwtConfig(json: string | undefined): JwtConfig | undefined {
  if (json === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    configError(`not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(raw)) configError('expected a JSON object');

  const rawKey = optionalString(raw, 'key');
  const jwkUrl = raw.jwk_url ?? undefined;
  if (rawKey === undefined && jwkUrl === undefined) configError('key and jwk_url both cannot be empty');
  if (rawKey !== undefined && jwkUrl !== undefined) configError('key, jwk_url both cannot be present');
  if (rawKey === undefined) {
    configError('"jwk_url" is not supported by this build of farjoin, which never fetches keys over the network; give the key itself in "key" (a PEM public key or X.509 certificate, or the shared secret)');
  }
  const rawType = raw.type;
  if (typeof rawType !== 'string') configError('"type" is required with "key" (HS256, RS256, ES256, Ed25519, …)');
  const type = keyType(rawType);
  const { key, algorithms } = importKey(type, rawKey);

  return {
    type,
    key,
    algorithms,
    audience: audience(raw.audience),
    issuer: optionalString(raw, 'issuer'),
    claims: claimsConfig(raw),
    allowedSkewSeconds: allowedSkew(raw.allowed_skew),
    location: tokenLocation(raw.header),
  };
}

function keyType(type: string): JwtKeyType {
  if (type === 'EdDSA' || type === 'Ed25519') return 'Ed25519';
  if (type in HMAC_BITS || type in EC_CURVES || type === 'RS256' || type === 'RS384' || type === 'RS512') return type as JwtKeyType;
  return configError(`Invalid JWK: Key type: ${type} is not supported`);
}

function importKey(type: JwtKeyType, raw: string): { key: Uint8Array | KeyObject; algorithms: readonly string[] } {
  if (type === 'HS256' || type === 'HS384' || type === 'HS512') {
    const secret = new Uint8Array(Buffer.from(raw, 'utf8'));
    const min = HMAC_BITS[type] / 8;
    if (secret.length < min) configError(`Invalid JWK: Key size too small; should be atleast ${min} characters`);
    // Hasura's JOSE library verifies any HMAC algorithm with an HMAC key.
    return { key: secret, algorithms: ['HS256', 'HS384', 'HS512'] };
  }
  const key = publicKeyFromPem(raw);
  if (type === 'RS256' || type === 'RS384' || type === 'RS512') {
    if (key.asymmetricKeyType !== 'rsa') configError(`Invalid JWK: ${type} needs an RSA public key, got ${key.asymmetricKeyType ?? 'an unknown key type'}`);
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) configError(`Invalid JWK: the RSA key has ${bits} bits; at least 2048 are required`);
    return { key, algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] };
  }
  if (type === 'ES256' || type === 'ES384' || type === 'ES512') {
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== EC_CURVES[type]) {
      configError(`Invalid JWK: ${type} needs an EC public key on curve ${EC_CURVE_NAMES[type]}`);
    }
    return { key, algorithms: [type] };
  }
  if (key.asymmetricKeyType !== 'ed25519') configError('Invalid JWK: Ed25519 needs an Ed25519 public key');
  return { key, algorithms: ['EdDSA', 'Ed25519'] };
}

/** A PEM public key (SPKI or PKCS#1) or an X.509 certificate, as Hasura accepts. */
function publicKeyFromPem(pem: string): KeyObject {
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1];
  if (label === undefined) configError('Invalid JWK: Could not decode PEM: No pem found');
  try {
    if (label === 'CERTIFICATE') return new X509Certificate(pem).publicKey;
    if (label === 'PUBLIC KEY' || label === 'RSA PUBLIC KEY') return createPublicKey({ key: pem, format: 'pem' });
  } catch (e) {
    configError(`Invalid JWK: Could not decode PEM: ${(e as Error).message}`);
  }
  return configError(`Invalid JWK: Could not decode PEM: expected a PUBLIC KEY or a CERTIFICATE, found a ${label}`);
}

function audience(v: unknown): readonly string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((a) => typeof a === 'string')) return v as string[];
  return configError('"audience" must be a string or a list of strings');
}

function allowedSkew(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v)) configError('"allowed_skew" must be a number of seconds');
  // Hasura's JOSE library reads the skew in absolute terms: it only ever widens validity.
  return Math.abs(v);
}

function tokenLocation(v: unknown): JwtTokenLocation {
  if (v === undefined || v === null) return { kind: 'authorization' };
  if (!isObject(v) || typeof v.type !== 'string') configError(`"header": expected 'type' is 'Authorization' or 'Cookie' or 'CustomHeader'`);
  const kind = v.type.toLowerCase();
  if (kind === 'authorization') return { kind: 'authorization' };
  if (kind === 'cookie' || kind === 'customheader') {
    if (typeof v.name !== 'string' || v.name === '') configError(`"header": type ${v.type} needs a "name"`);
    return kind === 'cookie' ? { kind: 'cookie', name: v.name } : { kind: 'custom-header', name: v.name.toLowerCase() };
  }
  return configError(`"header": expected 'type' is 'Authorization' or 'Cookie' or 'CustomHeader'`);
}

function claimsPath(text: unknown, field: string): ClaimsPath {
  if (typeof text !== 'string') configError(`"${field}" must be a string`);
  const path = parseClaimsPath(text);
  if (path === undefined) {
    configError(
      `invalid JSON path ${field} error: ${text}. Accept letters, digits, underscore (_) or hyphen (-) only. Use quotes enclosed in bracket (["..."]) if there is any special character`,
    );
  }
  return path;
}

function claimsConfig(raw: Record<string, unknown>): JwtClaimsConfig {
  const ns = optionalString(raw, 'claims_namespace');
  const nsPath = raw.claims_namespace_path ?? undefined;
  if (ns !== undefined && nsPath !== undefined) configError('claims_namespace and claims_namespace_path both cannot be set');
  const formatRaw = raw.claims_format ?? 'json';
  if (formatRaw !== 'json' && formatRaw !== 'stringified_json') configError('"claims_format" must be "json" or "stringified_json"');
  if (raw.claims_map !== undefined && raw.claims_map !== null) return claimsMap(raw.claims_map);
  const namespace: JwtNamespace =
    nsPath !== undefined ? { kind: 'path', path: claimsPath(nsPath, 'claims_namespace_path') } : { kind: 'key', key: ns ?? DEFAULT_CLAIMS_NAMESPACE };
  return { kind: 'namespace', namespace, format: formatRaw };
}

const ALLOWED_ROLES = 'x-hasura-allowed-roles';
const DEFAULT_ROLE = 'x-hasura-default-role';

function claimsMap(v: unknown): JwtClaimsConfig {
  if (!isObject(v)) configError('"claims_map" must be an object');
  const entries = new Map<string, unknown>();
  for (const [k, value] of Object.entries(v)) entries.set(k.toLowerCase(), value);
  const required = (name: string): unknown => (entries.has(name) ? entries.get(name) : configError(`claims_map: ${name} is expected but not found`));
  const roles = (x: unknown): readonly string[] =>
    Array.isArray(x) && x.every((r) => typeof r === 'string' && r !== '') ? (x as string[]) : configError(`claims_map: ${ALLOWED_ROLES} must be a list of roles`);
  const text = (name: string) => (x: unknown): string => (typeof x === 'string' && (x !== '' || name !== DEFAULT_ROLE) ? x : configError(`claims_map: ${name} must be a string`));
  const allowedRoles = mapValue(ALLOWED_ROLES, required(ALLOWED_ROLES), roles);
  const defaultRole = mapValue(DEFAULT_ROLE, required(DEFAULT_ROLE), text(DEFAULT_ROLE));
  const others = new Map<string, JwtClaimsMapValue<string>>();
  for (const [name, value] of entries) {
    if (name === ALLOWED_ROLES || name === DEFAULT_ROLE) continue;
    if (!name.startsWith('x-hasura-')) configError(`claims_map: "${name}" is not a Hasura session variable (x-hasura-*)`);
    others.set(name, mapValue(name, value, text(name)));
  }
  return { kind: 'map', allowedRoles, defaultRole, others };
}

function mapValue<T>(name: string, v: unknown, parse: (x: unknown) => T): JwtClaimsMapValue<T> {
  if (!isObject(v)) return { kind: 'static', value: parse(v) };
  if (v.path === undefined) configError(`claims_map: ${name}: an object value needs a "path"`);
  return { kind: 'path', path: claimsPath(v.path, `claims_map ${name} path`), default: v.default === undefined ? undefined : parse(v.default) };
}
