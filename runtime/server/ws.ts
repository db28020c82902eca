/**
 * WebSocket upgrade on `/v1/graphql` (DESIGN.md §6 "subscriptions"): a client offering
 * `graphql-transport-ws` gets the graphql-ws library's server (ws-transport.ts); one
 * offering the legacy `graphql-ws`, or no subprotocol at all (Hasura's default), gets the
 * subscriptions-transport-ws protocol (ws-legacy.ts). Mountable on any `http.Server`:
 * `attachWebSocket(engine, server)`; `close()` closes every socket with 1012 ("server is
 * restarting", Hasura's code on shutdown, which good clients retry) and stops listening
 * for upgrades.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import type { Engine } from '../engine.js';
import { legacyConnection, LEGACY_PROTOCOL } from './ws-legacy.js';
import { DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION } from './ws-session.js';
import { useTransportWs } from './ws-transport.js';

export interface WebSocketOptions {
  /** Upgrade path (default `/v1/graphql`). */
  readonly path?: string;
  /** Subscriptions one connection may hold (default: the engine's `liveQueries.maxSubscriptionsPerConnection`, else 200). */
  readonly maxSubscriptionsPerConnection?: number;
  /** Keep-alive period: pings (graphql-transport-ws) and `ka` (legacy), in ms (default 5,000, Hasura's). */
  readonly keepAliveMs?: number;
}

export interface AttachedWebSocket {
  /** Open sockets of both protocols. */
  connections(): number;
  close(): Promise<void>;
}

export const SHUTDOWN_CLOSE_CODE = 1012;

function offered(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  return (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((p) => p.trim()).filter(Boolean);
}

export function attachWebSocket(engine: Engine, server: Server, options: WebSocketOptions = {}): AttachedWebSocket {
  const path = options.path ?? '/v1/graphql';
  const keepAliveMs = options.keepAliveMs ?? 5000;
  const context = {
    engine,
    maxSubscriptionsPerConnection: options.maxSubscriptionsPerConnection ?? engine.liveOptions.maxSubscriptionsPerConnection ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION,
  };
  const modern = new WebSocketServer({ noServer: true });
  const transport = useTransportWs(modern, context, keepAliveMs);
  const legacy = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has(LEGACY_PROTOCOL) ? LEGACY_PROTOCOL : false) });
  legacy.on('connection', (socket, request: IncomingMessage) => legacyConnection(socket, request, context, keepAliveMs));

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if ((url.pathname.replace(/\/+$/, '') || '/') !== path) return; // another handler's upgrade
    const target = offered(req).includes(GRAPHQL_TRANSPORT_WS_PROTOCOL) ? modern : legacy;
    target.handleUpgrade(req, socket, head, (ws) => target.emit('connection', ws, req));
  };
  server.on('upgrade', onUpgrade);
  const uncount = engine.metrics.countSockets(() => modern.clients.size + legacy.clients.size);

  return {
    connections: () => modern.clients.size + legacy.clients.size,
    close: async () => {
      server.off('upgrade', onUpgrade);
      uncount();
      const sockets = [...modern.clients, ...legacy.clients];
      const closed = Promise.all(sockets.map((s) => new Promise<void>((resolve) => {
        if (s.readyState === s.CLOSED) return resolve();
        s.once('close', () => resolve());
        const force = setTimeout(() => s.terminate(), 2000);
        force.unref();
        s.close(SHUTDOWN_CLOSE_CODE, 'shutting server down');
      })));
      await closed;
      await transport.dispose();
      await new Promise<void>((resolve) => legacy.close(() => resolve()));
    },
  };
}
