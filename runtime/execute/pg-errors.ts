/**
 * Postgres errors of a mutation → Hasura's codes (DESIGN.md §9): class 23 is
 * `constraint-violation` with Hasura's prefixes ("Uniqueness violation. …"), class 22
 * `data-exception`, 42501 `permission-error`. The message is Postgres's own message (no
 * SQL); the statement and SQL state are `internal`, shown to admins only.
 */
import { FarjoinError } from '../../compiler/errors.js';
import { toSourceError } from '../sources/sources.js';

const CONSTRAINT_PREFIX: Readonly<Record<string, string>> = {
  '23505': 'Uniqueness violation. ',
  '23503': 'Foreign key violation. ',
  '23502': 'Not-NULL violation. ',
  '23514': 'Check constraint violation. ',
  '23P01': 'Exclusion violation. ',
  '23001': 'Restrict violation. ',
};

export function mutationError(source: string, e: unknown, statement: string | undefined, path: string): FarjoinError {
  if (e instanceof FarjoinError) return e;
  const err = e as { code?: string; message?: string };
  const code = err.code ?? '';
  const internal = { source, code, message: err.message, ...(statement ? { statement } : {}) };
  if (code.startsWith('23')) {
    return new FarjoinError('constraint-violation', `${CONSTRAINT_PREFIX[code] ?? ''}${err.message ?? 'constraint violation'}`, { path, internal });
  }
  if (code.startsWith('22')) return new FarjoinError('data-exception', err.message ?? 'data exception', { path, internal });
  if (code === '42501') return new FarjoinError('permission-error', err.message ?? 'permission denied', { path, internal });
  const mapped = toSourceError(source, e, statement);
  return new FarjoinError(mapped.code, mapped.message, { path, visibility: mapped.visibility, internal: mapped.internal });
}
