/**
 * Errors of the metadata API (DESIGN.md §9), in Hasura's shape: `{path, error, code}` with
 * HTTP 400, or 409 `conflict` for a stale `resource_version`. Codes are Hasura's strings
 * (`already-exists`, `not-exists`, `already-tracked`, `dependency-error`, …).
 */
export class MetadataApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly path = '$.args',
    readonly status = 400,
    /** Hasura's `internal` field (admins only; the metadata API is admin only). */
    readonly internal?: unknown,
  ) {
    super(message);
    this.name = 'MetadataApiError';
  }

  toJSON(): Record<string, unknown> {
    return { path: this.path, error: this.message, code: this.code, ...(this.internal === undefined ? {} : { internal: this.internal }) };
  }
}

export function apiError(code: string, message: string, path = '$.args'): MetadataApiError {
  return new MetadataApiError(code, message, path);
}

/** Hasura's answer to a `resource_version` that is not the current one. */
export function conflict(referenced: number): MetadataApiError {
  return new MetadataApiError('conflict', `metadata resource version referenced (${referenced}) did not match current version`, '$', 409);
}
