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
  /** How long requests in flight may take to finish before they are cancelled (default 300 ms). */
  readonly drainTimeoutMs?: number;
}

/** Requests in flight get this long to finish on SIGTERM/SIGINT: the process is gone within a second. */
export const DEFAULT_DRAIN_MS = 300;
/** After cancelling, how long the cancelled requests get to send their error before connections are cut. */
const CUT_AFTER_MS = 150;

/**
 * Graceful shutdown (SIGTERM): WebSockets close with 1012, the listener closes at once,
 * requests in flight may finish within `drainTimeoutMs` (keep-alive connections are closed
 * as soon as they are idle); requests still running then are cancelled — their statements
 * cancelled on the sources, their clients told the server is shutting down — and the
 * connections left are cut shortly after; then the engine closes its pools.
 */
export async function shutdown(server: Server, engine: Engine, options: ShutdownOptions = {}): Promise<void> {
  // WebSockets first: each gets 1012 "shutting server down" (Hasura's close on shutdown).
  await sockets.get(server)?.close();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  let cut: NodeJS.Timeout | undefined;
  const deadline = setTimeout(() => {
    engine.cancelRequests();
    cut = setTimeout(() => server.closeAllConnections(), CUT_AFTER_MS);
  }, options.drainTimeoutMs ?? DEFAULT_DRAIN_MS);
  server.closeIdleConnections();
  try {
    await closed;
  } finally {
    clearInterval(idle);
    clearTimeout(deadline);
    clearTimeout(cut);
  }
  await engine.close();
}
