/**
 * GraphiQL from local assets (works offline): a small HTML page at `GET /` (and `GET
 * /v1/graphql` for a browser) that loads React, ReactDOM and GraphiQL's prebuilt bundles
 * from `/graphiql/…` — the `graphiql` package's own files, read once and kept gzipped, each
 * with an ETag; the bundles are cached for a day (the page revalidates on every load).
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { sendStatic, staticFile, type StaticFile } from './console.js';

const require = createRequire(import.meta.url);

/** URL path under /graphiql/ → [package, file in it, content type]. */
const ASSETS: Readonly<Record<string, readonly [string, string, string]>> = {
  'react.js': ['react', 'umd/react.production.min.js', 'text/javascript; charset=utf-8'],
  'react-dom.js': ['react-dom', 'umd/react-dom.production.min.js', 'text/javascript; charset=utf-8'],
  'graphiql.js': ['graphiql', 'graphiql.min.js', 'text/javascript; charset=utf-8'],
  'graphiql.css': ['graphiql', 'graphiql.min.css', 'text/css; charset=utf-8'],
  // The graphql-ws client, for subscriptions over the WebSocket on /v1/graphql.
  'graphql-ws.js': ['graphql-ws', 'umd/graphql-ws.min.js', 'text/javascript; charset=utf-8'],
};

/**
 * When GraphiQL is framed by the console (same origin: the console's API page), its
 * requests to this server carry the admin secret the console keeps in localStorage
 * (`farjoin:admin-secret`, console/src/api.ts) unless its Headers tab sets one — so the
 * schema, the docs explorer and queries work on a server with an admin secret. Opened on
 * its own, or framed by another origin, GraphiQL is unchanged.
 */
const CONSOLE_SECRET = `<script>(() => {
  try {
    if (window.parent === window || window.parent.location.origin !== location.origin) return;
  } catch { return; }
  const send = window.fetch.bind(window);
  window.fetch = (input, init = {}) => {
    const secret = localStorage.getItem('farjoin:admin-secret');
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (!secret || url.origin !== location.origin) return send(input, init);
    const headers = new Headers(init.headers || (input instanceof Request ? input.headers : undefined));
    if (!headers.has('x-hasura-admin-secret')) headers.set('x-hasura-admin-secret', secret);
    return send(input, { ...init, headers });
  };
})();</script>`;

const DEFAULT_QUERY = '{\n  orders(order_by: {id: asc}) {\n    id\n    user_id\n    user {\n      id\n      name\n    }\n  }\n}\n';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${CONSOLE_SECRET}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>farjoin GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/react.js"></script>
<script src="/graphiql/react-dom.js"></script>
<script src="/graphiql/graphiql.js"></script>
<script src="/graphiql/graphql-ws.js"></script>
<script>
  // Queries and mutations over HTTP; subscriptions over graphql-transport-ws on the same path,
  // with the headers of GraphiQL's Headers tab (and the console's admin secret) as connection_init's.
  const wsUrl = new URL('/v1/graphql', location.href);
  wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  const connectionHeaders = () => {
    let headers = {};
    try { headers = JSON.parse(localStorage.getItem('graphiql:headers') || '{}') || {}; } catch {}
    const secret = window.parent !== window ? localStorage.getItem('farjoin:admin-secret') : null;
    if (secret && !Object.keys(headers).some((k) => k.toLowerCase() === 'x-hasura-admin-secret')) headers['x-hasura-admin-secret'] = secret;
    return headers;
  };
  const wsClient = graphqlWs.createClient({ url: wsUrl.href, lazy: true, connectionParams: () => ({ headers: connectionHeaders() }) });
  const fetcher = GraphiQL.createFetcher({ url: new URL('/v1/graphql', location.href).href, wsClient });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher, defaultQuery: ${JSON.stringify(DEFAULT_QUERY)} }));
</script>
</body>
</html>
`;

const ASSET_CACHE = 'public, max-age=86400';

let page: StaticFile | undefined;
const assets = new Map<string, StaticFile>();

/** Answers the GraphiQL page. */
export function serveGraphiqlPage(req: IncomingMessage, res: ServerResponse): void {
  page ??= staticFile('text/html; charset=utf-8', Buffer.from(PAGE));
  sendStatic(req, res, page);
}

export function isGraphiqlAsset(path: string): boolean {
  return path.startsWith('/graphiql/') && Object.hasOwn(ASSETS, path.slice('/graphiql/'.length));
}

/** Answers `GET /graphiql/<asset>` (the caller checked `isGraphiqlAsset`). */
export function serveGraphiqlAsset(req: IncomingMessage, res: ServerResponse, path: string): void {
  const name = path.slice('/graphiql/'.length);
  let file = assets.get(name);
  if (!file) {
    const [pkg, rel, type] = ASSETS[name]!;
    file = staticFile(type, readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), rel)));
    assets.set(name, file);
  }
  sendStatic(req, res, file, ASSET_CACHE);
}
