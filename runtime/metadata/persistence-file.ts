/**
 * The `--metadata` file (or Hasura's exported directory) as a metadata store: read at
 * start and on reload; each change written back in the same format, atomically (a
 * temporary file beside it, fsync, rename, fsync of the folder). An empty file is empty
 * metadata (`{"version":3,"sources":[]}`), so `touch metadata.yaml` is enough to begin.
 */
import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { readMetadataFile } from '../metadata-file.js';
import { EMPTY_METADATA, type Json } from './doc.js';
import { LocalStore, type StoredMetadata } from './store.js';

/** Writes `text` to `path` so that a reader sees the old file or the new one, never a part. */
export async function writeAtomically(path: string, text: string): Promise<void> {
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
  /** JSON files stay JSON; YAML files (and new `.yaml`/`.yml` files) stay YAML. */
  private format: 'json' | 'yaml';

  constructor(readonly path: string) {
    super();
    const ext = extname(path).toLowerCase();
    this.format = ext === '.yaml' || ext === '.yml' ? 'yaml' : 'json';
  }

  async load(): Promise<StoredMetadata> {
    const metadata = await readMetadataFile(this.path);
    return { metadata: metadata ?? EMPTY_METADATA, resourceVersion: this.versions.version };
  }

  async save(metadata: Json, expected: number): Promise<number> {
    const version = this.versions.claim(expected);
    const text = this.format === 'yaml' ? toYaml(metadata) : `${JSON.stringify(metadata, null, 2)}\n`;
    await writeAtomically(this.path, text);
    return version;
  }
}
