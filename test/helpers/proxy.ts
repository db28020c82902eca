/**
 * A TCP proxy in front of a real Postgres server, to make a source unreachable and bring
 * it back in tests: `close()` drops every connection and stops listening (the port then
 * refuses), `open()` listens on the same port again.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Proxy {
  /** Listens on the port (again) and forwards to the target. */
  open(): Promise<void>;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

/** A proxy on `port` forwarding to `target` (the URL of the real server); not listening until `open()`. */
export function proxyTo(port: number, target: URL): Proxy {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  return {
    open: async () => {
      if (server) return;
      server = createServer((client) => {
        const upstream = connect(Number(target.port), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => { client.destroy(); upstream.destroy(); });
          s.on('close', () => sockets.delete(s));
        }
        client.pipe(upstream).pipe(client);
      });
      const listening = server;
      await new Promise<void>((r) => listening.listen(port, '127.0.0.1', r));
    },
    close: () => new Promise<void>((r) => {
      const closing = server;
      server = undefined;
      for (const s of sockets) s.destroy();
      if (!closing) r();
      else closing.close(() => r());
    }),
  };
}

/** `url` with its host and port replaced by the proxy's. */
export function viaPort(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}
