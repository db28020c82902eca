/**
 * Session resolution (DESIGN.md §6 headers row, §8) against Hasura v2's rules, with real
 * tokens signed here by `jose`. No database.
 *
 * Expected messages and codes are Hasura's (server `Hasura.Server.Auth`, `Auth/JWT.hs`,
 * tests `test_jwt.py`); where farjoin deliberately differs, the test says so.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, UnsecuredJWT, exportSPKI, generateKeyPair, type JWTPayload } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FarjoinError } from '../../compiler/errors.js';
import { parseJwtConfig, resolveSession, type JwtConfig, type Session, type SessionOptions } from '../../runtime/server/session.js';

type Headers = Record<string, string | string[] | undefined>;

const SECRET = 'correct horse battery staple';
const HS_KEY = 'a-shared-secret-of-at-least-32-bytes!';
const NS = 'https://hasura.io/jwt/claims';
const now = () => Math.floor(Date.now() / 1000);

async function rejection(p: Promise<unknown>): Promise<FarjoinError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FarjoinError);
    return e as FarjoinError;
  }
  throw new Error('expected the promise to reject');
}

async function expectError(p: Promise<unknown>, code: string, message: string): Promise<void> {
  const e = await rejection(p);
  expect({ code: e.code, message: e.message, path: e.path }).toEqual({ code, message, path: '$' });
}

function configError(json: string): FarjoinError {
  try {
    parseJwtConfig(json);
  } catch (e) {
    expect(e).toBeInstanceOf(FarjoinError);
    expect((e as FarjoinError).code).toBe('invalid-configuration');
    return e as FarjoinError;
  }
  throw new Error('expected parseJwtConfig to throw');
}

const hsConfig = (extra: Record<string, unknown> = {}): JwtConfig => parseJwtConfig(JSON.stringify({ type: 'HS256', key: HS_KEY, ...extra }));

function claims(over: Record<string, unknown> = {}): JWTPayload {
  return {
    sub: '1234567890',
    iat: now(),
    exp: now() + 3600,
    [NS]: { 'x-hasura-allowed-roles': ['user', 'editor'], 'x-hasura-default-role': 'user', 'x-hasura-user-id': '1', ...over },
  };
}

async function hs(payload: JWTPayload, alg = 'HS256', key: string = HS_KEY): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg }).sign(new TextEncoder().encode(key));
}

const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });
const jwtOptions = (jwt: JwtConfig, extra: Partial<SessionOptions> = {}): SessionOptions => ({ adminSecret: SECRET, jwt, ...extra });

function expectSession(s: Session, role: string, variables: Record<string, string>): void {
  expect({ admin: s.admin, role: s.role, variables: { ...s.variables } }).toEqual({ admin: role === 'admin', role, variables: { ...variables, 'x-hasura-role': role } });
}

describe('no admin secret configured', () => {
  it('makes every request admin', async () => {
    expectSession(await resolveSession({}, {}), 'admin', {});
    expectSession(await resolveSession({ 'content-type': 'application/json' }, { adminSecret: undefined }), 'admin', {});
  });

  it('lets x-hasura-role pick another role, with every x-hasura-* header as a variable', async () => {
    const s = await resolveSession(
      { 'x-hasura-role': 'user', 'X-Hasura-User-Id': '7', 'x-hasura-org-id': '3', 'content-type': 'application/json', authorization: 'Bearer x' },
      {},
    );
    expectSession(s, 'user', { 'x-hasura-user-id': '7', 'x-hasura-org-id': '3' });
  });

  it('treats an empty x-hasura-role as absent, and x-hasura-role: admin as admin', async () => {
    expectSession(await resolveSession({ 'x-hasura-role': '' }, {}), 'admin', {});
    expectSession(await resolveSession({ 'x-hasura-role': 'admin', 'x-hasura-user-id': '1' }, {}), 'admin', { 'x-hasura-user-id': '1' });
  });

  it('ignores a sent admin secret and never keeps it as a variable', async () => {
    const s = await resolveSession({ 'x-hasura-admin-secret': 'anything', 'x-hasura-access-key': 'k', 'x-hasura-role': 'user' }, {});
    expectSession(s, 'user', {});
  });

  it('takes the first value of a repeated header', async () => {
    expectSession(await resolveSession({ 'x-hasura-role': ['user', 'admin'], 'x-hasura-user-id': ['1', '2'] }, {}), 'user', { 'x-hasura-user-id': '1' });
  });

  it('refuses JWT mode or an unauthorized role without an admin secret, as Hasura refuses to start', async () => {
    await expectError(resolveSession({}, { jwt: hsConfig() }), 'invalid-configuration', 'JWT mode (FARJOIN_JWT_SECRET) requires --admin-secret (FARJOIN_ADMIN_SECRET) to be set');
    await expectError(resolveSession({}, { unauthorizedRole: 'anonymous' }), 'invalid-configuration', '--unauthorized-role requires --admin-secret (FARJOIN_ADMIN_SECRET) to be set');
    // An empty secret is no secret.
    await expectError(resolveSession({}, { adminSecret: '', jwt: hsConfig() }), 'invalid-configuration', 'JWT mode (FARJOIN_JWT_SECRET) requires --admin-secret (FARJOIN_ADMIN_SECRET) to be set');
  });
});

describe('admin secret configured', () => {
  const denied = ['access-denied', 'invalid x-hasura-admin-secret/x-hasura-access-key'] as const;
  const matrix: { name: string; headers: Headers; expect: { role: string; variables?: Record<string, string> } | readonly [string, string] }[] = [
    { name: 'the right secret', headers: { 'x-hasura-admin-secret': SECRET }, expect: { role: 'admin' } },
    { name: 'the right secret, any header case', headers: { 'X-Hasura-Admin-Secret': SECRET }, expect: { role: 'admin' } },
    { name: 'the legacy access key', headers: { 'x-hasura-access-key': SECRET }, expect: { role: 'admin' } },
    {
      name: 'the right secret and another role',
      headers: { 'x-hasura-admin-secret': SECRET, 'x-hasura-role': 'user', 'x-hasura-user-id': '42' },
      expect: { role: 'user', variables: { 'x-hasura-user-id': '42' } },
    },
    { name: 'a wrong secret', headers: { 'x-hasura-admin-secret': 'wrong' }, expect: denied },
    { name: 'an empty secret', headers: { 'x-hasura-admin-secret': '' }, expect: denied },
    { name: 'the secret in another case', headers: { 'x-hasura-admin-secret': SECRET.toUpperCase() }, expect: denied },
    { name: 'a prefix of the secret', headers: { 'x-hasura-admin-secret': SECRET.slice(0, -1) }, expect: denied },
    { name: 'the secret plus a suffix', headers: { 'x-hasura-admin-secret': `${SECRET} ` }, expect: denied },
    { name: 'a wrong access key', headers: { 'x-hasura-access-key': 'wrong' }, expect: denied },
    { name: 'a wrong secret with a right access key (the secret header wins)', headers: { 'x-hasura-admin-secret': 'wrong', 'x-hasura-access-key': SECRET }, expect: denied },
    { name: 'a right secret with a wrong access key', headers: { 'x-hasura-admin-secret': SECRET, 'x-hasura-access-key': 'wrong' }, expect: { role: 'admin' } },
    { name: 'a wrong secret asking for a role', headers: { 'x-hasura-admin-secret': 'wrong', 'x-hasura-role': 'user' }, expect: denied },
    { name: 'no secret', headers: { 'x-hasura-role': 'user' }, expect: ['access-denied', 'x-hasura-admin-secret/x-hasura-access-key required, but not found'] },
  ];
  for (const c of matrix) {
    it(c.name, async () => {
      const p = resolveSession(c.headers, { adminSecret: SECRET });
      if (Array.isArray(c.expect)) await expectError(p, c.expect[0], c.expect[1]);
      else {
        const e = c.expect as { role: string; variables?: Record<string, string> };
        expectSession(await p, e.role, e.variables ?? {});
      }
    });
  }

  it('compares unicode secrets exactly', async () => {
    const unicode = 'pässwörd-秘密-🔑';
    expectSession(await resolveSession({ 'x-hasura-admin-secret': unicode }, { adminSecret: unicode }), 'admin', {});
    await expectError(resolveSession({ 'x-hasura-admin-secret': 'passwörd-秘密-🔑' }, { adminSecret: unicode }), ...denied);
  });

  it('gives requests without a secret the unauthorized role, with their x-hasura-* headers (as Hasura)', async () => {
    const s = await resolveSession({ 'x-hasura-role': 'admin', 'x-hasura-user-id': '5' }, { adminSecret: SECRET, unauthorizedRole: 'anonymous' });
    expectSession(s, 'anonymous', { 'x-hasura-user-id': '5' });
    expect(s.admin).toBe(false);
  });

  it('still checks a sent secret when an unauthorized role is configured', async () => {
    await expectError(resolveSession({ 'x-hasura-admin-secret': 'wrong' }, { adminSecret: SECRET, unauthorizedRole: 'anonymous' }), ...denied);
  });

  it('checks the secret before any token, and a right secret skips the token', async () => {
    const jwt = hsConfig();
    const token = await hs(claims());
    await expectError(resolveSession({ ...bearer(token), 'x-hasura-admin-secret': 'wrong' }, jwtOptions(jwt)), ...denied);
    expectSession(await resolveSession({ authorization: 'Bearer garbage', 'x-hasura-admin-secret': SECRET }, jwtOptions(jwt)), 'admin', {});
  });
});

describe('JWT mode: roles and variables', () => {
  const jwt = hsConfig();

  it('uses the default role and the x-hasura-* claims', async () => {
    expectSession(await resolveSession(bearer(await hs(claims())), jwtOptions(jwt)), 'user', { 'x-hasura-user-id': '1' });
  });

  it('lets x-hasura-role pick an allowed role', async () => {
    const s = await resolveSession({ ...bearer(await hs(claims())), 'x-hasura-role': 'editor' }, jwtOptions(jwt));
    expectSession(s, 'editor', { 'x-hasura-user-id': '1' });
  });

  it('treats an empty x-hasura-role as absent', async () => {
    expectSession(await resolveSession({ ...bearer(await hs(claims())), 'x-hasura-role': '' }, jwtOptions(jwt)), 'user', { 'x-hasura-user-id': '1' });
  });

  it('refuses a role outside the allowed roles, and a default role outside them', async () => {
    const message = 'Your requested role is not in allowed roles';
    await expectError(resolveSession({ ...bearer(await hs(claims())), 'x-hasura-role': 'admin' }, jwtOptions(jwt)), 'access-denied', message);
    await expectError(resolveSession(bearer(await hs(claims({ 'x-hasura-default-role': 'manager' }))), jwtOptions(jwt)), 'access-denied', message);
  });

  it('makes an allowed admin role admin, as Hasura does', async () => {
    const token = await hs(claims({ 'x-hasura-allowed-roles': ['user', 'admin'] }));
    const s = await resolveSession({ ...bearer(token), 'x-hasura-role': 'admin' }, jwtOptions(jwt));
    expect(s.admin).toBe(true);
  });

  it('takes variables from the token only, never from request headers', async () => {
    const s = await resolveSession({ ...bearer(await hs(claims())), 'x-hasura-user-id': '999', 'x-hasura-org-id': '7' }, jwtOptions(jwt));
    expectSession(s, 'user', { 'x-hasura-user-id': '1' });
  });

  it('lower-cases claim names, drops other claims, the admin secret and a claimed x-hasura-role', async () => {
    const token = await hs(
      claims({
        'X-Hasura-Org-Id': '9',
        name: 'not a session variable',
        'x-hasura-admin-secret': SECRET,
        'x-hasura-access-key': SECRET,
        'x-hasura-role': 'editor',
      }),
    );
    expectSession(await resolveSession(bearer(token), jwtOptions(jwt)), 'user', { 'x-hasura-user-id': '1', 'x-hasura-org-id': '9' });
  });

  it('reads role claims in any case', async () => {
    const token = await hs({ exp: now() + 60, [NS]: { 'X-Hasura-Allowed-Roles': ['user'], 'X-HASURA-DEFAULT-ROLE': 'user' } });
    expectSession(await resolveSession(bearer(token), jwtOptions(jwt)), 'user', {});
  });

  it('turns arrays into Postgres array literals and numbers into decimal text (beyond Hasura: #1902)', async () => {
    const token = await hs(
      claims({
        'x-hasura-ids': [1, 2, 3],
        'x-hasura-tags': ['a', 'b"c', 'd\\e', 'with,comma', ''],
        'x-hasura-grid': [[1, 2], [3, 4]],
        'x-hasura-none': [],
        'x-hasura-holes': [null, 'x'],
        'x-hasura-count': 42,
        'x-hasura-ratio': 1.5,
        'x-hasura-negative': -3,
      }),
    );
    const s = await resolveSession(bearer(token), jwtOptions(jwt));
    expectSession(s, 'user', {
      'x-hasura-user-id': '1',
      'x-hasura-ids': '{1,2,3}',
      'x-hasura-tags': '{"a","b\\"c","d\\\\e","with,comma",""}',
      'x-hasura-grid': '{{1,2},{3,4}}',
      'x-hasura-none': '{}',
      'x-hasura-holes': '{NULL,"x"}',
      'x-hasura-count': '42',
      'x-hasura-ratio': '1.5',
      'x-hasura-negative': '-3',
    });
  });

  it('refuses claim values that are not text, numbers or arrays, with Hasura’s message', async () => {
    for (const [value, kind] of [
      [true, 'Boolean'],
      [{ a: 1 }, 'Object'],
      [null, 'Null'],
    ] as const) {
      await expectError(
        resolveSession(bearer(await hs(claims({ 'x-hasura-flag': value }))), jwtOptions(jwt)),
        'jwt-invalid-claims',
        `x-hasura-* claims: parsing Text failed, expected String, but encountered ${kind}`,
      );
    }
    await expectError(
      resolveSession(bearer(await hs(claims({ 'x-hasura-ids': [1, { a: 1 }] }))), jwtOptions(jwt)),
      'jwt-invalid-claims',
      'x-hasura-* claims: x-hasura-ids: array elements must be strings, numbers, null or arrays, but encountered Object',
    );
  });

  it('refuses integers that JSON cannot carry exactly instead of rounding them', async () => {
    const token = await hs(claims({ 'x-hasura-user-id': 2 ** 60 }));
    const e = await rejection(resolveSession(bearer(token), jwtOptions(jwt)));
    expect(e.code).toBe('jwt-invalid-claims');
    expect(e.message).toContain('too large to be read exactly');
  });
});

describe('JWT mode: role claims', () => {
  const jwt = hsConfig();
  const withHasura = (hasura: Record<string, unknown>) => hs({ exp: now() + 60, [NS]: hasura });

  it('requires x-hasura-allowed-roles, then x-hasura-default-role', async () => {
    // Hasura's code here is jwt-missing-role-claims, which compiler/errors.ts does not list yet.
    await expectError(resolveSession(bearer(await withHasura({ 'x-hasura-default-role': 'user' })), jwtOptions(jwt)), 'jwt-invalid-claims', 'JWT claim does not contain x-hasura-allowed-roles');
    await expectError(resolveSession(bearer(await withHasura({ 'x-hasura-allowed-roles': ['user'] })), jwtOptions(jwt)), 'jwt-invalid-claims', 'JWT claim does not contain x-hasura-default-role');
    await expectError(resolveSession(bearer(await withHasura({})), jwtOptions(jwt)), 'jwt-invalid-claims', 'JWT claim does not contain x-hasura-allowed-roles');
  });

  it('checks their types with Hasura’s messages', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ 'x-hasura-allowed-roles': 'user', 'x-hasura-default-role': 'user' }, 'invalid x-hasura-allowed-roles; should be a list of roles: parsing [] failed, expected Array, but encountered String'],
      [{ 'x-hasura-allowed-roles': ['user', 1], 'x-hasura-default-role': 'user' }, 'invalid x-hasura-allowed-roles; should be a list of roles: parsing String failed, expected String, but encountered Number'],
      [{ 'x-hasura-allowed-roles': [''], 'x-hasura-default-role': 'user' }, 'invalid x-hasura-allowed-roles; should be a list of roles: empty string not allowed'],
      [{ 'x-hasura-allowed-roles': ['user'], 'x-hasura-default-role': 5 }, 'invalid x-hasura-default-role; should be a single role name: parsing String failed, expected String, but encountered Number'],
      [{ 'x-hasura-allowed-roles': ['user'], 'x-hasura-default-role': ['user'] }, 'invalid x-hasura-default-role; should be a single role name: parsing String failed, expected String, but encountered Array'],
      [{ 'x-hasura-allowed-roles': ['user'], 'x-hasura-default-role': '' }, 'invalid x-hasura-default-role; should be a single role name: empty string not allowed'],
    ];
    for (const [hasura, message] of cases) {
      await expectError(resolveSession(bearer(await withHasura(hasura)), jwtOptions(jwt)), 'jwt-invalid-claims', message);
    }
  });
});

describe('JWT mode: verification', () => {
  const jwt = hsConfig();
  const bad = async (token: string, detail: string, config: JwtConfig = jwt) =>
    expectError(resolveSession(bearer(token), jwtOptions(config)), 'invalid-jwt', `Could not verify JWT: ${detail}`);

  it('refuses a wrong key, a tampered payload, alg none and another algorithm family', async () => {
    await bad(await hs(claims(), 'HS256', 'another-secret-of-at-least-32-bytes!!'), 'JWSError JWSInvalidSignature');
    const [h, , sig] = (await hs(claims())).split('.');
    const forged = Buffer.from(JSON.stringify(claims({ 'x-hasura-allowed-roles': ['admin'], 'x-hasura-default-role': 'admin' }))).toString('base64url');
    await bad(`${h}.${forged}.${sig}`, 'JWSError JWSInvalidSignature');
    await bad(new UnsecuredJWT(claims()).encode(), 'JWSError JWSInvalidSignature');
    const { privateKey } = await generateKeyPair('RS256');
    await bad(await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256' }).sign(privateKey), 'JWSError JWSInvalidSignature');
  });

  it('accepts the other HMAC algorithms with the same secret, as Hasura’s JOSE library does', async () => {
    expectSession(await resolveSession(bearer(await hs(claims(), 'HS512')), jwtOptions(jwt)), 'user', { 'x-hasura-user-id': '1' });
  });

  it('refuses malformed tokens', async () => {
    await bad('abc', 'JWSError (CompactDecodeError Invalid number of parts: Expected 3 parts; got 1)');
    await bad('a.b.c.d', 'JWSError (CompactDecodeError Invalid number of parts: Expected 3 parts; got 4)');
    await bad('%%%.e30.sig', 'JWSError (JSONDecodeError "Not valid base64url")');
    await bad(`${Buffer.from('not json').toString('base64url')}.e30.sig`, 'JWSError (JSONDecodeError "protected header contains invalid JSON")');
  });

  it('refuses malformed registered claims', async () => {
    const e = await rejection(resolveSession(bearer(await hs({ ...claims(), exp: 'tomorrow' as unknown as number })), jwtOptions(jwt)));
    expect(e.code).toBe('invalid-jwt');
    expect(e.message).toMatch(/^Could not verify JWT: JWTClaimsSetDecodeError /);
  });

  it('checks expiry, with allowed_skew', async () => {
    const expired = await hs({ ...claims(), exp: now() - 60 });
    await bad(expired, 'JWTExpired');
    await bad(await hs({ ...claims(), exp: now() }), 'JWTExpired');
    expectSession(await resolveSession(bearer(expired), jwtOptions(hsConfig({ allowed_skew: 120 }))), 'user', { 'x-hasura-user-id': '1' });
    await bad(expired, 'JWTExpired', hsConfig({ allowed_skew: 30 }));
    // A token without exp does not expire (Hasura).
    const { exp: _exp, ...noExp } = claims();
    expectSession(await resolveSession(bearer(await hs(noExp)), jwtOptions(jwt)), 'user', { 'x-hasura-user-id': '1' });
  });

  it('checks not-before, with allowed_skew', async () => {
    const early = await hs({ ...claims(), nbf: now() + 60 });
    await bad(early, 'JWTNotYetValid');
    expectSession(await resolveSession(bearer(early), jwtOptions(hsConfig({ allowed_skew: 120 }))), 'user', { 'x-hasura-user-id': '1' });
  });

  describe('at the exact boundaries', () => {
    const T = 1_700_000_000;
    afterEach(() => {
      vi.useRealTimers();
    });
    const at = async (payload: JWTPayload, config: JwtConfig) => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(T * 1000);
      return resolveSession(bearer(await hs(payload)), jwtOptions(config));
    };
    const base = { [NS]: claims()[NS] };

    it('exp: valid strictly before it, widened by allowed_skew', async () => {
      await expectError(at({ ...base, exp: T }, jwt), 'invalid-jwt', 'Could not verify JWT: JWTExpired');
      expect((await at({ ...base, exp: T + 1 }, jwt)).role).toBe('user');
      await expectError(at({ ...base, exp: T - 10 }, hsConfig({ allowed_skew: 10 })), 'invalid-jwt', 'Could not verify JWT: JWTExpired');
      expect((await at({ ...base, exp: T - 9 }, hsConfig({ allowed_skew: 10 }))).role).toBe('user');
    });

    it('nbf: valid from it on, widened by allowed_skew', async () => {
      expect((await at({ ...base, nbf: T }, jwt)).role).toBe('user');
      await expectError(at({ ...base, nbf: T + 1 }, jwt), 'invalid-jwt', 'Could not verify JWT: JWTNotYetValid');
      expect((await at({ ...base, nbf: T + 10 }, hsConfig({ allowed_skew: 10 }))).role).toBe('user');
      await expectError(at({ ...base, nbf: T + 11 }, hsConfig({ allowed_skew: 10 })), 'invalid-jwt', 'Could not verify JWT: JWTNotYetValid');
    });
  });

  it('checks the audience when the token has one', async () => {
    const config = hsConfig({ audience: 'farjoin' });
    await bad(await hs({ ...claims(), aud: 'other' }), 'JWTNotInAudience', config);
    await bad(await hs({ ...claims(), aud: ['x', 'y'] }), 'JWTNotInAudience', config);
    await bad(await hs({ ...claims(), aud: [] }), 'JWTNotInAudience', config);
    for (const aud of ['farjoin', ['x', 'farjoin']]) {
      expectSession(await resolveSession(bearer(await hs({ ...claims(), aud })), jwtOptions(config)), 'user', { 'x-hasura-user-id': '1' });
    }
    expectSession(await resolveSession(bearer(await hs({ ...claims(), aud: 'b' })), jwtOptions(hsConfig({ audience: ['a', 'b'] }))), 'user', { 'x-hasura-user-id': '1' });
    // As in Hasura: a token without aud passes, and without a configured audience any aud passes.
    expectSession(await resolveSession(bearer(await hs(claims())), jwtOptions(config)), 'user', { 'x-hasura-user-id': '1' });
    expectSession(await resolveSession(bearer(await hs({ ...claims(), aud: 'anything' })), jwtOptions(jwt)), 'user', { 'x-hasura-user-id': '1' });
  });

  it('checks the issuer when the token has one, before the signature', async () => {
    const config = hsConfig({ issuer: 'https://issuer.example' });
    await bad(await hs({ ...claims(), iss: 'https://evil.example' }), 'JWTNotInIssuer', config);
    await bad(await hs({ ...claims(), iss: 'https://evil.example' }, 'HS256', 'wrong-secret-wrong-secret-wrong-secret'), 'JWTNotInIssuer', config);
    expectSession(await resolveSession(bearer(await hs({ ...claims(), iss: 'https://issuer.example' })), jwtOptions(config)), 'user', { 'x-hasura-user-id': '1' });
    expectSession(await resolveSession(bearer(await hs(claims())), jwtOptions(config)), 'user', { 'x-hasura-user-id': '1' });
    expectSession(await resolveSession(bearer(await hs({ ...claims(), iss: 'whoever' })), jwtOptions(jwt)), 'user', { 'x-hasura-user-id': '1' });
  });
});

describe('JWT mode: where the token is', () => {
  const jwt = hsConfig();

  it('needs "Bearer <token>" exactly', async () => {
    const token = await hs(claims());
    for (const value of [`Basic ${token}`, 'Bearer', `bearer ${token}`, `Bearer ${token} extra`, token]) {
      await expectError(resolveSession({ authorization: value }, jwtOptions(jwt)), 'invalid-headers', 'Malformed Authorization header');
    }
    for (const value of [`Bearer  ${token}`, `Bearer ${token} `, `  Bearer\t${token}`]) {
      expectSession(await resolveSession({ Authorization: value }, jwtOptions(jwt)), 'user', { 'x-hasura-user-id': '1' });
    }
  });

  it('refuses two tokens', async () => {
    const token = await hs(claims());
    await expectError(resolveSession({ authorization: [`Bearer ${token}`, `Bearer ${token}`] }, jwtOptions(jwt)), 'invalid-headers', 'Could not verify JWT: Multiple JWTs found');
  });

  it('without a token: the unauthorized role with its headers, else Hasura’s error', async () => {
    await expectError(resolveSession({ 'x-hasura-role': 'user' }, jwtOptions(jwt)), 'invalid-headers', "Missing 'Authorization' or 'Cookie' header in JWT authentication mode");
    const s = await resolveSession({ 'x-hasura-role': 'user', 'x-hasura-user-id': '3' }, jwtOptions(jwt, { unauthorizedRole: 'anonymous' }));
    expectSession(s, 'anonymous', { 'x-hasura-user-id': '3' });
  });

  it('does not fall back to the unauthorized role when a token is present but bad', async () => {
    await expectError(resolveSession(bearer('abc'), jwtOptions(jwt, { unauthorizedRole: 'anonymous' })), 'invalid-jwt', 'Could not verify JWT: JWSError (CompactDecodeError Invalid number of parts: Expected 3 parts; got 1)');
  });

  it('reads a cookie when configured so, and then ignores Authorization', async () => {
    const config = hsConfig({ header: { type: 'Cookie', name: 'hasura_user' } });
    const token = await hs(claims());
    expectSession(await resolveSession({ cookie: `a=1; hasura_user=${token}; b=2` }, jwtOptions(config)), 'user', { 'x-hasura-user-id': '1' });
    await expectError(resolveSession(bearer(token), jwtOptions(config)), 'invalid-headers', "Missing 'Authorization' or 'Cookie' header in JWT authentication mode");
    await expectError(resolveSession({ cookie: `hasura_user=${token}; hasura_user=${token}` }, jwtOptions(config)), 'invalid-headers', 'Could not verify JWT: Multiple JWTs found');
    await expectError(resolveSession({ cookie: 'other=1' }, jwtOptions(config)), 'invalid-headers', "Missing 'Authorization' or 'Cookie' header in JWT authentication mode");
  });

  it('reads a custom header when configured so', async () => {
    const config = hsConfig({ header: { type: 'CustomHeader', name: 'X-Auth-Token' } });
    expectSession(await resolveSession({ 'x-auth-token': await hs(claims()) }, jwtOptions(config)), 'user', { 'x-hasura-user-id': '1' });
  });
});

describe('JWT mode: where the claims are', () => {
  it('under a custom claims_namespace', async () => {
    const config = hsConfig({ claims_namespace: 'hasura' });
    const token = await hs({ exp: now() + 60, hasura: { 'x-hasura-allowed-roles': ['user'], 'x-hasura-default-role': 'user', 'x-hasura-user-id': '2' } });
    expectSession(await resolveSession(bearer(token), jwtOptions(config)), 'user', { 'x-hasura-user-id': '2' });
    await expectError(resolveSession(bearer(await hs(claims())), jwtOptions(config)), 'jwt-invalid-claims', "claims key: 'hasura' not found");
  });

  it('under a claims_namespace_path', async () => {
    const hasura = { 'x-hasura-allowed-roles': ['user'], 'x-hasura-default-role': 'user', 'x-hasura-user-id': '3' };
    const cases: [string, JWTPayload][] = [
      ['$.hasura.claims', { hasura: { claims: hasura } }],
      ["$.hasura['claims%']", { hasura: { 'claims%': hasura } }],
      ['$.list[1]', { list: [{}, hasura] }],
      ['$', hasura],
    ];
    for (const [path, payload] of cases) {
      const s = await resolveSession(bearer(await hs({ exp: now() + 60, ...payload })), jwtOptions(hsConfig({ claims_namespace_path: path })));
      expectSession(s, 'user', { 'x-hasura-user-id': '3' });
    }
    const config = hsConfig({ claims_namespace_path: '$.hasura.claims' });
    await expectError(resolveSession(bearer(await hs(claims())), jwtOptions(config)), 'jwt-invalid-claims', "claims not found at claims_namespace_path: '$.hasura.claims'");
    // Registered claims are not Hasura claims.
    await expectError(resolveSession(bearer(await hs(claims())), jwtOptions(hsConfig({ claims_namespace_path: '$.sub' }))), 'jwt-invalid-claims', "claims not found at claims_namespace_path: '$.sub'");
  });

  it('refuses a namespace that is not an object', async () => {
    await expectError(resolveSession(bearer(await hs({ exp: now() + 60, [NS]: 'x' })), jwtOptions(hsConfig())), 'jwt-invalid-claims', 'expecting a json object when claims_format is json');
  });

  it('as stringified JSON', async () => {
    const config = hsConfig({ claims_format: 'stringified_json' });
    const hasura = { 'x-hasura-allowed-roles': ['user'], 'x-hasura-default-role': 'user', 'x-hasura-user-id': '4' };
    expectSession(await resolveSession(bearer(await hs({ exp: now() + 60, [NS]: JSON.stringify(hasura) })), jwtOptions(config)), 'user', { 'x-hasura-user-id': '4' });
    await expectError(resolveSession(bearer(await hs({ exp: now() + 60, [NS]: hasura })), jwtOptions(config)), 'jwt-invalid-claims', 'expecting a string when claims_format is stringified_json');
    await expectError(
      resolveSession(bearer(await hs({ exp: now() + 60, [NS]: '{oops' })), jwtOptions(config)),
      'jwt-invalid-claims',
      `expecting stringified json at: 'claims_namespace ${NS}', but found: {oops`,
    );
  });

  it('through a claims_map', async () => {
    const config = hsConfig({
      claims_map: {
        'x-hasura-allowed-roles': { path: '$.roles' },
        'x-hasura-default-role': { path: '$.role', default: 'user' },
        'x-hasura-user-id': { path: '$.sub' },
        'x-hasura-org-id': { path: '$.org.id', default: 'none' },
        'X-Hasura-Tier': 'gold',
      },
    });
    const s = await resolveSession(bearer(await hs({ exp: now() + 60, sub: 'u-9', roles: ['user', 'editor'] })), jwtOptions(config));
    expectSession(s, 'user', { 'x-hasura-user-id': 'u-9', 'x-hasura-org-id': 'none', 'x-hasura-tier': 'gold' });
    await expectError(resolveSession(bearer(await hs({ exp: now() + 60, roles: ['user'] })), jwtOptions(config)), 'jwt-invalid-claims', 'JWT claim from claims_map, x-hasura-user-id not found');
    await expectError(resolveSession(bearer(await hs({ exp: now() + 60, sub: 'u' })), jwtOptions(config)), 'jwt-invalid-claims', 'JWT claim does not contain x-hasura-allowed-roles');
    await expectError(
      resolveSession(bearer(await hs({ exp: now() + 60, sub: 'u', roles: 'user' })), jwtOptions(config)),
      'jwt-invalid-claims',
      'invalid x-hasura-allowed-roles; should be a list of roles: parsing [] failed, expected Array, but encountered String',
    );
  });
});

describe('JWT mode: asymmetric keys', () => {
  const pemConfig = (type: string, key: string, extra: Record<string, unknown> = {}) => parseJwtConfig(JSON.stringify({ type, key, ...extra }));
  const sign = (alg: string, key: KeyObject | CryptoKey) => new SignJWT(claims()).setProtectedHeader({ alg }).sign(key);
  const ok = async (config: JwtConfig, token: string) => expectSession(await resolveSession(bearer(token), jwtOptions(config)), 'user', { 'x-hasura-user-id': '1' });
  const invalidSignature = async (config: JwtConfig, token: string) =>
    expectError(resolveSession(bearer(token), jwtOptions(config)), 'invalid-jwt', 'Could not verify JWT: JWSError JWSInvalidSignature');

  it('RS256 with an SPKI or PKCS#1 public key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const spki = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const pkcs1 = publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    for (const pem of [spki, pkcs1]) {
      const config = pemConfig('RS256', pem);
      await ok(config, await sign('RS256', privateKey));
      await ok(config, await sign('RS512', privateKey));
      await ok(config, await sign('PS256', privateKey));
      await invalidSignature(config, await sign('RS256', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey));
      // HS256 signed with the public key's text: the algorithm-confusion attack.
      await invalidSignature(config, await hs(claims(), 'HS256', pem));
    }
  });

  it('ES256 with a public key or an X.509 certificate', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const config = pemConfig('ES256', await exportSPKI(publicKey));
    await ok(config, await sign('ES256', privateKey));
    await invalidSignature(config, await sign('ES256', (await generateKeyPair('ES256')).privateKey));
    await invalidSignature(config, await sign('ES384', (await generateKeyPair('ES384')).privateKey));

    const { createPrivateKey } = await import('node:crypto');
    const certConfig = pemConfig('ES256', EC_CERTIFICATE);
    await ok(certConfig, await sign('ES256', createPrivateKey(EC_CERTIFICATE_KEY)));
  });

  it('Ed25519 (also spelled EdDSA)', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await ok(pemConfig('Ed25519', pem), await sign('EdDSA', privateKey));
    await ok(pemConfig('EdDSA', pem), await sign('EdDSA', privateKey));
    await invalidSignature(pemConfig('Ed25519', pem), await sign('EdDSA', generateKeyPairSync('ed25519').privateKey));
  });
});

describe('parseJwtConfig', () => {
  const rsaPem = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const prefix = 'invalid JWT config (FARJOIN_JWT_SECRET): ';

  it('reads defaults', () => {
    const c = hsConfig();
    expect({ type: c.type, audience: c.audience, issuer: c.issuer, skew: c.allowedSkewSeconds, location: c.location, claims: c.claims }).toEqual({
      type: 'HS256',
      audience: undefined,
      issuer: undefined,
      skew: 0,
      location: { kind: 'authorization' },
      claims: { kind: 'namespace', namespace: { kind: 'key', key: NS }, format: 'json' },
    });
    expect(parseJwtConfig(undefined)).toBeUndefined();
  });

  it('refuses bad configs with clear messages', () => {
    const cases: [unknown, string][] = [
      [[], 'expected a JSON object'],
      [{}, 'key and jwk_url both cannot be empty'],
      [{ type: 'HS256', key: HS_KEY, jwk_url: 'https://x/jwks' }, 'key, jwk_url both cannot be present'],
      [{ type: 'HS256', key: 5 }, '"key" must be a string'],
      [{ key: HS_KEY }, '"type" is required with "key" (HS256, RS256, ES256, Ed25519, …)'],
      [{ type: 'PS256', key: HS_KEY }, 'Invalid JWK: Key type: PS256 is not supported'],
      [{ type: 'HS256', key: 'short' }, 'Invalid JWK: Key size too small; should be atleast 32 characters'],
      [{ type: 'HS512', key: HS_KEY }, 'Invalid JWK: Key size too small; should be atleast 64 characters'],
      [{ type: 'RS256', key: 'not a pem' }, 'Invalid JWK: Could not decode PEM: No pem found'],
      [{ type: 'HS256', key: HS_KEY, claims_namespace: 'a', claims_namespace_path: '$.a' }, 'claims_namespace and claims_namespace_path both cannot be set'],
      [
        { type: 'HS256', key: HS_KEY, claims_namespace_path: '$.hasura claims' },
        'invalid JSON path claims_namespace_path error: $.hasura claims. Accept letters, digits, underscore (_) or hyphen (-) only. Use quotes enclosed in bracket (["..."]) if there is any special character',
      ],
      [{ type: 'HS256', key: HS_KEY, claims_format: 'xml' }, '"claims_format" must be "json" or "stringified_json"'],
      [{ type: 'HS256', key: HS_KEY, header: { type: 'Query' } }, `"header": expected 'type' is 'Authorization' or 'Cookie' or 'CustomHeader'`],
      [{ type: 'HS256', key: HS_KEY, header: { type: 'Cookie' } }, '"header": type Cookie needs a "name"'],
      [{ type: 'HS256', key: HS_KEY, audience: 5 }, '"audience" must be a string or a list of strings'],
      [{ type: 'HS256', key: HS_KEY, issuer: ['a'] }, '"issuer" must be a string'],
      [{ type: 'HS256', key: HS_KEY, allowed_skew: '10' }, '"allowed_skew" must be a number of seconds'],
      [{ type: 'HS256', key: HS_KEY, claims_map: { 'x-hasura-default-role': 'user' } }, 'claims_map: x-hasura-allowed-roles is expected but not found'],
      [{ type: 'HS256', key: HS_KEY, claims_map: { 'x-hasura-allowed-roles': ['user'] } }, 'claims_map: x-hasura-default-role is expected but not found'],
      [{ type: 'HS256', key: HS_KEY, claims_map: { 'x-hasura-allowed-roles': ['user'], 'x-hasura-default-role': 'user', 'user-id': 'x' } }, 'claims_map: "user-id" is not a Hasura session variable (x-hasura-*)'],
    ];
    for (const [config, message] of cases) {
      expect(configError(typeof config === 'string' ? config : JSON.stringify(config)).message).toBe(prefix + message);
    }
  });

  it('refuses text that is not JSON, and an empty string', () => {
    expect(configError('{not json').message).toMatch(/^invalid JWT config \(FARJOIN_JWT_SECRET\): not valid JSON \(/);
    expect(configError('').message).toMatch(/^invalid JWT config \(FARJOIN_JWT_SECRET\): not valid JSON \(/);
  });

  it('refuses jwk_url, which needs the network', () => {
    expect(configError(JSON.stringify({ jwk_url: 'https://example.com/.well-known/jwks.json' })).message).toMatch(/"jwk_url" is not supported by this build of farjoin/);
  });

  it('refuses keys of the wrong kind or size', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const priv = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const cases: [string, string, string][] = [
      ['RS256', ec, 'Invalid JWK: RS256 needs an RSA public key, got ec'],
      ['RS256', small, 'Invalid JWK: the RSA key has 1024 bits; at least 2048 are required'],
      ['RS256', priv, 'Invalid JWK: Could not decode PEM: expected a PUBLIC KEY or a CERTIFICATE, found a PRIVATE KEY'],
      ['ES256', ec, 'Invalid JWK: ES256 needs an EC public key on curve P-256'],
      ['Ed25519', rsaPem(), 'Invalid JWK: Ed25519 needs an Ed25519 public key'],
    ];
    for (const [type, key, message] of cases) expect(configError(JSON.stringify({ type, key })).message).toBe(prefix + message);
    expect(configError(JSON.stringify({ type: 'RS256', key: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' })).message).toMatch(/^invalid JWT config \(FARJOIN_JWT_SECRET\): Invalid JWK: Could not decode PEM: /);
  });
});

describe('hostile header values', () => {
  it('keep long, unicode and CRLF values verbatim as variables, never as roles or secrets', async () => {
    const long = 'x'.repeat(1_000_000);
    const unicode = '用户-😀-\u202e-\u0000-end';
    const crlf = '1\r\nx-hasura-role: admin\r\n';
    const s = await resolveSession({ 'x-hasura-role': 'user', 'x-hasura-user-id': crlf, 'x-hasura-name': unicode, 'x-hasura-blob': long }, {});
    expectSession(s, 'user', { 'x-hasura-user-id': crlf, 'x-hasura-name': unicode, 'x-hasura-blob': long });
    expect(s.admin).toBe(false);
  });

  it('keep a hostile role name verbatim (it is never admin unless exactly "admin")', async () => {
    for (const role of ['admin ', 'Admin', 'user\r\nx-hasura-admin-secret: s', 'r'.repeat(100_000), '管理者']) {
      const s = await resolveSession({ 'x-hasura-admin-secret': SECRET, 'x-hasura-role': role }, { adminSecret: SECRET });
      expect({ admin: s.admin, role: s.role }).toEqual({ admin: false, role });
    }
  });

  it('refuse hostile secrets with the same error', async () => {
    for (const secret of ['s'.repeat(1_000_000), `${SECRET}\r\n`, `${SECRET}\u0000`, '秘密', '']) {
      await expectError(resolveSession({ 'x-hasura-admin-secret': secret }, { adminSecret: SECRET }), 'access-denied', 'invalid x-hasura-admin-secret/x-hasura-access-key');
    }
  });

  it('refuse hostile tokens as invalid, without crashing', async () => {
    const jwt = hsConfig();
    for (const token of ['a'.repeat(100_000), '😀.😀.😀', 'e30.e30.', '..', `${'e30'}.${'e30'}.${'A'.repeat(10_000)}`]) {
      const e = await rejection(resolveSession(bearer(token), jwtOptions(jwt)));
      expect(e.code).toBe('invalid-jwt');
    }
  });

  it('do not reach object prototypes through header or claim names', async () => {
    const s = await resolveSession({ __proto__: 'x', constructor: 'y', 'x-hasura-__proto__': 'z' } as unknown as Headers, {});
    expect(s.variables['x-hasura-__proto__']).toBe('z');
    const payload = JSON.parse(`{"exp": ${now() + 60}, "__proto__": {"x-hasura-allowed-roles": ["admin"], "x-hasura-default-role": "admin"}}`) as JWTPayload;
    await expectError(resolveSession(bearer(await hs(payload)), jwtOptions(hsConfig({ claims_namespace: 'toString' }))), 'jwt-invalid-claims', "claims key: 'toString' not found");
    const s2 = await resolveSession(bearer(await hs(payload)), jwtOptions(hsConfig({ claims_namespace: '__proto__' })));
    expect({ admin: s2.admin, role: s2.role }).toEqual({ admin: true, role: 'admin' });
    expect(({} as Record<string, unknown>)['x-hasura-allowed-roles']).toBeUndefined();
  });

  it('return frozen sessions', async () => {
    const s = await resolveSession({ 'x-hasura-role': 'user' }, {});
    expect(Object.isFrozen(s) && Object.isFrozen(s.variables)).toBe(true);
  });
});

/** A self-signed P-256 certificate and its key, for the certificate case only. */
const EC_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBhTCCASugAwIBAgIUaMMcDBlPkGUsdjrF+0jqW2IlppowCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMZmFyam9pbi10ZXN0MCAXDTI2MTEyNTAwMjA0NVoYDzIxMjYx
MTAxMDAyMDQ1WjAXMRUwEwYDVQQDDAxmYXJqb2luLXRlc3QwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAQJPRLzZYGSGwZKPBXFMbOb/9lEXK60Tmn/ZHXD9gvQw/zo
EwcR2RtrWMX9tbr0ZwYVeu7u3vgtrw/CPxT+COkOo1MwUTAdBgNVHQ4EFgQUl4CD
eCIcZU1JZfYsRKQtIb7bg4QwHwYDVR0jBBgwFoAUl4CDeCIcZU1JZfYsRKQtIb7b
g4QwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEA/pQlk1cjmjw7
IbNtSk7ZbuBMvmZ9smarGR8CUkAz3XgCIAp+TPCQW06gCCkvvwl+6bXRzfu7B0DN
7dra5kG2uQ+g
-----END CERTIFICATE-----`;
const EC_CERTIFICATE_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg0mpEv2/RgfPfzDUl
yU2KV4e/zQD6Sh5a2ZFT7NSeAaChRANCAAQJPRLzZYGSGwZKPBXFMbOb/9lEXK60
Tmn/ZHXD9gvQw/zoEwcR2RtrWMX9tbr0ZwYVeu7u3vgtrw/CPxT+COkO
-----END PRIVATE KEY-----`;
