/**
 * The top level of raw metadata (already parsed from YAML/JSON by the runtime), and the
 * qualified-table shorthand. Errors name their metadata path.
 */
import { MetadataError } from '../errors.js';
import type { Metadata } from './types.js';

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function expectObject(v: Json, path: string, what: string): Record<string, Json> {
  if (!isObject(v)) throw new MetadataError(`${what} must be an object`, path);
  return v;
}

function expectArray(v: Json, path: string, what: string): Json[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new MetadataError(`${what} must be a list`, path);
  return v;
}

function expectString(v: Json, path: string, what: string): string {
  if (typeof v !== 'string' || v === '') throw new MetadataError(`${what} must be a non-empty string`, path);
  return v;
}

/** Hasura accepts `table: orders` as shorthand for `{schema: public, name: orders}`. */
export function parseQualifiedTable(v: Json, path: string): { schema: string; name: string } {
  if (typeof v === 'string') return { schema: 'public', name: v };
  const o = expectObject(v, path, 'table');
  return {
    schema: o.schema === undefined ? 'public' : expectString(o.schema, `${path}.schema`, 'table schema'),
    name: expectString(o.name, `${path}.name`, 'table name'),
  };
}

/**
 * Reads the top level: an object with version 3 and a list of sources. This is the only
 * check that stops start-up (DESIGN.md §3, "cannot be parsed at all"); every object inside
 * is checked by `checkMetadataShape` (shape.ts) and, when wrong, reported as inconsistent.
 */
export function parseMetadata(raw: Json): Metadata {
  const root = expectObject(raw, '$', 'metadata');
  if (root.version !== undefined && root.version !== 3) {
    throw new MetadataError(`unsupported metadata version ${JSON.stringify(root.version)}; farjoin reads Hasura v2 metadata version 3`, '$.version');
  }
  const sources = expectArray(root.sources, '$.sources', 'sources');
  return { ...root, version: 3, sources } as unknown as Metadata;
}
