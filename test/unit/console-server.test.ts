/**
 * The console's file server (runtime/server/console.ts): only built files are served,
 * app pages fall back to index.html, ETag/304, gzip, cache headers; and the built console
 * itself (console/dist) is complete: every module the page imports, through its import
 * map or relative paths, is a file the server serves.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageFile } from '../../runtime/paths.js';
import { ConsoleFiles, isConsolePath, packagedConsole, serveConsole } from '../../runtime/server/console.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A raw GET (fetch would decompress and hide content-encoding). */
function get(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function listen(files: () => ConsoleFiles): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '') || '/';
    if (!isConsolePath(path)) {
      res.writeHead(404).end();
      return;
    }
    serveConsole(req, res, path, files());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

describe('console file server', () => {
  let dir: string;
  let server: Server;
  let base: string;
  const page = '<!doctype html><title>console</title>' + '<p>padding so that gzip pays off</p>'.repeat(40);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'farjoin-console-'));
    mkdirSync(join(dir, 'vendor'));
    writeFileSync(join(dir, 'index.html'), page);
    writeFileSync(join(dir, 'main.js'), 'export const x = 1;\n');
    writeFileSync(join(dir, 'vendor', 'preact.js'), 'export function h() {}\n'.repeat(50));
    writeFileSync(join(dir, 'secret.env'), 'PASSWORD=1'); // not a served type
    writeFileSync(join(tmpdir(), 'outside.js'), 'outside');
    const files = new ConsoleFiles(dir);
    ({ server, base } = await listen(() => files));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(tmpdir(), 'outside.js'), { force: true });
  });

  it('serves index.html at /console and for app pages, with type, ETag and no-cache', async () => {
    for (const path of ['/console', '/console/', '/console/data', '/console/data/source_db/public/orders/relationships']) {
      const res = await get(base, path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers.etag).toMatch(/^"[\w-]+"$/);
      expect(res.body.toString()).toBe(page);
    }
  });

  it('serves built files by their path and type, and nothing else', async () => {
    const js = await get(base, '/console/vendor/preact.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body.toString()).toContain('export function h()');
    for (const path of ['/console/secret.env', '/console/missing.js', '/console/../outside.js', '/console/%2e%2e/outside.js', '/console/vendor/../../outside.js']) {
      const res = await get(base, path);
      expect(res.status, path).toBe(404);
      expect(res.body.toString()).not.toContain('PASSWORD');
      expect(res.body.toString()).not.toContain('outside');
    }
  });

  it('answers 304 to a matching If-None-Match and gzips when accepted', async () => {
    const first = await get(base, '/console/main.js');
    const again = await get(base, '/console/main.js', { 'if-none-match': first.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const stale = await get(base, '/console/main.js', { 'if-none-match': '"other"' });
    expect(stale.status).toBe(200);

    const zipped = await get(base, '/console', { 'accept-encoding': 'gzip, deflate' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('accept-encoding');
    expect(Number(zipped.headers['content-length'])).toBe(zipped.body.length);
    expect(zipped.body.length).toBeLessThan(page.length);
    expect(gunzipSync(zipped.body).toString()).toBe(page);
    // Too small to gain from gzip: sent as is.
    const small = await get(base, '/console/main.js', { 'accept-encoding': 'gzip' });
    expect(small.headers['content-encoding']).toBeUndefined();
  });

  it('HEAD sends the headers only', async () => {
    const res = await get(base, '/console', {}, 'HEAD');
    expect(res.status).toBe(200);
    expect(Number(res.headers['content-length'])).toBe(page.length);
    expect(res.body.length).toBe(0);
  });

  it('says how to build the console when it is not built', async () => {
    const missing = new ConsoleFiles(join(dir, 'no-such-dir'));
    const other = await listen(() => missing);
    try {
      const res = await get(other.base, '/console');
      expect(res.status).toBe(404);
      expect(res.body.toString()).toContain('npm run build');
    } finally {
      await new Promise<void>((resolve) => other.server.close(() => resolve()));
    }
  });
});

describe('the built console', () => {
  beforeAll(() => {
    // `npm test` builds first; a single-file run builds the console alone.
    if (!existsSync(packageFile('console', 'dist', 'index.html'))) {
      execFileSync(process.execPath, [packageFile('node_modules', 'typescript', 'bin', 'tsc'), '-p', packageFile('console', 'tsconfig.json')]);
      execFileSync(process.execPath, [packageFile('console', 'vendor.mjs')]);
    }
  }, 60_000);

  it('resolves every import of every module to a served file', () => {
    const files = packagedConsole();
    const index = files.lookup('/console')!.body.toString();
    const importMap = JSON.parse(/<script type="importmap">([\s\S]*?)<\/script>/.exec(index)![1]!) as { imports: Record<string, string> };
    expect(Object.keys(importMap.imports).sort()).toEqual(['htm', 'preact', 'preact/hooks']);
    const seen = new Set<string>();
    const queue = [/<script type="module" src="([^"]+)"/.exec(index)![1]!];
    while (queue.length > 0) {
      const url = queue.pop()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const file = files.lookup(url);
      expect(file?.type, url).toBe('text/javascript; charset=utf-8');
      const text = file!.body.toString();
      for (const m of text.matchAll(/\bfrom\s*["']([^"']+)["']|(?:^|;)\s*import\s*["']([^"']+)["']/gm)) {
        const spec = (m[1] ?? m[2])!;
        const target = importMap.imports[spec] ?? (spec.startsWith('.') ? new URL(spec, `http://x${url}`).pathname : undefined);
        expect(target, `${url} imports ${spec}`).toBeDefined();
        queue.push(target!);
      }
    }
    expect([...seen]).toEqual(expect.arrayContaining(['/console/main.js', '/console/vendor/preact.js', '/console/vendor/hooks.js', '/console/vendor/htm.js', '/console/relationships-tab.js']));
    expect(files.lookup('/console/style.css')?.type).toBe('text/css; charset=utf-8');
  });
});

describe('the engine without the console', () => {
  it('no module of the runtime, compiler or index imports the console or its front-end stack', () => {
    const offenders: string[] = [];
    const scan = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) scan(full);
        else if (entry.name.endsWith('.ts')) {
          const text = readFileSync(full, 'utf8');
          for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
            if (/(^|\/)console\/|^(preact|htm)(\/|$)/.test(m[1]!)) offenders.push(`${relative(packageFile(), full)} → ${m[1]}`);
          }
        }
      }
    };
    for (const dir of ['runtime', 'compiler']) scan(packageFile(dir));
    scan(packageFile('cli'));
    expect(offenders).toEqual([]);
  });
});
