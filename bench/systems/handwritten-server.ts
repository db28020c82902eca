/**
 * Baseline (c) behind an HTTP server, for the per-request cost (issue 17: "so the floor is
 * visible"): Node's http server, the body parsed for `variables.n`, and the hand-written
 * `pg` + `= ANY` + `Map` join (bench/systems/handwritten.ts) answering the object query.
 * It reads nothing else of the request: it is the least a server can do for that answer.
 */
import { createServer, type Server } from 'node:http';
import type { BenchUrls } from '../schema.js';
import { Handwritten } from './handwritten.js';

export interface HandwrittenServer {
  readonly server: Server;
  close(): Promise<void>;
}

export function createHandwrittenServer(urls: BenchUrls): HandwrittenServer {
  const hw = new Handwritten(urls);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = Number((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables?: { n?: unknown } }).variables?.n);
      hw.orders(n).then(
        (text) => res.writeHead(200, { 'content-type': 'application/json' }).end(text),
        (e: unknown) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: String(e) }] })),
      );
    });
  });
  return {
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await hw.close();
    },
  };
}
