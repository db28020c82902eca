/**
 * What both WebSocket protocols share (DESIGN.md §6 "subscriptions"): the session of a
 * connection, read from the `connection_init` payload `{headers: {…}}` over the upgrade
 * request's own headers (Hasura reads both, the payload winning), with Hasura's rules
 * (runtime/server/session.ts: admin secret, role, session variables, JWT); the per-
 * connection subscription limit and the engine-wide one; and the connection's end when its JWT expires.
 */
import type { IncomingMessage } from 'node:http';
import type { Engine, ExecuteRequest, GraphQLResponse } from '../engine.js';
import { operationOf } from '../live/subscribe.js';
import type { GraphQLErrorJson } from './errors.js';
import type { Session } from './session.js';

export const DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION = 200;
export const JWT_EXPIRED_MESSAGE = 'Could not verify JWT: JWTExpired';

/** Lower-cased headers: the upgrade request's, then the payload's `headers` over them. */
export function connectionHeaders(request: IncomingMessage | undefined, payload: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(request?.headers ?? {})) {
    if (typeof value === 'string') out[name.toLowerCase()] = value;
    else if (Array.isArray(value) && value[0] !== undefined) out[name.toLowerCase()] = value[0];
  }
  // The upgrade's own handshake headers say nothing about the session.
  for (const name of ['sec-websocket-protocol', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'upgrade', 'connection']) delete out[name];
  const given = typeof payload === 'object' && payload !== null ? (payload as { headers?: unknown }).headers : undefined;
  if (typeof given === 'object' && given !== null) {
    for (const [name, value] of Object.entries(given)) if (value !== undefined && value !== null) out[name.toLowerCase()] = String(value);
  }
  return out;
}

export function tooManyPerConnection(limit: number): GraphQLErrorJson {
  return { message: `too many subscriptions on this connection: the limit is ${limit}; stop one or open another connection`, extensions: { path: '$', code: 'validation-failed' } };
}

/** Calls `expired` when the session's JWT expires; returns the canceller. */
export function onSessionExpiry(session: Session, expired: () => void): () => void {
  if (session.expiresAt === undefined) return () => undefined;
  const timer = setTimeout(expired, Math.min(Math.max(0, session.expiresAt * 1000 - Date.now()), 2 ** 31 - 1));
  return () => clearTimeout(timer);
}

export interface WsContext {
  readonly engine: Engine;
  readonly maxSubscriptionsPerConnection: number;
}

/** The engine-wide subscription limit's error when `request` is a subscription and the engine holds its limit. */
export function refusedSubscription(engine: Engine, request: ExecuteRequest): GraphQLErrorJson | undefined {
  return operationOf(request)?.operation === 'subscription' ? engine.live.refusal() : undefined;
}

/** A response whose errors say it never ran (no `data`): sent as the protocol's `error` message. */
export function isRequestError(r: GraphQLResponse): boolean {
  return r.data === undefined && (r.errors?.length ?? 0) > 0;
}
