/**
 * farjoin: one GraphQL API over several PostgreSQL databases, with remote database
 * relationships. `createEngine` is the library entry point (DESIGN.md §6).
 */
export { createEngine, Engine } from './runtime/engine.js';
export type { EngineLimits, EngineOptions, LiveQueryOptions, ExecuteRequest, ExplainResponse, GraphQLResponse, RequestTrace } from './runtime/engine.js';
export type { PlanCacheStats } from './runtime/plan-cache.js';
export { serve, shutdown } from './runtime/server/serve.js';
export type { ShutdownOptions } from './runtime/server/serve.js';
export { attachWebSocket } from './runtime/server/ws.js';
export type { AttachedWebSocket, WebSocketOptions } from './runtime/server/ws.js';
export { createLogger } from './runtime/server/log.js';
export type { EngineLogger } from './runtime/server/log.js';
export type { GraphQLErrorJson } from './runtime/server/errors.js';
export type { ExplainJson } from './compiler/explain/json.js';
export { FarjoinError } from './compiler/errors.js';
