/**
 * `farjoin metadata export|apply|diff --endpoint URL [--admin-secret S] [--file F]`
 * (DESIGN.md §6), for CI, as the Hasura CLI works: talks to a running server's
 * `/v1/metadata`. `--file` is a YAML/JSON file or Hasura's exported `metadata/` folder.
 *
 * - export writes the server's metadata to the file (a folder gets Hasura's layout:
 *   version.yaml, databases/databases.yaml, one file per table), or prints YAML;
 * - apply sends the file with `replace_metadata` (v2): all of it or nothing;
 * - diff prints what apply would change, and exits 1 when there is a difference.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { databasesFile, readMetadataFile } from '../runtime/metadata-file.js';
import { isObject, qualifiedName, type RawSource } from '../runtime/metadata/doc.js';
import { planFiles, serialize, type Layout } from '../runtime/metadata/layout.js';
import { writeAtomically } from '../runtime/metadata/persistence-file.js';
import { lineDiff } from './line-diff.js';

export interface MetadataCliOptions {
  readonly endpoint?: string;
  readonly adminSecret?: string;
  readonly file?: string;
}

class CliError extends Error {}

async function call(o: MetadataCliOptions, body: unknown): Promise<unknown> {
  const base = (o.endpoint ?? process.env.HASURA_GRAPHQL_ENDPOINT ?? 'http://localhost:8080').replace(/\/+$/, '');
  const secret = o.adminSecret ?? process.env.HASURA_GRAPHQL_ADMIN_SECRET ?? process.env.FARJOIN_ADMIN_SECRET;
  let response: Response;
  try {
    response = await fetch(`${base}/v1/metadata`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { 'x-hasura-admin-secret': secret } : {}) },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new CliError(`cannot reach ${base}/v1/metadata: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`);
  }
  const answer = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!response.ok) {
    const detail = isObject(answer) ? `${String(answer.error)} (${String(answer.code)} at ${String(answer.path)})` : `HTTP ${response.status}`;
    const internal = isObject(answer) && Array.isArray(answer.internal)
      ? answer.internal.map((x) => `\n  - ${isObject(x) ? `${String(x.path ?? x.name)}: ${String(x.reason)}` : JSON.stringify(x)}`).join('') : '';
    throw new CliError(`the server refused: ${detail}${internal}`);
  }
  return answer;
}

function defaultFile(o: MetadataCliOptions): string {
  if (o.file) return o.file;
  return existsSync('metadata') && statSync('metadata').isDirectory() ? 'metadata' : 'metadata.yaml';
}

function isDirectoryTarget(path: string): boolean {
  return path.endsWith('/') || (existsSync(path) && statSync(path).isDirectory()) || extname(path) === '';
}

/** Hasura's export layout for `sources`: each source's tables in databases/<source>/tables/. */
function hasuraLayout(dir: string, sources: readonly RawSource[]): Layout {
  const layout: Layout = new Map();
  for (const s of sources) {
    const tablesDir = join(dir, 'databases', s.name, 'tables');
    layout.set(JSON.stringify(['sources', `name:${s.name}`, 'tables']), { file: join(tablesDir, 'tables.yaml'), style: 'string' });
    for (const t of s.tables ?? []) {
      const q = qualifiedName(t.table, '$');
      layout.set(JSON.stringify(['sources', `name:${s.name}`, 'tables', `table:${q.schema}.${q.name}`]), { file: join(tablesDir, `${q.schema}_${q.name}.yaml`), style: 'string' });
    }
  }
  return layout;
}

export async function runExport(o: MetadataCliOptions): Promise<number> {
  const metadata = await call(o, { type: 'export_metadata', version: 1, args: {} }) as { sources?: RawSource[] };
  if (!o.file) {
    process.stdout.write(toYaml(metadata));
    return 0;
  }
  if (isDirectoryTarget(o.file)) {
    const sources = metadata.sources ?? [];
    await mkdir(join(o.file, 'databases'), { recursive: true });
    const { files } = planFiles(sources, ['sources'], databasesFile(o.file), hasuraLayout(o.file, sources));
    for (const f of files) await writeAtomically(f.path, f.text);
    await writeAtomically(join(o.file, 'version.yaml'), 'version: 3\n');
  } else {
    await writeAtomically(o.file, serialize(metadata, o.file));
  }
  console.error(`farjoin: metadata exported to ${o.file}`);
  return 0;
}

export async function runApply(o: MetadataCliOptions): Promise<number> {
  const file = defaultFile(o);
  const metadata = await readMetadataFile(file);
  await call(o, { type: 'replace_metadata', version: 2, args: { allow_inconsistent_metadata: false, metadata } });
  console.error(`farjoin: metadata from ${file} applied`);
  return 0;
}

export async function runDiff(o: MetadataCliOptions): Promise<number> {
  const file = defaultFile(o);
  const local = await readMetadataFile(file);
  const server = await call(o, { type: 'export_metadata', version: 1, args: {} });
  const lines = lineDiff(toYaml(normalise(server)).split('\n'), toYaml(normalise(local)).split('\n'));
  if (!lines.some((l) => l.startsWith('+') || l.startsWith('-'))) {
    console.error(`farjoin: the server's metadata and ${file} are the same`);
    return 0;
  }
  process.stdout.write(`--- server\n+++ ${file}\n${lines.join('\n')}\n`);
  return 1;
}

/** Keys sorted, so that a diff shows changes and not ordering. */
function normalise(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalise);
  if (isObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, normalise(v[k])]));
  return v;
}

export function reportCliError(e: unknown): never {
  if (e instanceof CliError) {
    console.error(`farjoin: ${e.message}`);
    process.exit(1);
  }
  throw e;
}
