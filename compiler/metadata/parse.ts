/**
 * Structural validation of raw metadata (already parsed from YAML/JSON by the runtime).
 * Every error names its metadata path, e.g. `$.sources[0].tables[1].remote_relationships[0]`.
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

function checkUniqueNames(items: Json[], path: string, what: string): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const name = isObject(item) ? item.name : undefined;
    if (typeof name === 'string') {
      if (seen.has(name)) throw new MetadataError(`duplicate ${what} name "${name}"`, `${path}[${i}].name`);
      seen.add(name);
    }
  });
}

/** Validates the overall shape and returns the typed metadata; deeper checks happen in resolve. */
export function parseMetadata(raw: Json): Metadata {
  const root = expectObject(raw, '$', 'metadata');
  if (root.version !== undefined && root.version !== 3) {
    throw new MetadataError(`unsupported metadata version ${JSON.stringify(root.version)}; farjoin reads Hasura v2 metadata version 3`, '$.version');
  }
  const sources = expectArray(root.sources, '$.sources', 'sources');
  checkUniqueNames(sources, '$.sources', 'source');
  sources.forEach((s, i) => {
    const sp = `$.sources[${i}]`;
    const so = expectObject(s, sp, 'source');
    expectString(so.name, `${sp}.name`, 'source name');
    if (so.kind !== undefined && so.kind !== 'postgres') {
      throw new MetadataError(`source kind "${String(so.kind)}" is not supported; farjoin serves postgres sources`, `${sp}.kind`);
    }
    const conf = expectObject(so.configuration, `${sp}.configuration`, 'source configuration');
    const ci = expectObject(conf.connection_info, `${sp}.configuration.connection_info`, 'connection_info');
    const url = ci.database_url;
    const up = `${sp}.configuration.connection_info.database_url`;
    if (isObject(url)) expectString(url.from_env, `${up}.from_env`, 'from_env');
    else expectString(url, up, 'database_url');
    expectArray(so.functions, `${sp}.functions`, 'functions').forEach((f, k) => {
      parseQualifiedTable(expectObject(f, `${sp}.functions[${k}]`, 'function entry').function, `${sp}.functions[${k}].function`);
    });
    const tables = expectArray(so.tables, `${sp}.tables`, 'tables');
    tables.forEach((t, j) => {
      const tp = `${sp}.tables[${j}]`;
      const to = expectObject(t, tp, 'table entry');
      parseQualifiedTable(to.table, `${tp}.table`);
      // Relationship names share one namespace per table (they are all GraphQL fields).
      const relNames = new Map<string, string>();
      for (const key of ['object_relationships', 'array_relationships', 'remote_relationships', 'computed_fields', 'select_permissions'] as const) {
        const list = expectArray(to[key], `${tp}.${key}`, key);
        list.forEach((r, k) => expectObject(r, `${tp}.${key}[${k}]`, key));
        if (key !== 'select_permissions') {
          list.forEach((r, k) => {
            const rp = `${tp}.${key}[${k}].name`;
            const name = expectString((r as Record<string, Json>).name, rp, key === 'computed_fields' ? 'computed field name' : 'relationship name');
            const first = relNames.get(name);
            if (first) throw new MetadataError(`duplicate relationship name "${name}" (first defined at ${first})`, rp);
            relNames.set(name, rp);
          });
        }
      }
    });
  });
  return { version: 3, sources: sources as unknown as Metadata['sources'] };
}
