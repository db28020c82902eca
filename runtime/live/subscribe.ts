/**
 * `engine.subscribe(request)` and the WebSocket operations (DESIGN.md §6, §9): a
 * subscription becomes a live query or a stream in the poller; a query or mutation sent
 * over the socket runs once through `engine.execute`. Every result is an async iterator
 * of GraphQL responses, ended by the server (errors, JWT expiry, shutdown) or by the
 * consumer (`return()`).
 */
import { getOperationAST, Kind, parse, type OperationDefinitionNode } from 'graphql';
import type { GraphQLRequest } from '../../compiler/index.js';
import type { GraphQLResponse } from '../engine.js';
import { toErrorJson } from '../server/errors.js';
import type { Session } from '../server/session.js';
import type { LiveQueries } from './poller.js';
import { ResponseQueue } from './queue.js';
import { FarjoinError } from '../../compiler/errors.js';

export interface SubscribeDeps {
  readonly live: LiveQueries;
  /** Runs a query or mutation once as `session`. */
  execute(request: GraphQLRequest, session: Session): Promise<GraphQLResponse>;
  /** What a root field of `role`'s schema is (`select-stream` for `T_stream`). */
  /** A root field's kind; with `inner`, the kind of field `inner` of the namespace `field` (root_fields.namespace). */
  rootFieldKind(role: string, field: string, inner?: string): string | undefined;
}

/** The operation a request names, or undefined when the text does not parse (the engine then reports it). */
export function operationOf(request: GraphQLRequest): OperationDefinitionNode | undefined {
  try {
    return getOperationAST(parse(request.query, { maxTokens: 100_000, noLocation: true }), request.operationName ?? undefined) ?? undefined;
  } catch {
    return undefined;
  }
}

export function openSubscription(deps: SubscribeDeps, request: GraphQLRequest, session: Session): AsyncIterableIterator<GraphQLResponse> {
  const operation = operationOf(request);
  if (operation?.operation !== 'subscription') return once(deps.execute(request, session), session.admin);
  const streamKey = streamKeyOf(operation, session.role, deps.rootFieldKind);
  const queue = deps.live.subscribe(request, session, streamKey);
  if (session.expiresAt !== undefined) endAtExpiry(queue, session.expiresAt, session.admin);
  return queue;
}

/** A stream's response key (`namespace.key` for a stream inside a source's namespace); undefined for a live query. */
export function streamKeyOf(operation: OperationDefinitionNode, role: string, rootFieldKind: SubscribeDeps['rootFieldKind']): string | undefined {
  const first = operation.selectionSet.selections[0];
  if (first?.kind !== Kind.FIELD) return undefined;
  if (rootFieldKind(role, first.name.value) === 'select-stream') return (first.alias ?? first.name).value;
  const inner = first.selectionSet?.selections[0];
  return inner?.kind === Kind.FIELD && rootFieldKind(role, first.name.value, inner.name.value) === 'select-stream'
    ? `${(first.alias ?? first.name).value}.${(inner.alias ?? inner.name).value}`
    : undefined;
}

/** Hasura ends a JWT session's subscriptions when the token expires. */
function endAtExpiry(queue: ResponseQueue, expiresAt: number, admin: boolean): void {
  const ms = Math.max(0, expiresAt * 1000 - Date.now());
  const timer = setTimeout(() => {
    queue.close({ errors: [toErrorJson(new FarjoinError('invalid-jwt', 'Could not verify JWT: JWTExpired', { path: '$' }), admin)] });
  }, Math.min(ms, 2 ** 31 - 1));
  timer.unref();
  queue.onClose(() => clearTimeout(timer));
}

function once(result: Promise<GraphQLResponse>, admin: boolean): AsyncIterableIterator<GraphQLResponse> {
  const queue = new ResponseQueue(1, () => undefined);
  result.then((r) => queue.end(r), (e: unknown) => queue.end({ errors: [toErrorJson(e, admin)] }));
  return queue;
}

/** An iterator available at once over one that is still being opened (the session is resolved first). */
export function lazyIterator(
  opening: Promise<AsyncIterableIterator<GraphQLResponse>>, onError: (e: unknown) => GraphQLResponse,
): AsyncIterableIterator<GraphQLResponse> {
  let inner: AsyncIterableIterator<GraphQLResponse> | undefined;
  let stopped = false;
  const ready = opening.then(
    (it) => {
      inner = it;
      if (stopped) void it.return?.();
      return it;
    },
    (e: unknown) => {
      const q = new ResponseQueue(1, () => undefined);
      q.end(onError(e));
      inner = q;
      return q;
    },
  );
  const iterator: AsyncIterableIterator<GraphQLResponse> = {
    next: async () => (stopped ? { value: undefined, done: true } : (await ready).next()),
    return: async () => {
      stopped = true;
      if (inner) await inner.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
