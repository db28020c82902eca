/**
 * The web console's files at `GET /console` and `/console/*` (DESIGN.md §6 "console", §9).
 *
 * The console is a front end built separately (`console/` → `console/dist` by
 * `npm run build`); the runtime never imports it, it only serves the built files, so an
 * engine embedded without the console works the same. Only the files found under the
 * build directory are served (the list is read once, so a path can never walk out of it);
 * any other path without an extension is a page of the single-page app and gets
 * `index.html`. Each file carries an ETag (304 on a match), `Cache-Control: no-cache`
 * (the names are not content-hashed, so the browser revalidates), and is sent gzipped
 * when the client accepts it and that makes it smaller.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { packageFile } from '../paths.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

/** A file served from memory: its type, body, gzipped body (when smaller) and ETag. */
export interface StaticFile {
  readonly type: string;
  readonly body: Buffer;
  readonly gzipped: Buffer | undefined;
  readonly etag: string;
}

type ConsoleFile = StaticFile;

/** A file to serve with `sendStatic`: text is gzipped once, here, when that makes it smaller. */
export function staticFile(type: string, body: Buffer): StaticFile {
  const compressed = type.startsWith('text/') || type.startsWith('application/json') || type === 'image/svg+xml' ? gzipSync(body) : undefined;
  return {
    type, body,
    gzipped: compressed && compressed.length < body.length ? compressed : undefined,
    etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
  };
}

/** The built console: URL path below `/console/` → file. */
export class ConsoleFiles {
  private readonly files = new Map<string, ConsoleFile>();

  constructor(readonly root: string) {
    if (existsSync(root)) this.scan(root);
  }

  get built(): boolean {
    return this.files.has('index.html');
  }

  private scan(dir: string): void {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        this.scan(full);
        continue;
      }
      const type = TYPES[extname(entry.name)];
      if (!type || !statSync(full).isFile()) continue;
      this.files.set(relative(this.root, full).split(sep).join('/'), staticFile(type, readFileSync(full)));
    }
  }

  /** The file for a URL path under /console (`/console`, `/console/app.js`, `/console/data/x` → index.html). */
  lookup(urlPath: string): ConsoleFile | undefined {
    const rest = urlPath.replace(/^\/console\/?/, '');
    const file = this.files.get(rest === '' ? 'index.html' : rest);
    if (file) return file;
    // A page of the app (no extension): the app's router shows it.
    return extname(rest) === '' ? this.files.get('index.html') : undefined;
  }
}

let files: ConsoleFiles | undefined;

/** The console built into this package (read on the first request). */
export function packagedConsole(): ConsoleFiles {
  files ??= new ConsoleFiles(packageFile('console', 'dist'));
  return files;
}

export function isConsolePath(path: string): boolean {
  return path === '/console' || path.startsWith('/console/');
}

/** Answers a GET or HEAD under /console from `files`. */
export function serveConsole(req: IncomingMessage, res: ServerResponse, path: string, source: ConsoleFiles = packagedConsole()): void {
  const file = source.lookup(path);
  if (!file) {
    const message = source.built ? `resource does not exist: ${path}` : 'the console is not built: run `npm run build` in the checkout';
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(message) });
    res.end(message);
    return;
  }
  sendStatic(req, res, file);
}

/** A GET or HEAD of `file`: 304 on a matching ETag, gzipped when the client accepts it. */
export function sendStatic(req: IncomingMessage, res: ServerResponse, file: StaticFile, cacheControl = 'no-cache'): void {
  const headers: Record<string, string | number> = {
    'content-type': file.type,
    etag: file.etag,
    'cache-control': cacheControl,
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
  };
  if (req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const gzip = file.gzipped && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? file.gzipped! : file.body;
  if (gzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
