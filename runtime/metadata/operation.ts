/**
 * One metadata operation: a function `metadata + args → metadata` that edits the private
 * copy it is given (or throws a MetadataApiError), plus what it answers. Operations do no
 * I/O; what they need to know about the databases comes from the last introspection.
 */
import type { SourceCatalog } from '../../compiler/catalog/types.js';
import type { Json, JsonObject, RawMetadata } from './doc.js';

export interface OpContext {
  /** A source's catalog as last introspected; undefined for a source not connected yet. */
  catalog(source: string): SourceCatalog | undefined;
}

export interface MutatingOperation {
  readonly kind: 'mutate';
  /** Edits `md` in place; returns the response (default `{"message":"success"}`). */
  readonly run: (md: RawMetadata, args: JsonObject, ctx: OpContext) => Json | void;
}

export interface ReadOperation {
  readonly kind: 'read';
  readonly run: (md: RawMetadata, args: JsonObject, ctx: OpContext) => Json;
}

export type Operation = MutatingOperation | ReadOperation;

export const SUCCESS = { message: 'success' } as const;

export function mutate(run: MutatingOperation['run']): MutatingOperation {
  return { kind: 'mutate', run };
}

export function read(run: ReadOperation['run']): ReadOperation {
  return { kind: 'read', run };
}
