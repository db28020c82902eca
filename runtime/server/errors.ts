/**
 * Errors → Hasura's response shape (DESIGN.md §4):
 * `{"errors":[{"message":…,"extensions":{"path":"$…","code":"…"}}]}`.
 * Internal detail (SQL text, driver messages) reaches admins only (DESIGN.md §8).
 */
import { FarjoinError, isFarjoinError } from '../../compiler/errors.js';

export interface GraphQLErrorJson {
  message: string;
  extensions: { path: string; code: string; internal?: unknown };
}

export function toErrorJson(e: unknown, admin: boolean): GraphQLErrorJson {
  const err: FarjoinError = isFarjoinError(e)
    ? e
    : new FarjoinError('unexpected', 'internal error', { visibility: 'internal', internal: { message: (e as Error)?.message, stack: (e as Error)?.stack } });
  const hidden = err.visibility === 'internal' && !admin;
  const out: GraphQLErrorJson = {
    message: hidden ? 'internal error' : err.message,
    extensions: { path: err.path ?? '$', code: hidden ? 'unexpected' : err.code },
  };
  if (admin && err.internal !== undefined) out.extensions.internal = err.internal;
  return out;
}
