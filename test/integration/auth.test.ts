/**
 * Sessions end to end (issue 5): admin secret, Hasura JWT and the unauthorized role
 * choose the role whose permissions apply, on the demo's two databases.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { startDemo, type DemoContext } from '../helpers/demo.js';

const KEY = 'a-very-long-test-signing-key-of-32+-bytes!';
const JWT_CONFIG = JSON.stringify({ type: 'HS256', key: KEY });
const QUERY = '{ orders(order_by: {id: asc}) { id user { name } } }';

let demo: DemoContext;
let engine: Engine;
beforeAll(async () => {
  demo = await startDemo();
  engine = await createEngine({
    metadataPath: demo.metadataPath, env: { ...process.env, ...demo.env },
    adminSecret: 'sekret', jwt: JWT_CONFIG, unauthorizedRole: 'anonymous',
  });
});
afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

async function token(claims: Record<string, unknown>, expiresIn = '5m'): Promise<string> {
  return new SignJWT({ 'https://hasura.io/jwt/claims': claims })
    .setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(KEY));
}

describe('sessions choose the role', () => {
  it('serves admins with the admin secret, and refuses a wrong one', async () => {
    const admin = await engine.execute({ query: QUERY, headers: { 'x-hasura-admin-secret': 'sekret' } });
    expect((admin.data?.orders as unknown[]).length).toBe(6);
    const wrong = await engine.execute({ query: QUERY, headers: { 'x-hasura-admin-secret': 'nope' } });
    expect(wrong).toEqual({ errors: [{ message: 'invalid x-hasura-admin-secret/x-hasura-access-key', extensions: { path: '$', code: 'access-denied' } }] });
  });

  it('applies the user role from a JWT on both databases', async () => {
    const jwt = await token({ 'x-hasura-allowed-roles': ['user'], 'x-hasura-default-role': 'user', 'x-hasura-user-id': '3' });
    const r = await engine.execute({ query: QUERY, headers: { authorization: `Bearer ${jwt}` } });
    expect(r).toEqual({ data: { orders: [{ id: 4, user: { name: 'Carol' } }] } });
  });

  it('rejects expired tokens and roles outside the allowed ones', async () => {
    const expired = await token({ 'x-hasura-allowed-roles': ['user'], 'x-hasura-default-role': 'user', 'x-hasura-user-id': '3' }, '-1m');
    const r = await engine.execute({ query: QUERY, headers: { authorization: `Bearer ${expired}` } });
    expect(r.errors?.[0]?.extensions.code).toBe('invalid-jwt');
    const jwt = await token({ 'x-hasura-allowed-roles': ['user'], 'x-hasura-default-role': 'user', 'x-hasura-user-id': '3' });
    const asAdmin = await engine.execute({ query: QUERY, headers: { authorization: `Bearer ${jwt}`, 'x-hasura-role': 'admin' } });
    expect(asAdmin.errors?.[0]?.extensions.code).toBe('access-denied');
  });

  it('gives requests without credentials the unauthorized role (no permissions here: no queries)', async () => {
    const r = await engine.execute({ query: QUERY });
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'validation-failed' } });
  });

  it('refuses to start with JWT but no admin secret, as Hasura does', async () => {
    await expect(createEngine({ metadataPath: demo.metadataPath, env: { ...process.env, ...demo.env }, jwt: JWT_CONFIG }))
      .rejects.toThrow(/requires an admin secret/);
  });
});
