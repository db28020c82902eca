/**
 * Request sessions from Hasura headers (DESIGN.md §6). This version serves the admin
 * role only: with an admin secret configured, `x-hasura-admin-secret` must match; a
 * request for another role is refused rather than silently answered as admin, because
 * select permissions are not enforced yet.
 */
import { timingSafeEqual } from 'node:crypto';
import { FarjoinError } from '../../compiler/errors.js';

export interface Session {
  readonly admin: boolean;
  readonly role: string;
  readonly variables: Readonly<Record<string, string>>;
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: Headers, name: string): string | undefined {
  const direct = headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(direct) ? direct[0] : direct;
}

function secretMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function resolveSession(headers: Headers, options: { adminSecret?: string | undefined }): Session {
  const variables: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const key = k.toLowerCase();
    if (key.startsWith('x-hasura-') && key !== 'x-hasura-admin-secret' && v !== undefined) {
      variables[key] = Array.isArray(v) ? (v[0] ?? '') : v;
    }
  }
  if (options.adminSecret) {
    const given = header(headers, 'x-hasura-admin-secret');
    if (given === undefined || !secretMatches(given, options.adminSecret)) {
      throw new FarjoinError('access-denied', 'invalid x-hasura-admin-secret/x-hasura-access-key', { path: '$' });
    }
  }
  const role = header(headers, 'x-hasura-role') ?? 'admin';
  if (role !== 'admin') {
    throw new FarjoinError('not-supported', `role "${role}": select permissions are not enforced by this version, so only the admin role is served`, { path: '$' });
  }
  return { admin: true, role, variables };
}
