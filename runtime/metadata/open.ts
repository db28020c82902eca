/**
 * Picks the metadata store for an engine: the metadata database (`metadataDatabase`, or
 * `HASURA_GRAPHQL_METADATA_DATABASE_URL`), else the `metadataPath` file or directory, else
 * memory. A metadata database used for the first time starts with the metadata given
 * (`metadata` or `metadataPath`), or empty.
 */
import { readMetadataFile } from '../metadata-file.js';
import { DatabaseStore } from './persistence-db.js';
import { FileStore } from './persistence-file.js';
import { MemoryStore, type MetadataStore } from './store.js';
import { EMPTY_METADATA } from './doc.js';
import type { EngineLogger } from '../server/log.js';

export interface StoreOptions {
  readonly metadata?: unknown;
  readonly metadataPath?: string;
  readonly metadataDatabase?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: EngineLogger;
}

export async function openMetadataStore(options: StoreOptions): Promise<MetadataStore> {
  const url = options.metadataDatabase ?? (options.env ?? process.env).HASURA_GRAPHQL_METADATA_DATABASE_URL;
  if (url) {
    const seed = options.metadata ?? (options.metadataPath ? await readMetadataFile(options.metadataPath) : undefined);
    return DatabaseStore.open({ url, ...(seed !== undefined ? { seed } : {}), onError: (message) => options.logger?.error({}, message) });
  }
  if (options.metadata === undefined && options.metadataPath) return new FileStore(options.metadataPath);
  return new MemoryStore(options.metadata ?? EMPTY_METADATA);
}
