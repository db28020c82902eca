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

function includeTarget(v: unknown): string | undefined {
  if (typeof v === 'string') return /^!include\s+(.+)$/.exec(v.trim())?.[1]?.trim();
  if (typeof v === 'object' && v !== null && INCLUDE in v) return (v as IncludeMarker)[INCLUDE];
  return undefined;
}

/** Replaces every include in `value` (from `file`) by the included document, recursively. */
async function resolveIncludes(value: unknown, file: string, root: string, depth: number): Promise<unknown> {
  if (depth > 20) throw new FarjoinError('invalid-metadata', `metadata includes nest more than 20 levels deep (at ${file}); is there an include cycle?`);
  const target = includeTarget(value);
  if (target !== undefined) {
    const path = resolve(dirname(file), target);
    const rel = relative(root, path);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new FarjoinError('invalid-metadata', `metadata file ${file} includes ${target}, which is outside the metadata folder ${root}`);
    }
    return resolveIncludes(await parseFile(path), path, root, depth + 1);
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveIncludes(v, file, root, depth)));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await resolveIncludes(v, file, root, depth);
    return out;
  }
  return value;
}

/** Reads a metadata file or an exported metadata directory into one metadata object. */
export async function readMetadataFile(path: string): Promise<unknown> {
  let isDir = false;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new FarjoinError('invalid-configuration', `cannot read metadata ${path}: no such file or directory`);
  }
  if (!isDir) return resolveIncludes(await parseFile(path), resolve(path), dirname(resolve(path)), 0);
  const root = resolve(path);
  const databases = join(root, 'databases', 'databases.yaml');
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
  const sources = await resolveIncludes(await parseFile(databases), databases, root, 0);
  return { version, sources };
}
