/**
 * HTTP surface (DESIGN.md §6): `POST /v1/graphql`, `GET /v1/graphql?query=…`,
 * `POST /v1/graphql/explain`, `POST /v1/metadata`, `GET /v1/version`, `GET /healthz`, GraphiQL at `GET /` and
 * `GET /v1/graphql`, the console's files at `GET /console` (./console.ts).
 *
 * GraphQL over HTTP (the spec the `graphql-http` audit checks):
 * - requests: POST with `content-type: application/json` (anything else is 415), or GET
 *   with URL parameters; a mutation over GET is 405; a body that is not a JSON object with
 *   a string `query` (and object-or-null `variables`/`extensions`, string-or-null
 *   `operationName`) is 400.
 * - responses: `application/graphql-response+json` when the client prefers it, with 4xx/5xx
 *   when the response has no `data` (a request error); otherwise `application/json` with
 *   HTTP 200 for every GraphQL error — Hasura's behaviour, which its clients rely on.
 * Errors keep Hasura's shape in both. Every request is logged as one JSON line with its
 * status, time, plan-cache hit and per-step timings, under the request's `x-request-id`
 * (the caller's, or a new one; returned in the response header); nothing thrown inside a
 * request can take the server down.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, parse } from 'graphql';
import type { Engine, GraphQLResponse, RequestTrace } from '../engine.js';
import { isConsolePath, serveConsole } from './console.js';
import { isGraphiqlAsset, serveGraphiqlAsset, serveGraphiqlPage } from './graphiql.js';
import type { EngineLogger } from './log.js';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.js';

export interface HandlerOptions {
  readonly maxBodyBytes: number;
  readonly logger: EngineLogger;
}

const JSON_TYPE = 'application/json';
/** What `GET /v1/version` answers: the Hasura API farjoin speaks (v2), marked as farjoin's. */
const HASURA_API_VERSION = 'v2.0.0-farjoin';
/** Largest `/v1/metadata` body (an admin's `replace_metadata` of a big project), in bytes. */
const METADATA_BODY_BYTES = 64 * 1024 * 1024;
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json';

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

interface GraphQLParams {
  query: string;
  variables: Record<string, unknown> | null;
  operationName: string | null;
  extensions: Record<string, unknown> | null;
}

/** What the request log line says beyond method, path, status and time. */
type LogFields = Record<string, unknown>;

/** Body bytes of each JSON response sent, for `hasura_http_response_bytes_total`. */
const sentBytes = new WeakMap<ServerResponse, number>();

