/**
 * Logging the errors of one request (issue 11 item 10, issue 16): every internal error and
 * every failure of a source is written once, at error level, with the request id — an
 * internal error with its stack, a source failure with the source and Postgres's own
 * reason (SQLSTATE, message, statement). The response shows non-admins none of it
 * (server/errors.ts); the log is where the cause is found.
 */
import { isFarjoinError, type ErrorCode } from '../../compiler/errors.js';
import type { EngineLogger } from './log.js';

/** Codes of failures on a source: always logged with their reason. */
const SOURCE_FAILURES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'postgres-error', 'source-unavailable', 'timeout', 'data-exception', 'constraint-violation', 'invalid-session-value',
]);

interface SourceDetail {
  readonly source?: string;
  readonly code?: string;
  readonly message?: string;
  readonly statement?: string;
}

/** The error whose stack shows the fault: the first cause that has one. */
function origin(e: unknown): Error | undefined {
  let at: unknown = e;
  for (let i = 0; i < 8 && at instanceof Error; i++) {
    if (!(at.cause instanceof Error)) return at;
    at = at.cause;
  }
  return at instanceof Error ? at : undefined;
}

/** Whether `e` is worth an error line: internal, or a failure on a source. */
export function mustLog(e: unknown): boolean {
  if (!isFarjoinError(e)) return true;
  return e.visibility === 'internal' || e.code === 'unexpected' || SOURCE_FAILURES.has(e.code);
}

export function logRequestErrors(logger: EngineLogger, requestId: string, errors: readonly unknown[]): void {
  for (const e of errors) {
    if (!mustLog(e)) continue;
    const err = isFarjoinError(e) ? e : undefined;
    const fault = origin(e);
    if (err && SOURCE_FAILURES.has(err.code)) {
      const d = (err.internal ?? {}) as SourceDetail;
      logger.error({
        requestId, code: err.code, path: err.path, source: d.source,
        reason: { sqlState: d.code, message: d.message ?? fault?.message }, ...(d.statement ? { statement: d.statement } : {}),
      }, `source "${d.source ?? '?'}" failed: ${d.message ?? err.message}`);
      continue;
    }
    const stack = fault?.stack ?? (err?.internal as { stack?: string } | undefined)?.stack;
    logger.error({ requestId, code: err?.code ?? 'unexpected', path: err?.path, err: { message: fault?.message ?? String(e), stack } }, 'internal error');
  }
}
