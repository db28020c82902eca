/**
 * Reads metadata (DESIGN.md §3): one YAML/JSON file, or Hasura's exported `metadata/`
 * directory (`version.yaml`, `databases/databases.yaml`, table files pulled in with
 * `!include`, written either as a YAML tag or as the string `"!include file.yaml"`).
 * Includes resolve relative to the including file and may not leave the metadata folder.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { parse as parseYaml, type ScalarTag } from 'yaml';
import { FarjoinError } from '../compiler/errors.js';

const INCLUDE = Symbol('include');
interface IncludeMarker {
  readonly [INCLUDE]: string;
}

const includeTag: ScalarTag = {
  tag: '!include',
  resolve: (value: string) => ({ [INCLUDE]: value }) as IncludeMarker as unknown as string,
};

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new FarjoinError('invalid-configuration', `cannot read metadata file ${path}: ${why}`);
  }
}

async function parseFile(path: string): Promise<unknown> {
  const text = await readText(path);
  try {
    return parseYaml(text, { customTags: [includeTag] });
  } catch (e) {
    throw new FarjoinError('invalid-metadata', `metadata file ${path} is not valid YAML or JSON: ${(e as Error).message}`);
  }
}

/** Where an include was: the position in the resolved document, the file, how it was written. */
export interface IncludeSite {
  readonly at: readonly (string | number)[];
  readonly file: string;
  readonly style: 'tag' | 'string';
}

function includeTarget(v: unknown): string | undefined {
  if (typeof v === 'string') return /^!include\s+(.+)$/.exec(v.trim())?.[1]?.trim();
  if (typeof v === 'object' && v !== null && INCLUDE in v) return (v as IncludeMarker)[INCLUDE];
  return undefined;
}

interface Walk {
  readonly root: string;
  /** Called for every include (the metadata API writes changes back in the same layout). */
  readonly onInclude: ((site: IncludeSite) => void) | undefined;
}

/** Replaces every include in `value` (from `file`) by the included document, recursively. */
async function resolveIncludes(value: unknown, file: string, walk: Walk, depth: number, at: (string | number)[]): Promise<unknown> {
  if (depth > 20) throw new FarjoinError('invalid-metadata', `metadata includes nest more than 20 levels deep (at ${file}); is there an include cycle?`);
  const target = includeTarget(value);
  if (target !== undefined) {
    const path = resolve(dirname(file), target);
    const rel = relative(walk.root, path);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new FarjoinError('invalid-metadata', `metadata file ${file} includes ${target}, which is outside the metadata folder ${walk.root}`);
    }
    walk.onInclude?.({ at: [...at], file: path, style: typeof value === 'string' ? 'string' : 'tag' });
    return resolveIncludes(await parseFile(path), path, walk, depth + 1, at);
  }
  if (Array.isArray(value)) return Promise.all(value.map((v, i) => resolveIncludes(v, file, walk, depth, [...at, i])));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await resolveIncludes(v, file, walk, depth, [...at, k]);
    return out;
  }
  return value;
}

/** The file of an exported metadata directory that holds its sources. */
export function databasesFile(dir: string): string {
  return join(resolve(dir), 'databases', 'databases.yaml');
}

/**
 * Reads a metadata file or an exported metadata directory into one metadata object;
 * `onInclude` hears of every `!include` (positions relative to the document, with a
 * directory's sources under `sources`).
 */
export async function readMetadataFile(path: string, onInclude?: (site: IncludeSite) => void): Promise<unknown> {
  let isDir = false;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new FarjoinError('invalid-configuration', `cannot read metadata ${path}: no such file or directory`);
  }
  if (!isDir) return resolveIncludes(await parseFile(path), resolve(path), { root: dirname(resolve(path)), onInclude }, 0, []);
  const root = resolve(path);
  const databases = databasesFile(root);
  try {
    await stat(databases);
  } catch {
    throw new FarjoinError('invalid-configuration', `${path} is a directory but has no databases/databases.yaml; pass a metadata file, or Hasura's exported metadata/ folder`);
  }
  let version: unknown = 3;
  try {
    version = ((await parseFile(join(root, 'version.yaml'))) as { version?: unknown } | null)?.version ?? 3;
  } catch {
    version = 3;
  }
  const sources = await resolveIncludes(await parseFile(databases), databases, { root, onInclude }, 0, ['sources']);
  return { version, sources, ...(await topLevelFiles(root)) };
}

/**
 * The other files of Hasura's exported metadata directory, each holding one top-level key
 * of export_metadata (`actions.yaml` holds two: `actions` and `custom_types`). They are read
 * so that what farjoin serves (allow-list, query collections, API limits …) applies and what
 * it does not (actions, remote schemas, cron triggers …) is reported, not silently dropped.
 */
const TOP_LEVEL_FILES: readonly (readonly [file: string, key: string | null])[] = [
  ['actions.yaml', null], ['allow_list.yaml', 'allowlist'], ['api_limits.yaml', 'api_limits'],
  ['backend_configs.yaml', 'backend_configs'], ['cron_triggers.yaml', 'cron_triggers'],
  ['graphql_schema_introspection.yaml', 'graphql_schema_introspection'], ['inherited_roles.yaml', 'inherited_roles'],
  ['metrics_config.yaml', 'metrics_config'], ['network.yaml', 'network'], ['opentelemetry.yaml', 'opentelemetry'],
  ['query_collections.yaml', 'query_collections'], ['remote_schemas.yaml', 'remote_schemas'], ['rest_endpoints.yaml', 'rest_endpoints'],
];

function isEmptyValue(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

async function topLevelFiles(root: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [file, key] of TOP_LEVEL_FILES) {
    const path = join(root, file);
    try {
      if (!(await stat(path)).isFile()) continue;
    } catch {
      continue;
    }
    // Only the sources are written back (persistence-file.ts), so these includes are not recorded.
    const value = await resolveIncludes(await parseFile(path), path, { root, onInclude: undefined }, 0, key ? [key] : []);
    if (key !== null) {
      if (!isEmptyValue(value)) out[key] = value;
      continue;
    }
    // actions.yaml: {actions: [...], custom_types: {...}}
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) if (!isEmptyValue(v)) out[k] = v;
    } else if (!isEmptyValue(value)) {
      throw new FarjoinError('invalid-metadata', `metadata file ${path} should hold an object with "actions" and "custom_types"`);
    }
  }
  return out;
}
