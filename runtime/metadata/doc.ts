/**
 * The metadata document as the API edits it: plain JSON in Hasura's export_metadata shape
 * (version 3). Operations work on a private copy and keep every key they do not know
 * (functions, actions, remote schemas …), so `export_metadata` gives back what was put in.
 */
import { apiError } from './errors.js';

export type Json = unknown;
export type JsonObject = Record<string, Json>;

export interface RawTable extends JsonObject {
  table: Json;
}

export interface RawSource extends JsonObject {
  name: string;
  tables: RawTable[];
}

export interface RawMetadata extends JsonObject {
  version: 3;
  sources: RawSource[];
}

export interface QualifiedName {
  readonly schema: string;
  readonly name: string;
}

export const EMPTY_METADATA: RawMetadata = { version: 3, sources: [] };

export function isObject(v: Json): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A copy the operations may change; the original stays as it was (bulk rolls back by dropping the copy). */
export function cloneMetadata(raw: Json): RawMetadata {
  const md = (isObject(raw) ? structuredClone(raw) : {}) as JsonObject;
  const sources = Array.isArray(md.sources) ? md.sources : [];
  for (const s of sources) if (isObject(s) && !Array.isArray(s.tables)) s.tables = [];
  return { ...md, version: 3, sources: sources as RawSource[] };
}

export function args(v: Json, path = '$.args'): JsonObject {
  if (!isObject(v)) throw apiError('parse-failed', 'expecting an object for the arguments', path);
  return v;
}

export function requireString(o: JsonObject, key: string, path = '$.args'): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw apiError('parse-failed', `key "${key}" not found`, path);
  return v;
}

export function optionalString(o: JsonObject, key: string): string | undefined {
  return typeof o[key] === 'string' ? o[key] : undefined;
}

/** Hasura's `table` argument: `"author"` or `{schema, name}` (schema defaults to public). */
export function qualifiedName(v: Json, path: string): QualifiedName {
  if (typeof v === 'string' && v !== '') return { schema: 'public', name: v };
  if (isObject(v) && typeof v.name === 'string' && v.name !== '') {
    return { schema: typeof v.schema === 'string' && v.schema !== '' ? v.schema : 'public', name: v.name };
  }
  throw apiError('parse-failed', 'expecting a table name or an object {schema, name}', path);
}

export function sameName(a: QualifiedName, b: QualifiedName): boolean {
  return a.schema === b.schema && a.name === b.name;
}

/** Hasura prints tables without the schema when it is public. */
export function showName(t: QualifiedName): string {
  return t.schema === 'public' ? t.name : `${t.schema}.${t.name}`;
}

/** The source an operation names (`source`, default `"default"` as in Hasura). */
export function sourceOf(md: RawMetadata, a: JsonObject): RawSource {
  const name = typeof a.source === 'string' ? a.source : 'default';
  return findSource(md, name);
}

export function findSource(md: RawMetadata, name: string): RawSource {
  const s = md.sources.find((x) => x.name === name);
  if (!s) throw apiError('not-exists', `source with name "${name}" does not exist`);
  return s;
}

export function tableName(t: RawTable): QualifiedName {
  return qualifiedName(t.table, '$.table');
}

export function findTable(source: RawSource, name: QualifiedName): RawTable | undefined {
  return source.tables.find((t) => sameName(tableName(t), name));
}

/** The tracked table an operation names, or Hasura's not-exists error. */
export function trackedTable(source: RawSource, name: QualifiedName): RawTable {
  const t = findTable(source, name);
  if (!t) throw apiError('not-exists', `table "${showName(name)}" does not exist in source: ${source.name}`);
  return t;
}

/** The list under `key` of a table entry, created when absent. */
export function listOf(t: JsonObject, key: string): JsonObject[] {
  if (!Array.isArray(t[key])) t[key] = [];
  return t[key] as JsonObject[];
}

/** Removes `key` when its list became empty, as Hasura's export omits empty lists. */
export function dropEmpty(t: JsonObject, key: string): void {
  if (Array.isArray(t[key]) && (t[key] as unknown[]).length === 0) delete t[key];
}
