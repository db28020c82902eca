/**
 * The console's only way to the server: `POST /v1/metadata` (Hasura's operations),
 * `POST /v1/graphql/explain` and `GET /healthz`. The admin secret typed into the header
 * box is kept in localStorage and sent as `x-hasura-admin-secret`.
 */

const SECRET_KEY = 'farjoin:admin-secret';

export function adminSecret(): string {
  return localStorage.getItem(SECRET_KEY) ?? '';
}

export function setAdminSecret(secret: string): void {
  if (secret) localStorage.setItem(SECRET_KEY, secret);
  else localStorage.removeItem(SECRET_KEY);
}

/** An error the server answered with (Hasura's `{path, error, code}`), or a failed request. */
export class ApiError extends Error {
  constructor(readonly code: string, message: string, readonly path?: string) {
    super(message);
  }
}

function requestHeaders(): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const secret = adminSecret();
  if (secret) headers['x-hasura-admin-secret'] = secret;
  return headers;
}

interface ErrorBody {
  error?: string;
  code?: string;
  path?: string;
  /** Hasura's details, e.g. the inconsistent objects behind 'cannot continue due to inconsistent metadata'. */
  internal?: unknown;
  errors?: { message?: string; extensions?: { code?: string; path?: string } }[];
}

/** The objects an error names in `internal`, as `name: reason` (nothing for other shapes). */
function details(internal: unknown): string {
  if (!Array.isArray(internal)) return '';
  const named = internal.flatMap((o: { name?: unknown; type?: unknown; reason?: unknown }) =>
    typeof o?.reason === 'string' ? [`${String(o.name ?? o.type ?? 'object')}: ${o.reason}`] : []);
  return named.length > 0 ? ` — ${named.join('; ')}` : '';
}

async function post(url: string, body: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: requestHeaders(), body: JSON.stringify(body) });
  } catch (e) {
    throw new ApiError('network', `the server did not answer: ${(e as Error).message}`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(`http-${res.status}`, `HTTP ${res.status}: ${text.slice(0, 200)}`);
  }
  const err = parsed as ErrorBody | null;
  if (!res.ok) {
    const first = err?.errors?.[0];
    throw new ApiError(
      err?.code ?? first?.extensions?.code ?? `http-${res.status}`,
      (err?.error ?? first?.message ?? `HTTP ${res.status}`) + details(err?.internal),
      err?.path ?? first?.extensions?.path,
    );
  }
  return parsed;
}

/** One metadata operation, `{type, args}` (plus `version` / `resource_version` when given). */
export async function metadataCall<T = unknown>(type: string, args: unknown, extra: { version?: number; resource_version?: number } = {}): Promise<T> {
  return (await post('/v1/metadata', { type, args, ...extra })) as T;
}

export interface ExplainStep {
  id: number;
  source: string;
  kind: string;
  sql: string;
  parent?: number;
  feeds?: number;
  analyze?: { rows: number; keys?: number; statements: number; ms: number };
}

export interface ExplainRemoteJoin {
  path: string;
  relationship: string;
  from: string;
  to: string;
  strategy: string;
  reason: string;
  step: number;
}

export interface ExplainResult {
  version: 1;
  steps: ExplainStep[];
  remoteJoins: ExplainRemoteJoin[];
}

/** The plan of a query (DESIGN.md §5.3); GraphQL errors are thrown as ApiError. */
export async function explain(query: string, variables: Record<string, unknown> | null, analyze: boolean): Promise<ExplainResult> {
  const body = (await post('/v1/graphql/explain', { query: { query, variables }, analyze })) as ExplainResult & ErrorBody;
  const first = body.errors?.[0];
  if (first) throw new ApiError(first.extensions?.code ?? 'error', first.message ?? 'explain failed', first.extensions?.path);
  return body;
}

/** Source name → null when it answers, else why not (from `GET /healthz`). */
export async function sourceHealth(): Promise<Map<string, string>> {
  const failing = new Map<string, string>();
  const res = await fetch('/healthz');
  if (res.ok) return failing;
  const body = (await res.json().catch(() => ({}))) as { failing?: { source: string; code?: string; error?: string }[] };
  for (const f of body.failing ?? []) failing.set(f.source, f.error ?? f.code ?? 'not answering');
  return failing;
}
