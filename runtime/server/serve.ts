/**
 * Starts an HTTP server for an engine (reports a busy port clearly) and stops it
 * gracefully: stop accepting, let in-flight requests finish, close the pools.
 */
import { createServer, type Server } from 'node:http';
import { FarjoinError } from '../../compiler/errors.js';
import type { Engine } from '../engine.js';
import { attachWebSocket, type AttachedWebSocket } from './ws.js';

/** The WebSocket server of each server `serve` started, closed first by `shutdown`. */
const sockets = new WeakMap<Server, AttachedWebSocket>();

export function serve(engine: Engine, port: number, host = '0.0.0.0'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(engine.handler);
    sockets.set(server, attachWebSocket(engine, server));
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        reject(new FarjoinError('invalid-configuration', `port ${port} is already in use; stop the other process or pass --port with a free port`));
      } else reject(e);
    });
    server.listen(port, host, () => resolve(server));
  });
}

export interface ShutdownOptions {
  /** After this long, connections still open are cut (default 30 s). */
  readonly drainTimeoutMs?: number;
}

/**
 * Graceful shutdown (SIGTERM): WebSockets close with 1012, the listener closes at once, requests in flight run to
 * completion (keep-alive connections are closed as soon as they are idle), then the
 * engine closes its pools. Connections still busy after `drainTimeoutMs` are cut.
 */
export async function shutdown(server: Server, engine: Engine, options: ShutdownOptions = {}): Promise<void> {
  // WebSockets first: each gets 1012 "shutting server down" (Hasura's close on shutdown).
  await sockets.get(server)?.close();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  const deadline = setTimeout(() => server.closeAllConnections(), options.drainTimeoutMs ?? 30_000);
  server.closeIdleConnections();
  try {
    await closed;
  } finally {
    clearInterval(idle);
    clearTimeout(deadline);
  }
  await engine.close();
}
