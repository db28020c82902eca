/**
 * Where metadata lives between changes (DESIGN.md §6 "metadata API"): in memory (metadata
 * handed to `createEngine`), the `--metadata` file or exported directory it came from, or
 * a metadata database shared by several instances. Every store is versioned: `save` writes
 * only over the version it was given, so concurrent writers are serialised by
 * `resource_version`, never by last-write-wins.
 */
import type { Json } from './doc.js';
import { conflict } from './errors.js';

export interface StoredMetadata {
  readonly metadata: Json;
  readonly resourceVersion: number;
}

/** Hasura's catalog state (`get_catalog_state` / `set_catalog_state`): what the CLI and console keep. */
export interface CatalogState {
  readonly id: string;
  readonly cli_state: Json;
  readonly console_state: Json;
}

export interface MetadataStore {
  /** `memory`, `file` or `database`, for logs. */
  readonly kind: string;
  load(): Promise<StoredMetadata>;
  /** Writes `metadata` over version `expected`; returns the new version. Throws `conflict` (409) when the stored version moved. */
  save(metadata: Json, expected: number): Promise<number>;
  /** Calls `onChange` when another writer changed the stored metadata (the database store). */
  watch?(onChange: (version: number) => void): void;
  catalogState(): Promise<CatalogState>;
  setCatalogState(type: 'cli' | 'console', state: Json): Promise<void>;
  close(): Promise<void>;
}

/** Versions and catalog state kept in memory (the file and memory stores). */
export class LocalVersions {
  version = 1;
  private state: CatalogState;

  constructor(id: string) {
    this.state = { id, cli_state: {}, console_state: {} };
  }

  claim(expected: number): number {
    if (expected !== this.version) throw conflict(expected);
    return ++this.version;
  }

  catalogState(): CatalogState {
    return this.state;
  }

  setCatalogState(type: 'cli' | 'console', state: Json): void {
    this.state = { ...this.state, [type === 'cli' ? 'cli_state' : 'console_state']: state };
  }
}

/** A store of one process: versions and catalog state in memory (the file and memory stores). */
export abstract class LocalStore implements MetadataStore {
  abstract readonly kind: string;
  protected readonly versions = new LocalVersions(crypto.randomUUID());

  abstract load(): Promise<StoredMetadata>;
  abstract save(metadata: Json, expected: number): Promise<number>;

  async catalogState(): Promise<CatalogState> {
    return this.versions.catalogState();
  }

  async setCatalogState(type: 'cli' | 'console', state: Json): Promise<void> {
    this.versions.setCatalogState(type, state);
  }

  async close(): Promise<void> {}
}

/** Metadata given as an object: changes apply to the running engine and are kept in memory only. */
export class MemoryStore extends LocalStore {
  readonly kind = 'memory';

  constructor(private metadata: Json) {
    super();
  }

  async load(): Promise<StoredMetadata> {
    return { metadata: this.metadata, resourceVersion: this.versions.version };
  }

  async save(metadata: Json, expected: number): Promise<number> {
    const version = this.versions.claim(expected);
    this.metadata = metadata;
    return version;
  }
}
