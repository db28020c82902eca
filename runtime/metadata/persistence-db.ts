/**
 * A metadata database (`--metadata-database URL`, `HASURA_GRAPHQL_METADATA_DATABASE_URL`):
 * farjoin's own schema `farjoin_metadata`, created on first start, holding one versioned
 * metadata document shared by every instance behind a load balancer.
 *
 * - A write is `UPDATE … WHERE resource_version = $expected`: of two concurrent writers
 *   the second waits for the first's row lock, then matches no row and gets `conflict`
 *   (409) — writers are serialised by version, never last-write-wins.
 * - The same transaction sends `NOTIFY farjoin_metadata, '<version>'`; every instance
 *   LISTENs on a connection of its own and reloads when a newer version is announced (and
 *   once after reconnecting, for announcements it may have missed).
 * The document is kept as `json`, not `jsonb`, so its key order and layout survive.
 */
import pg from 'pg';
import { FarjoinError } from '../../compiler/errors.js';
import { redactUrl } from '../sources/connection.js';
import { EMPTY_METADATA, type Json } from './doc.js';
import { conflict } from './errors.js';
import type { CatalogState, MetadataStore, StoredMetadata } from './store.js';

export const METADATA_SCHEMA = 'farjoin_metadata';
const CHANNEL = 'farjoin_metadata';
/** `application_name` of the LISTEN connections (pg_stat_activity shows them). */
export const LISTENER_NAME = 'farjoin-metadata-listen';
/** Version of the schema below; a later farjoin migrates from it. */
const SCHEMA_VERSION = 1;
/** Any constant: serialises the first start of several instances. */
const SETUP_LOCK = 7_424_111;

const SETUP = [
  `CREATE SCHEMA IF NOT EXISTS ${METADATA_SCHEMA}`,
  `CREATE TABLE IF NOT EXISTS ${METADATA_SCHEMA}.schema_version (version int NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ${METADATA_SCHEMA}.metadata (
     id int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
     resource_version int NOT NULL,
     metadata json NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE IF NOT EXISTS ${METADATA_SCHEMA}.catalog_state (
     id uuid PRIMARY KEY,
     cli_state json NOT NULL DEFAULT '{}',
     console_state json NOT NULL DEFAULT '{}')`,
];

export interface DatabaseStoreOptions {
  readonly url: string;
  /** The metadata of a database used for the first time (e.g. from `--metadata`); default empty. */
  readonly seed?: Json;
  readonly onError?: (message: string) => void;
  /** Delay before reconnecting the LISTEN connection (default 500 ms). */
  readonly reconnectMs?: number;
}

export class DatabaseStore implements MetadataStore {
  readonly kind = 'database';
  private readonly pool: pg.Pool;
  private listener: pg.Client | undefined;
  private closed = false;
  private onChange: ((version: number) => void) | undefined;

  private constructor(private readonly options: DatabaseStoreOptions) {
    this.pool = new pg.Pool({ connectionString: options.url, max: 2, application_name: 'farjoin-metadata' });
    this.pool.on('error', (e) => options.onError?.(`metadata database: ${e.message}`));
  }

  static async open(options: DatabaseStoreOptions): Promise<DatabaseStore> {
    const store = new DatabaseStore(options);
    try {
      await store.setup();
      return store;
    } catch (e) {
      await store.pool.end();
      throw new FarjoinError('invalid-configuration', `cannot open the metadata database at ${redactUrl(options.url)}: ${(e as Error).message}`, { cause: e });
    }
  }

  private async setup(): Promise<void> {
    await this.transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK]);
      for (const statement of SETUP) await c.query(statement);
      const version = await c.query<{ version: number }>(`SELECT version FROM ${METADATA_SCHEMA}.schema_version`);
      if (version.rows.length === 0) await c.query(`INSERT INTO ${METADATA_SCHEMA}.schema_version (version) VALUES ($1)`, [SCHEMA_VERSION]);
      await c.query(`INSERT INTO ${METADATA_SCHEMA}.metadata (id, resource_version, metadata) VALUES (1, 1, $1) ON CONFLICT (id) DO NOTHING`,
        [JSON.stringify(this.options.seed ?? EMPTY_METADATA)]);
      await c.query(`INSERT INTO ${METADATA_SCHEMA}.catalog_state (id) SELECT gen_random_uuid() WHERE NOT EXISTS (SELECT 1 FROM ${METADATA_SCHEMA}.catalog_state)`);
    });
  }

  private async transaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const result = await fn(c);
      await c.query('COMMIT');
      return result;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  async load(): Promise<StoredMetadata> {
    const r = await this.pool.query<{ metadata: Json; resource_version: number }>(`SELECT metadata, resource_version FROM ${METADATA_SCHEMA}.metadata WHERE id = 1`);
    const row = r.rows[0];
    return row ? { metadata: row.metadata, resourceVersion: row.resource_version } : { metadata: EMPTY_METADATA, resourceVersion: 1 };
  }

  async save(metadata: Json, expected: number): Promise<number> {
    return this.transaction(async (c) => {
      const r = await c.query<{ resource_version: number }>(
        `UPDATE ${METADATA_SCHEMA}.metadata SET metadata = $1, resource_version = resource_version + 1, updated_at = now()
         WHERE id = 1 AND resource_version = $2 RETURNING resource_version`,
        [JSON.stringify(metadata), expected]);
      const version = r.rows[0]?.resource_version;
      if (version === undefined) throw conflict(expected);
      await c.query('SELECT pg_notify($1, $2)', [CHANNEL, String(version)]);
      return version;
    });
  }

  watch(onChange: (version: number) => void): void {
    this.onChange = onChange;
    void this.listen(false);
  }

  /** Opens the LISTEN connection; after a reconnect, announces the current version once. */
  private async listen(reconnected: boolean): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.options.url, application_name: LISTENER_NAME });
    const retry = (why: string): void => {
      if (this.closed || this.listener !== client) return;
      this.listener = undefined;
      this.options.onError?.(`metadata database: LISTEN connection lost (${why}); reconnecting`);
      client.end().catch(() => undefined);
      setTimeout(() => void this.listen(true), this.options.reconnectMs ?? 500).unref();
    };
    this.listener = client;
    client.on('error', (e) => retry(e.message));
    client.on('end', () => retry('closed'));
    client.on('notification', (n) => {
      const version = Number(n.payload);
      if (n.channel === CHANNEL && Number.isFinite(version)) this.onChange?.(version);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      if (reconnected) this.onChange?.((await this.load()).resourceVersion);
    } catch (e) {
      retry((e as Error).message);
    }
  }

  async catalogState(): Promise<CatalogState> {
    const r = await this.pool.query<CatalogState>(`SELECT id::text AS id, cli_state, console_state FROM ${METADATA_SCHEMA}.catalog_state LIMIT 1`);
    return r.rows[0] ?? { id: '', cli_state: {}, console_state: {} };
  }

  async setCatalogState(type: 'cli' | 'console', state: Json): Promise<void> {
    const column = type === 'cli' ? 'cli_state' : 'console_state';
    await this.pool.query(`UPDATE ${METADATA_SCHEMA}.catalog_state SET ${column} = $1`, [JSON.stringify(state)]);
  }

  async close(): Promise<void> {
    this.closed = true;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }
}
