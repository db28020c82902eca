/**
 * farjoin: one GraphQL API over several PostgreSQL databases, with remote database
 * relationships. `createEngine` is the library entry point (DESIGN.md §6).
 */
export { createEngine, Engine } from './runtime/engine.js';
export type { EngineLimits, EngineOptions, ExecuteRequest, ExplainResponse, GraphQLResponse } from './runtime/engine.js';
export { serve } from './runtime/server/serve.js';
export type { ExplainJson } from './compiler/explain/json.js';
export { FarjoinError } from './compiler/errors.js';
