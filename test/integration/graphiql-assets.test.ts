/**
 * GraphiQL's page and bundles (issue 16 housekeeping): a small page that loads the
 * `graphiql` package's prebuilt files from /graphiql/, each gzipped when asked, with an
 * ETag (304 on a match) and a cache lifetime, instead of one 9 MB inline page.
 */
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { listen, type Listening } from '../helpers/http.js';

let engine: Engine;
let http: Listening;
beforeAll(async () => {
  engine = await createEngine({ metadata: { version: 3, sources: [] } });
  http = await listen(engine.handler);
});
afterAll(async () => {
  await http?.close();
  await engine?.close();
});

/** A GET without fetch's automatic decompression: the bytes as sent. */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${http.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GraphiQL assets', () => {
  it('the page is small and names its bundles', async () => {
    const page = await get('/', { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body.length).toBeLessThan(5000);
    const html = page.body.toString();
    for (const asset of ['/graphiql/react.js', '/graphiql/react-dom.js', '/graphiql/graphiql.js', '/graphiql/graphiql.css']) expect(html).toContain(asset);
  });

  it('each bundle is gzipped when accepted, cacheable, and answers 304 to its ETag', async () => {
    for (const [asset, type] of [['graphiql.js', 'text/javascript'], ['graphiql.css', 'text/css'], ['react.js', 'text/javascript'], ['react-dom.js', 'text/javascript']] as const) {
      const plain = await get(`/graphiql/${asset}`);
      expect(plain.status).toBe(200);
      expect(plain.headers['content-type']).toBe(`${type}; charset=utf-8`);
      expect(plain.headers['cache-control']).toBe('public, max-age=86400');
      expect(plain.headers['content-encoding']).toBeUndefined();
      const zipped = await get(`/graphiql/${asset}`, { 'accept-encoding': 'gzip, deflate' });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.body.length).toBeLessThan(plain.body.length * 0.8); // the css embeds fonts
      expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
      const etag = String(plain.headers.etag);
      expect(etag).toMatch(/^"[\w-]+"$/);
      const again = await get(`/graphiql/${asset}`, { 'if-none-match': etag });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
    }
    expect((await get('/graphiql/../package.json')).status).toBe(404);
    expect((await get('/graphiql/secret.js')).status).toBe(404);
  });
});
