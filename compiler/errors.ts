/**
 * Typed errors with Hasura-compatible string codes (DESIGN.md §4, §8).
 *
 * `visibility: 'user'` messages may be shown to any caller; `internal` ones only to
 * admins (the server replaces them for everyone else).
 */
export type ErrorCode =
  | 'validation-failed'
  | 'parse-failed'
  | 'not-supported'
  | 'not-found'
  | 'invalid-metadata'
  | 'invalid-configuration'
  | 'postgres-error'
  | 'data-exception'
  | 'constraint-violation'
  | 'invalid-session-value'
  | 'source-unavailable'
  | 'timeout'
  | 'access-denied'
  | 'invalid-jwt'
  | 'jwt-invalid-claims'
  | 'invalid-headers'
  /** Mutations (Hasura's code): a failed insert/update permission check. */
  | 'permission-error'
  | 'rate-limit-exceeded'
  | 'PERSISTED_QUERY_NOT_FOUND'
  | 'unexpected';

export type Visibility = 'user' | 'internal';

export class FarjoinError extends Error {
  readonly code: ErrorCode;
  /** Hasura-style JSON path, e.g. `$.selectionSet.orders.args.where`. */
  readonly path: string | undefined;
  readonly visibility: Visibility;
  /** Extra detail for admins (SQL state, internal message). Never shown to non-admins. */
  readonly internal: unknown;

  constructor(
    code: ErrorCode,
    message: string,
    options: { path?: string; visibility?: Visibility; internal?: unknown; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FarjoinError';
    this.code = code;
    this.path = options.path;
    this.visibility = options.visibility ?? 'user';
    this.internal = options.internal;
  }
}

/** Errors found while reading metadata: always carry the metadata path. */
export class MetadataError extends FarjoinError {
  constructor(message: string, path: string) {
    super('invalid-metadata', message, { path });
    this.name = 'MetadataError';
  }
}

/** Marks a bug: something the compiler believed impossible happened. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) {
    throw new FarjoinError('unexpected', `internal invariant violated: ${message}`, { visibility: 'internal' });
  }
}

export function isFarjoinError(e: unknown): e is FarjoinError {
  return e instanceof FarjoinError;
}
