/** Picks the metadata store for an engine: metadata database, `--metadata` file, or memory. */
import { FileStore } from './persistence-file.js';
import { MemoryStore, type MetadataStore } from './store.js';
import { EMPTY_METADATA } from './doc.js';

export interface StoreOptions {
  readonly metadata?: unknown;
  readonly metadataPath?: string;
}

export async function openMetadataStore(options: StoreOptions): Promise<MetadataStore> {
  if (options.metadata === undefined && options.metadataPath) return new FileStore(options.metadataPath);
  return new MemoryStore(options.metadata ?? EMPTY_METADATA);
}