function send(res: ServerResponse, status: number, type: string, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  sentBytes.set(res, Buffer.byteLength(text));
  res.writeHead(status, { ...headers, 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * A body already written as JSON text chunks (engine.run's `body`). A large body is
 * streamed: each chunk goes out as the socket takes it (waiting for `drain`), so the
 * encoded bytes of at most a few chunks are buffered at once instead of the whole body.
 */
async function sendText(res: ServerResponse, status: number, type: string, chunks: readonly string[], headers: Record<string, string> = {}): Promise<void> {
  let length = 0;
  for (const c of chunks) length += Buffer.byteLength(c);
  sentBytes.set(res, length);
  res.writeHead(status, { ...headers, 'content-type': `${type}; charset=utf-8`, 'content-length': length });
  for (const c of chunks) {
    if (!res.write(c) && !res.destroyed) await new Promise<void>((resolve) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
    if (res.destroyed) return;
  }
  res.end();
}

function errorBody(code: string, message: string, path = '$'): unknown {
  return { errors: [{ message, extensions: { path, code } }] };
}

/**
 * The response media type from `Accept`: graphql-response+json when it is listed before
 * (or instead of) application/json; application/json otherwise, including a missing
 * header, `*\/*` and types we do not serve (the spec allows answering with JSON anyway).
 */
export function responseType(accept: string | undefined): string {
  if (!accept) return JSON_TYPE;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    if (params.some((p) => p.trim() === 'q=0')) continue;
    if (type.trim() === GRAPHQL_RESPONSE_TYPE) return GRAPHQL_RESPONSE_TYPE;
    if (type.trim() === JSON_TYPE) return JSON_TYPE;
  }
  return JSON_TYPE;
}

async function readBody(req: IncomingMessage, max: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) throw tooLarge(max);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw tooLarge(max);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(max: number): HttpError {
  // The rest of the body is not read: close the connection after answering.
  return new HttpError(413, 'invalid-configuration', `request body exceeds the limit of ${max} bytes`, { connection: 'close' });
}

async function readJson(req: IncomingMessage, max: number): Promise<Record<string, unknown>> {
  const body = await readJsonBody(req, max);
  if (!isMap(body)) throw new HttpError(400, 'parse-failed', 'the request body must be a JSON object {query, variables, operationName}');
  return body;
}

/** The JSON body as parsed: an object, or (POST /v1/graphql) an array of them, a batch. */
async function readJsonBody(req: IncomingMessage, max: number): Promise<unknown> {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== JSON_TYPE) {
    throw new HttpError(415, 'invalid-headers', contentType
      ? `unsupported content-type "${contentType}"; send the request as application/json`
      : 'missing content-type; send the request as application/json');
  }
  // Mounted behind a framework body parser (express.json(), Fastify), the stream is
  // already consumed: take the parsed body it left on `req.body`.
  const preParsed = (req as IncomingMessage & { body?: unknown }).body;
  let body: unknown = typeof preParsed === 'string' || Buffer.isBuffer(preParsed) ? undefined : preParsed;
  if (body === undefined) {
    const text = preParsed === undefined ? await readBody(req, max) : String(preParsed);
    if (Buffer.byteLength(text) > max) throw tooLarge(max);
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw new HttpError(400, 'parse-failed', `invalid JSON in request body: ${(e as Error).message}`);
    }
  }
  return body;
}

/** Hasura's headers on a `@cached` query's response: its lifetime and its cache keys. */
function cacheHeaders(trace: RequestTrace): Record<string, string> {
  const c = trace.responseCache;
  if (!c) return {};
  return { 'cache-control': `max-age=${c.maxAgeSeconds}`, 'x-hasura-query-cache-key': c.key, 'x-hasura-query-family-cache-key': c.family };
}

/** The client's address, for rate limits by IP (the socket's peer; no proxy header is trusted). */
function clientOf(req: IncomingMessage): { clientAddress?: string } {
  const address = req.socket?.remoteAddress;
  return address ? { clientAddress: address } : {};
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function graphqlParams(body: Record<string, unknown>): GraphQLParams {
  const { variables, operationName, extensions } = body;
  // Automatic persisted queries: the hash alone stands for the query (the engine resolves it).
  const persisted = isMap(extensions) && extensions.persistedQuery !== undefined;
  if (typeof body.query !== 'string' && !(persisted && (body.query === undefined || body.query === null))) {
    throw new HttpError(400, 'parse-failed', 'the request has no "query" string');
  }
  if (variables !== undefined && variables !== null && !isMap(variables)) throw new HttpError(400, 'parse-failed', '"variables" must be an object');
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    throw new HttpError(400, 'parse-failed', '"operationName" must be a string');
  }
  if (extensions !== undefined && extensions !== null && !isMap(extensions)) throw new HttpError(400, 'parse-failed', '"extensions" must be an object');
  return {
    query: typeof body.query === 'string' ? body.query : '', variables: variables ?? null, operationName: operationName ?? null,
    extensions: isMap(extensions) ? extensions : null,
  };
}

function jsonParam(url: URL, name: string): unknown {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new HttpError(400, 'parse-failed', `"${name}" is not valid JSON`);
  }
}

function getParams(url: URL): GraphQLParams {
  const params = graphqlParams({
    query: url.searchParams.get('query') ?? undefined,
    variables: jsonParam(url, 'variables'),
    operationName: url.searchParams.get('operationName') ?? undefined,
    extensions: jsonParam(url, 'extensions'),
  });
  // GET must not change anything (GraphQL over HTTP): a mutation is refused with 405.
  let kind: string | undefined;
  try {
    kind = getOperationAST(parse(params.query, { maxTokens: 100_000, noLocation: true }), params.operationName ?? undefined)?.operation;
  } catch {
    kind = undefined; // unparseable: the engine reports it as a GraphQL error
  }
  if (kind !== undefined && kind !== 'query') {
    throw new HttpError(405, 'validation-failed', `a ${kind} cannot be sent with GET; use POST`, { allow: 'POST' });
  }
  return params;
}

/** HTTP status of a GraphQL response sent as graphql-response+json. */
function graphqlResponseStatus(response: GraphQLResponse): number {
  if (response.data !== undefined && response.data !== null) return 200;
  const code = response.errors?.[0]?.extensions.code;
  switch (code) {
    case 'access-denied':
    case 'invalid-jwt':
    case 'jwt-invalid-claims':
      return 403;
    case 'source-unavailable':
      return 503;
    case 'timeout':
      return 504;
    case 'unexpected':
    case 'postgres-error':
      return 500;
    default:
      return 400;
  }
}

function logTrace(log: LogFields, params: GraphQLParams, trace: RequestTrace): void {
  if (params.operationName) log.operationName = params.operationName;
  Object.assign(log, trace);
}

/** The endpoints whose traffic the HTTP metrics count (Hasura leaves out /healthz and unknown paths). */
function isGraphQLPath(url: string | undefined): boolean {
  const path = (url ?? '/').split('?')[0]!.replace(/\/+$/, '');
  return path === '/v1/graphql' || path === '/v1/graphql/explain';
}

export function createHandler(engine: Engine, options: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const graphql = async (req: IncomingMessage, res: ServerResponse, params: GraphQLParams, log: LogFields): Promise<void> => {
    const type = responseType(req.headers.accept);
    // A client that goes away cancels the request: its statements are cancelled on the sources.
    const gone = new AbortController();
    const onClose = (): void => {
      if (!res.writableEnded) gone.abort();
    };
    res.once('close', onClose);
    // The response as JSON text written from the columns (no object graph), within the limits.
    const { response, trace, body, dataInBody } = await engine.run({ ...params, headers: req.headers, requestId: String(log.requestId), ...clientOf(req) }, { signal: gone.signal, output: 'json' });
    res.off('close', onClose);
    logTrace(log, params, trace);
    if (gone.signal.aborted) return;
    const status = type !== GRAPHQL_RESPONSE_TYPE || dataInBody ? 200 : graphqlResponseStatus(response);
    await sendText(res, status, type, body ?? [JSON.stringify(response)], cacheHeaders(trace));
  };

  // A JSON array of requests (Hasura's batching): answered with an array in the same order,
  // run one after the other, at most api_limits.batch_limit of them for the role.
  const batch = async (req: IncomingMessage, res: ServerResponse, items: readonly unknown[], log: LogFields): Promise<void> => {
    const type = responseType(req.headers.accept);
    const all = items.map((item, i) => {
      if (!isMap(item)) throw new HttpError(400, 'parse-failed', `batch item ${i} must be a JSON object {query, variables, operationName}`);
      return graphqlParams(item);
    });
    log.batch = all.length;
    const limit = await engine.batchLimit(req.headers);
    if (limit !== undefined && all.length > limit) {
      send(res, 200, type, errorBody('validation-failed', `the batch holds ${all.length} operations, more than the batch limit of ${limit} (api_limits.batch_limit); send fewer per request`));
      return;
    }
    const responses: GraphQLResponse[] = [];
    for (const params of all) {
      responses.push((await engine.run({ ...params, headers: req.headers, requestId: String(log.requestId), ...clientOf(req) })).response);
    }
    send(res, 200, type, responses);
  };

  // Prometheus text; with an admin secret set, only admins may scrape (DESIGN.md §6 "metrics").
  const metrics = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!engine.metrics.enabled) throw new HttpError(404, 'not-found', 'metrics are disabled on this engine (createEngine metrics: false)');
    const session = await engine.session(req.headers).catch(() => undefined);
    if (!session?.admin) throw new HttpError(401, 'access-denied', 'the metrics endpoint needs the admin secret: send it in x-hasura-admin-secret');
    const { contentType, body } = await engine.metrics.text();
    res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
  };

  const route = async (req: IncomingMessage, res: ServerResponse, log: LogFields): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    log.path = path;
    if (path === '/v1/version' && method === 'GET') {
      // The Hasura CLI reads this to pick its features: a v2 server (sources, metadata v3).
      send(res, 200, JSON_TYPE, { version: HASURA_API_VERSION });
      return;
    }
    if (path === '/healthz' && (method === 'GET' || method === 'HEAD')) {
      const health = await engine.health();
      const failing = Object.entries(health).filter(([, h]) => !h.ok);
      const inconsistent = engine.inconsistencies().length;
      if (failing.length === 0) {
        // Hasura's answers: `OK`, or `WARN: inconsistent objects in schema` (still 200).
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(inconsistent === 0 ? 'OK' : 'WARN: inconsistent objects in schema');
      } else {
        log.failing = failing.map(([name]) => name);
        send(res, 503, JSON_TYPE, {
          status: 'unavailable',
          failing: failing.map(([name, h]) => ({ source: name, code: h.code, error: h.error })),
          inconsistent_objects: inconsistent,
        });
      }
      return;
    }
    const accept = req.headers.accept ?? '';
    if ((path === '/' || path === '/v1/graphql') && method === 'GET' && accept.includes('text/html') && !url.searchParams.has('query')) {
      serveGraphiqlPage(req, res);
      return;
    }
    if (isGraphiqlAsset(path) && (method === 'GET' || method === 'HEAD')) {
      serveGraphiqlAsset(req, res, path);
      return;
    }
    if (path === '/v1/metrics' && (method === 'GET' || method === 'HEAD')) {
      await metrics(req, res);
      return;
    }
    if (isConsolePath(path) && (method === 'GET' || method === 'HEAD')) {
      serveConsole(req, res, path);
      return;
    }
    if (path === '/v1/graphql' && method === 'GET') {
      await graphql(req, res, getParams(url), log);
      return;
    }
    if (path === '/v1/graphql' && method === 'POST') {
      const body = await readJsonBody(req, options.maxBodyBytes);
      if (Array.isArray(body)) await batch(req, res, body, log);
      else if (isMap(body)) await graphql(req, res, graphqlParams(body), log);
      else throw new HttpError(400, 'parse-failed', 'the request body must be a JSON object {query, variables, operationName}, or an array of them');
      return;
    }
    if (path === '/v1/graphql/explain' && method === 'POST') {
      const body = await readJson(req, options.maxBodyBytes);
      const inner = isMap(body.query) ? body.query : body;
      const user = isMap(body.user) ? body.user : {};
      // Who asks must be admin (Hasura's onlyAdmin), by the request's own headers: `user` only
      // sets the session the query is explained for, never who is asking. A non-admin (or a
      // request whose session fails) is answered by explain on its own headers: refused.
      const asker = await engine.session(req.headers).catch(() => undefined);
      const headers = asker?.admin
        ? { ...req.headers, ...Object.fromEntries(Object.entries(user).map(([k, v]) => [k.toLowerCase(), String(v)])) }
        : req.headers;
      const result = await engine.explain({ ...graphqlParams(inner), headers, requestId: String(log.requestId) }, { analyze: body.analyze === true });
      send(res, 200, JSON_TYPE, result);
      return;
    }
    if (path === '/v1/metadata' && method === 'POST') {
      // Who asks is checked before the body is read: only admins may send a large one.
      const denied = await engine.metadataApi.denied(req.headers);
      if (denied) {
        log.error = 'access-denied';
        send(res, denied.status, JSON_TYPE, denied.body, { connection: 'close' });
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = await readJson(req, Math.max(options.maxBodyBytes, METADATA_BODY_BYTES));
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        // Hasura's metadata error shape, not GraphQL's.
        log.error = e.code;
        send(res, e.status, JSON_TYPE, { path: '$', error: e.message, code: e.code }, e.headers);
        return;
      }
      if (typeof body.type === 'string') log.operation = body.type;
      const { status, body: answer } = await engine.metadataApi.handle(body, req.headers);
      send(res, status, JSON_TYPE, answer);
      return;
    }
    if (path === '/v1/metadata') {
      throw new HttpError(405, 'method-not-allowed', `method ${method} is not allowed on ${path}`, { allow: 'POST' });
    }
    if (path === '/v1/graphql' || path === '/v1/graphql/explain') {
      throw new HttpError(405, 'method-not-allowed', `method ${method} is not allowed on ${path}`, { allow: path === '/v1/graphql' ? 'GET, POST' : 'POST' });
    }
    throw new HttpError(404, 'not-found', `resource does not exist: ${path}`);
  };

  return (req, res) => {
    const started = performance.now();
    const requestId = requestIdOf(req.headers);
    const log: LogFields = { requestId };
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const counted = engine.metrics.enabled && isGraphQLPath(req.url) ? engine.metrics.httpRequestStarted() : undefined;
    res.once('close', () => counted?.(Number(req.headers['content-length']) || 0, sentBytes.get(res) ?? 0));
    res.once('finish', () => {
      options.logger.info({ method: req.method, ...log, status: res.statusCode, ms: Math.round((performance.now() - started) * 1000) / 1000 }, 'request');
    });
    route(req, res, log).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof HttpError) {
        log.error = e.code;
        send(res, e.status, JSON_TYPE, errorBody(e.code, e.message), e.headers);
      } else {
        options.logger.error({ requestId, err: { message: (e as Error)?.message, stack: (e as Error)?.stack } }, 'request failed');
        send(res, 500, JSON_TYPE, errorBody('unexpected', 'internal error'));
      }
    });
  };
}
