/**
 * The `graphql-transport-ws` subprotocol through the `graphql-ws` library's server: it
 * speaks the protocol (connection_init/ack, ping/pong, subscribe/next/error/complete,
 * Hasura's close codes 4400/4403/4408/4409); farjoin supplies the session at
 * `connection_init`, checks each operation with the compiler (an invalid one gets an
 * `error` message), and hands the library the engine's async iterator of responses.
 */
import { createRequire } from 'node:module';
import { parse } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { WebSocketServer } from 'ws';
import type { ExecuteRequest, GraphQLResponse } from '../engine.js';
import type { GraphQLErrorJson } from './errors.js';
import type { Session } from './session.js';
import { connectionHeaders, JWT_EXPIRED_MESSAGE, onSessionExpiry, refusedSubscription, tooManyPerConnection, type WsContext } from './ws-session.js';

interface ConnectionState {
  session?: Session;
  cancelExpiry?: () => void;
  active: number;
}

/** What `subscribe`/`execute` receive from `onSubscribe`, in the execution args' context. */
interface Prepared {
  readonly results: AsyncIterableIterator<GraphQLResponse>;
}

/**
 * graphql-ws tells errors from execution args by `instanceof GraphQLError` of the graphql
 * module *it* loads — Node's resolution of the package (its CommonJS main). Bundlers and
 * test runners may give this file the ESM build instead, a different class; so the errors
 * are made with the class graphql-ws sees.
 */
const { GraphQLError } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

function graphqlErrors(errors: readonly GraphQLErrorJson[]): InstanceType<typeof GraphQLError>[] {
  return errors.map((e) => new GraphQLError(e.message, { extensions: e.extensions }));
}

export function useTransportWs(ws: WebSocketServer, context: WsContext, keepAliveMs: number): { dispose(): void | Promise<void> } {
  const { engine } = context;
  const states = new WeakMap<object, ConnectionState>();
  const stateOf = (extra: object): ConnectionState => {
    let s = states.get(extra);
    if (!s) states.set(extra, (s = { active: 0 }));
    return s;
  };
  const results = (args: { contextValue?: unknown }): AsyncIterableIterator<GraphQLResponse> => (args.contextValue as Prepared).results;
  return useServer<Record<string, unknown> | undefined, { socket: import('ws').WebSocket; request: import('node:http').IncomingMessage }>({
    onConnect: async (ctx) => {
      try {
        const session = await engine.session(connectionHeaders(ctx.extra.request, ctx.connectionParams));
        const state = stateOf(ctx.extra);
        state.session = session;
        state.cancelExpiry = onSessionExpiry(session, () => ctx.extra.socket.close(CloseCode.Forbidden, JWT_EXPIRED_MESSAGE));
        return true;
      } catch {
        return false; // 4403 Forbidden, as Hasura closes a graphql-transport-ws connection whose init fails
      }
    },
    onDisconnect: (ctx) => stateOf(ctx.extra).cancelExpiry?.(),
    onClose: (ctx) => stateOf(ctx.extra).cancelExpiry?.(),
    onSubscribe: (ctx, _id, payload) => {
      const state = stateOf(ctx.extra);
      const session = state.session;
      if (!session) return graphqlErrors([{ message: 'the connection is not initialised', extensions: { path: '$', code: 'access-denied' } }]);
      const request: ExecuteRequest = { query: payload.query, variables: payload.variables ?? null, operationName: payload.operationName ?? null };
      const invalid = engine.check(request, session);
      if (invalid) return graphqlErrors(invalid);
      if (state.active >= context.maxSubscriptionsPerConnection) return graphqlErrors([tooManyPerConnection(context.maxSubscriptionsPerConnection)]);
      const full = refusedSubscription(engine, request);
      if (full) return graphqlErrors([full]);
      state.active++;
      const iterator = engine.subscribeAs(request, session);
      const done = iterator.return?.bind(iterator);
      let counted = true;
      const release = (): void => {
        if (counted) state.active--;
        counted = false;
      };
      const prepared: Prepared = {
        results: {
          next: async () => {
            const r = await iterator.next();
            if (r.done) release();
            return r;
          },
          return: async () => {
            release();
            return (await done?.()) ?? { value: undefined, done: true };
          },
          [Symbol.asyncIterator]() {
            return this;
          },
        },
      };
      return { schema: engine.compiler.schemaFor(session.role).schema, document: parse(payload.query), operationName: payload.operationName ?? null, variableValues: payload.variables ?? null, contextValue: prepared };
    },
    // The library's result type is graphql-js's ExecutionResult; ours has the same JSON shape.
    subscribe: (args) => results(args) as never,
    execute: (args) => results(args) as never,
    // Responses already have Hasura's JSON error shape: send them as they are.
    onNext: (_ctx, _id, _payload, _args, result) => result,
  }, ws, keepAliveMs);
}
