/**
 * HTTP surface (DESIGN.md §6): `POST /v1/graphql`, `POST /v1/graphql/explain`,
 * `GET /healthz`, GraphiQL at `GET /` and `GET /v1/graphql`. GraphQL errors are HTTP 200
 * in Hasura's shape; malformed requests are 400 with the same shape; nothing thrown
 * inside a request can take the server down.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../engine.js';
import { graphiqlPage } from './graphiql.js';
import type { EngineLogger } from './log.js';

export interface HandlerOptions {
  readonly maxBodyBytes: number;
  readonly logger: EngineLogger;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function errorBody(code: string, message: string, path = '$'): unknown {
  return { errors: [{ message, extensions: { path, code } }] };
}

async function readBody(req: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new HttpError(413, 'invalid-configuration', `request body exceeds the limit of ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(req: IncomingMessage, max: number): Promise<Record<string, unknown>> {
  const text = await readBody(req, max);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, 'parse-failed', `invalid JSON in request body: ${(e as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'parse-failed', 'the request body must be a JSON object {query, variables, operationName}');
  }
  return body as Record<string, unknown>;
}

function wantsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

function graphqlRequest(body: Record<string, unknown>): { query: string; variables?: Record<string, unknown> | null; operationName?: string | null } {
  if (typeof body.query !== 'string') throw new HttpError(400, 'parse-failed', 'the request has no "query" string');
  const variables = body.variables;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    throw new HttpError(400, 'parse-failed', '"variables" must be an object');
  }
  if (body.operationName !== undefined && body.operationName !== null && typeof body.operationName !== 'string') {
    throw new HttpError(400, 'parse-failed', '"operationName" must be a string');
  }
  return { query: body.query, variables: (variables ?? null) as Record<string, unknown> | null, operationName: (body.operationName ?? null) as string | null };
}

export function createHandler(engine: Engine, options: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    if (path === '/healthz' && (method === 'GET' || method === 'HEAD')) {
      const health = await engine.health();
      const failing = Object.entries(health).filter(([, h]) => !h.ok);
      if (failing.length === 0) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('OK');
      } else {
        sendJson(res, 503, { status: 'unavailable', failing: failing.map(([name, h]) => ({ source: name, code: h.code, error: h.error })) });
      }
      return;
    }
    if ((path === '/' || path === '/v1/graphql') && method === 'GET' && wantsHtml(req) && !url.searchParams.has('query')) {
      const html = graphiqlPage();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
      res.end(html);
      return;
    }
    if (path === '/v1/graphql' && method === 'GET' && url.searchParams.has('query')) {
      let variables: Record<string, unknown> | null = null;
      const rawVars = url.searchParams.get('variables');
      if (rawVars) {
        try {
          variables = JSON.parse(rawVars) as Record<string, unknown>;
        } catch {
          throw new HttpError(400, 'parse-failed', '"variables" is not valid JSON');
        }
      }
      const result = await engine.execute({ query: url.searchParams.get('query') ?? '', variables, operationName: url.searchParams.get('operationName'), headers: req.headers });
      sendJson(res, 200, result);
      return;
    }
    if (path === '/v1/graphql' && method === 'POST') {
      const body = await readJson(req, options.maxBodyBytes);
      const result = await engine.execute({ ...graphqlRequest(body), headers: req.headers });
      sendJson(res, 200, result);
      return;
    }
    if (path === '/v1/graphql/explain' && method === 'POST') {
      const body = await readJson(req, options.maxBodyBytes);
      const inner = typeof body.query === 'object' && body.query !== null ? (body.query as Record<string, unknown>) : body;
      const user = typeof body.user === 'object' && body.user !== null ? (body.user as Record<string, string>) : {};
      const headers = { ...req.headers, ...Object.fromEntries(Object.entries(user).map(([k, v]) => [k.toLowerCase(), String(v)])) };
      const result = await engine.explain({ ...graphqlRequest(inner), headers }, { analyze: body.analyze === true });
      sendJson(res, 200, result);
      return;
    }
    if (path === '/v1/graphql' || path === '/v1/graphql/explain') {
      res.setHeader('allow', path === '/v1/graphql' ? 'GET, POST' : 'POST');
      sendJson(res, 405, errorBody('method-not-allowed', `method ${method} is not allowed on ${path}`));
      return;
    }
    sendJson(res, 404, errorBody('not-found', `resource does not exist: ${path}`));
  };

  return (req, res) => {
    route(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof HttpError) sendJson(res, e.status, errorBody(e.code, e.message));
      else sendJson(res, 500, errorBody('unexpected', 'internal error'));
    });
  };
}
