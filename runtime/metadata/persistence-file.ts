/**
 * The `--metadata` file (or Hasura's exported directory) as a metadata store: read at
 * start and on reload; each change written back in the same format and layout (YAML stays
 * YAML, `!include`d parts go back to their files: layout.ts), each file atomically (a
 * temporary file beside it, fsync, rename, fsync of the folder); included files before the
 * files that include them, files of removed parts last. An empty file is empty
 * metadata (`{"version":3,"sources":[]}`), so `touch metadata.yaml` is enough to begin.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { databasesFile, readMetadataFile, type IncludeSite } from '../metadata-file.js';
import { EMPTY_METADATA, isObject, type Json } from './doc.js';
import { layoutOf, planFiles, type Layout } from './layout.js';
import { LocalStore, type StoredMetadata } from './store.js';

/** Writes `text` to `path` so that a reader sees the old file or the new one, never a part. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  const file = await open(temp, 'w');
  try {
    await file.writeFile(text, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  const folder = await open(dirname(path), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

export class FileStore extends LocalStore {
  readonly kind = 'file';
  private layout: Layout = new Map();
  private directory = false;
  /** The document as last read or written, to notice edits made by hand. */
  private text: string | undefined;

  constructor(readonly path: string) {
    super();
  }

  async load(): Promise<StoredMetadata> {
    const sites: IncludeSite[] = [];
    const metadata = (await readMetadataFile(this.path, (site) => sites.push(site))) ?? EMPTY_METADATA;
    this.directory = (await stat(this.path)).isDirectory();
    this.layout = layoutOf(metadata, sites);
    // Edited by hand since it was last read or written: that is a new version too.
    const text = JSON.stringify(metadata);
    if (this.text !== undefined && text !== this.text) this.versions.version++;
    this.text = text;
    return { metadata, resourceVersion: this.versions.version };
  }

  async save(metadata: Json, expected: number): Promise<number> {
    const version = this.versions.claim(expected);
    // A directory holds the sources in databases/databases.yaml (version.yaml and the rest stay).
    const { files, layout } = this.directory
      ? planFiles(isObject(metadata) ? metadata.sources ?? [] : [], ['sources'], databasesFile(this.path), this.layout)
      : planFiles(metadata, [], resolve(this.path), this.layout);
    for (const file of files) await writeAtomically(file.path, file.text);
    const written = new Set(files.map((f) => f.path));
    for (const { file } of this.layout.values()) if (!written.has(file)) await rm(file, { force: true });
    this.layout = layout;
    this.text = JSON.stringify(metadata);
    return version;
  }
}
