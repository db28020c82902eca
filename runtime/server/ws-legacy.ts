/**
 * The legacy `graphql-ws` subprotocol of subscriptions-transport-ws, which many Apollo
 * clients still speak (and Hasura's default when a client names no subprotocol):
 *
 *   client → server: connection_init {payload}, start {id, payload}, stop {id}, connection_terminate
 *   server → client: connection_ack, connection_error {payload}, ka, data {id, payload},
 *                    error {id, payload}, complete {id}
 *
 * `ka` follows the ack and repeats every `keepAliveMs`. A failed `connection_init` gets
 * `connection_error` and the socket closes with 4400 (Hasura's "Connection
 * initialization failed"); an expired JWT does the same with `Could not verify JWT:
 * JWTExpired`. An operation that cannot compile gets `error`; results are `data`, then
 * `complete` when the server ends the operation.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { ExecuteRequest, GraphQLResponse } from '../engine.js';
import { toErrorJson } from './errors.js';
import type { Session } from './session.js';
import { connectionHeaders, JWT_EXPIRED_MESSAGE, onSessionExpiry, refusedSubscription, tooManyPerConnection, type WsContext } from './ws-session.js';

export const LEGACY_PROTOCOL = 'graphql-ws';

type Message = { type?: unknown; id?: unknown; payload?: unknown };

export function legacyConnection(socket: WebSocket, request: IncomingMessage, context: WsContext, keepAliveMs: number): void {
  const { engine } = context;
  const operations = new Map<string, AsyncIterableIterator<GraphQLResponse>>();
  let session: Session | undefined;
  /** connection_init's session while it resolves: clients send `start` without waiting for the ack. */
  let initializing: Promise<unknown> | undefined;
  let cancelExpiry: () => void = () => undefined;
  let keepAlive: NodeJS.Timeout | undefined;

  const send = (message: object): Promise<void> => new Promise((resolve) => {
    if (socket.readyState !== socket.OPEN) return resolve();
    socket.send(JSON.stringify(message), () => resolve());
  });
  const fail = (message: string): void => {
    void send({ type: 'connection_error', payload: { message } }).then(() => socket.close(4400, message.slice(0, 120)));
  };
  const stopAll = (): void => {
    for (const it of operations.values()) void it.return?.();
    operations.clear();
  };

  const start = async (id: string, payload: unknown): Promise<void> => {
    if (!session && initializing) await initializing;
    if (!session) return void send({ type: 'error', id, payload: { message: 'the connection is not initialised', extensions: { path: '$', code: 'access-denied' } } });
    if (operations.has(id)) return void send({ type: 'error', id, payload: { message: `an operation with id ${id} is already running`, extensions: { path: '$', code: 'validation-failed' } } });
    const p = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
    const req: ExecuteRequest = {
      query: typeof p.query === 'string' ? p.query : '',
      variables: (p.variables ?? null) as ExecuteRequest['variables'],
      operationName: typeof p.operationName === 'string' ? p.operationName : null,
    };
    const invalid = engine.check(req, session);
    if (invalid) return void send({ type: 'error', id, payload: invalid[0] });
    if (operations.size >= context.maxSubscriptionsPerConnection) return void send({ type: 'error', id, payload: tooManyPerConnection(context.maxSubscriptionsPerConnection) });
    const full = refusedSubscription(engine, req);
    if (full) return void send({ type: 'error', id, payload: full });
    const results = engine.subscribeAs(req, session);
    operations.set(id, results);
    try {
      for await (const response of results) {
        await send({ type: 'data', id, payload: response }); // waits for the socket: a slow reader fills the bounded queue
      }
    } finally {
      if (operations.get(id) === results) {
        operations.delete(id);
        await send({ type: 'complete', id });
      }
    }
  };

  socket.on('message', (raw) => {
    // An exception here would escape the socket's event handler and end the process: it ends
    // this connection instead (1011), logged with its stack.
    try {
      onMessage(raw);
    } catch (e) {
      engine.logger.error({ err: { message: (e as Error)?.message, stack: (e as Error)?.stack } }, 'legacy graphql-ws message failed');
      stopAll();
      socket.close(1011, 'internal error');
    }
  });

  const onMessage = (raw: WebSocket.RawData): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(raw));
    } catch {
      return fail('Parsing client message failed: not JSON');
    }
    // `null`, a number or a list parse as JSON too: refused like any malformed frame, never a throw.
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('Parsing client message failed: not an object');
    const message = parsed as Message;
    const id = typeof message.id === 'string' || typeof message.id === 'number' ? String(message.id) : undefined;
    switch (message.type) {
      case 'connection_init':
        initializing = engine.session(connectionHeaders(request, message.payload)).then((s) => {
          session = s;
          cancelExpiry();
          cancelExpiry = onSessionExpiry(s, () => {
            stopAll();
            fail(JWT_EXPIRED_MESSAGE);
          });
          void send({ type: 'connection_ack' });
          void send({ type: 'ka' });
          keepAlive ??= setInterval(() => void send({ type: 'ka' }), keepAliveMs);
        }, (e: unknown) => fail(`Connection initialization failed: ${toErrorJson(e, false).message}`));
        return;
      case 'start':
        if (id === undefined) return fail('Parsing client message failed: "start" needs an id');
        start(id, message.payload).catch((e: unknown) => {
          operations.delete(id);
          void send({ type: 'error', id, payload: toErrorJson(e, session?.admin ?? false) });
        });
        return;
      case 'stop': {
        const it = id === undefined ? undefined : operations.get(id);
        if (id !== undefined && it) {
          operations.delete(id);
          void it.return?.();
          void send({ type: 'complete', id });
        }
        return;
      }
      case 'connection_terminate':
        stopAll();
        socket.close(1000, 'connection terminated');
        return;
      default:
        return fail(`Parsing client message failed: unknown message type ${JSON.stringify(message.type)}`);
    }
  };
  socket.on('close', () => {
    cancelExpiry();
    if (keepAlive) clearInterval(keepAlive);
    stopAll();
  });
}
