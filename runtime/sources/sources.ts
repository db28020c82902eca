/**
 * One bounded `pg` pool per source. Sends only compiler-built statements; maps driver
 * failures to typed errors (`source-unavailable`, `timeout`, `data-exception`,
 * `constraint-violation`, `postgres-error`) that name the source; SQL text and driver
 * detail (SQL state, message) are kept in `internal`, for admins and the log only.
 */
import pg from 'pg';
import { FarjoinError } from '../../compiler/errors.js';
import type { Catalog, SourceCatalog } from '../../compiler/catalog/types.js';
import type { Metadata, QualifiedTable } from '../../compiler/metadata/types.js';
import { parseQualifiedTable } from '../../compiler/metadata/parse.js';
import { connectionSettings, redactUrl, type ConnectionSettings } from './connection.js';
import { detectFdwLinks } from './fdw-links.js';
import { ident, print, sql } from '../../compiler/sql/builder.js';
import type { FdwLink } from '../../compiler/catalog/types.js';
import { withEnumRows } from './enum-values.js';
import { introspect, introspectFdw, type FdwIntrospection } from './introspect.js';
import type { PoolReading } from '../metrics/metrics.js';
import { guardedQuery, type QueryControl } from './guarded-query.js';
import { CUSTOM_PLANS_OPTION } from './prepared.js';

/**
 * Failures to reach a database, or to be let in: network errors, server shutdown (57P0x),
 * connection exceptions (08…), a wrong password or role (28…), a database that does not
 * exist (3D000), too many connections (53300).
 */
const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE',
  '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004', '28000', '28P01', '3D000', '53300',
]);

export interface SourceOptions {
  readonly statementTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export class Source {
  readonly pool: pg.Pool;
  constructor(readonly name: string, readonly settings: ConnectionSettings, options: SourceOptions) {
    this.pool = new pg.Pool({
      connectionString: settings.url,
      max: settings.maxConnections,
      idleTimeoutMillis: settings.idleTimeoutMs,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
      application_name: 'farjoin',
      // Statements the engine prepares keep custom plans (prepared.ts).
      options: CUSTOM_PLANS_OPTION,
    });
    // An idle client that loses its server must not crash the process.
    this.pool.on('error', () => undefined);
  }

  /** `control`: the request's cancellation and byte count (guarded-query.ts). */
  async query<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: readonly unknown[], control?: QueryControl): Promise<pg.QueryResult<T>> {
    try {
      return control ? await guardedQuery<T>(this.pool, this.settings.url, text, values, control) : await this.pool.query<T>(text, values as unknown[]);
    } catch (e) {
      if (control?.signal?.aborted) throw control.signal.reason;
      throw toSourceError(this.name, e, text);
    }
  }

  async introspect(enumTables: readonly QualifiedTable[] = []): Promise<SourceCatalog> {
    return (await this.introspectWithFdw(enumTables)).catalog;
  }

  /** The catalog, plus the foreign servers and tables fdw link detection reads. */
  async introspectWithFdw(enumTables: readonly QualifiedTable[] = []): Promise<{ catalog: SourceCatalog; fdw: FdwIntrospection }> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw toSourceError(this.name, e, undefined, this.settings.url);
    }
    try {
      const catalog = await withEnumRows(client, await introspect(client), enumTables);
      return { catalog, fdw: await introspectFdw(client) };
    } finally {
      client.release();
    }
  }
}

export function toSourceError(source: string, e: unknown, statement?: string, url?: string): FarjoinError {
  const err = e as { code?: string; message?: string };
  const internal = { source, code: err.code, message: err.message, ...(statement ? { statement } : {}) };
  if (err.code === '57014') {
    return new FarjoinError('timeout', `a statement on source "${source}" was cancelled after the statement timeout`, { internal, cause: e });
  }
  if ((err.code && CONNECTION_ERRORS.has(err.code)) || /connect|terminat|Connection/i.test(err.message ?? '') && !err.code?.match(/^[0-9A-Z]{5}$/)) {
    // At startup (url given) the operator sees the driver's reason; a request's caller sees
    // only which source failed (the reason stays in `internal`, for admins).
    const detail = url ? ` at ${redactUrl(url)}: ${err.message ?? 'connection failed'}` : '';
    return new FarjoinError('source-unavailable', `source "${source}" is unavailable${detail}`, { internal, cause: e });
  }
  const sqlState = err.code ?? '';
  // Hasura's classes: a value Postgres cannot take (22…), a constraint (23…); the rest is a
  // query error. The message names the source; SQL and driver detail stay in `internal`.
  if (sqlState.startsWith('22')) {
    return new FarjoinError('data-exception', `source "${source}": ${err.message ?? 'invalid value'}`, { internal, cause: e });
  }
  if (sqlState.startsWith('23')) {
    return new FarjoinError('constraint-violation', `source "${source}": ${err.message ?? 'constraint violation'}`, { internal, cause: e });
  }
  return new FarjoinError('postgres-error', `database query error on source "${source}"`, { visibility: 'user', internal, cause: e });
}

export interface SourceHealth {
  readonly ok: boolean;
  readonly code?: string;
  readonly error?: string;
}

/** What `introspectAll` found: the catalogs of the sources that answered, and why the others did not. */
export interface Introspection {
  readonly catalog: Catalog;
  /** Sources without a catalog → their error (connection refused, bad URL, variable not set). */
  readonly failed: Readonly<Record<string, FarjoinError>>;
}

export class Sources {
  private readonly byName = new Map<string, Source>();
  private readonly tracked = new Map<string, readonly QualifiedTable[]>();
  /** Tables marked `is_enum`, whose rows the catalog carries. */
  private readonly enumTables = new Map<string, readonly QualifiedTable[]>();
  /** Sources that have no pool: their configuration is wrong (e.g. `from_env` not set). */
  private readonly misconfigured = new Map<string, FarjoinError>();

  constructor(metadata: Metadata, options: SourceOptions = {}) {
    metadata.sources.forEach((s, i) => {
      if (typeof s?.name !== 'string' || this.byName.has(s.name)) return; // inconsistent (shape.ts)
      try {
        this.byName.set(s.name, new Source(s.name, connectionSettings(s, i, options.env ?? process.env), options));
        const tables = Array.isArray(s.tables) ? s.tables : [];
        this.tracked.set(s.name, tables.map((t) => t?.table));
        this.enumTables.set(s.name, tables.filter((t) => t?.is_enum === true).flatMap((t) => {
          try {
            return [parseQualifiedTable(t.table, '$')];
          } catch {
            return []; // inconsistent (shape.ts)
          }
        }));
      } catch (e) {
        this.misconfigured.set(s.name, e instanceof FarjoinError ? e : new FarjoinError('invalid-configuration', `source "${s.name}": ${(e as Error).message}`));
      }
    });
  }

  get(name: string): Source {
    const s = this.byName.get(name);
    if (!s) throw new FarjoinError('unexpected', `unknown source ${name}`, { visibility: 'internal' });
    return s;
  }

  /** Sources with a pool (the misconfigured ones have none). */
  names(): string[] {
    return [...this.byName.keys()];
  }

  /** Each pool's connections right now (metrics). */
  poolReadings(): PoolReading[] {
    return [...this.byName.values()].map((s) => ({
      source: s.name, connInfo: redactUrl(s.settings.url), total: s.pool.totalCount, idle: s.pool.idleCount, waiting: s.pool.waitingCount,
    }));
  }

  /**
   * Every source's catalog, with `fdwLinks` where a source's postgres_fdw servers reach
   * another source of the metadata (fdw-links.ts, DESIGN.md §5.2). A source that does not
   * answer (or has no pool) is in `failed`, with its error; the others are introspected.
   */
  async introspectAll(): Promise<Introspection> {
    const failed: Record<string, FarjoinError> = Object.fromEntries(this.misconfigured);
    const settled = await Promise.all([...this.byName.values()].map(async (s) => {
      try {
        return { source: s, ...(await s.introspectWithFdw(this.enumTables.get(s.name))) };
      } catch (e) {
        Object.defineProperty(failed, s.name, { enumerable: true, writable: true, configurable: true, value: e instanceof FarjoinError ? e : toSourceError(s.name, e, undefined, s.settings.url) });
        return undefined;
      }
    }));
    const found = settled.filter((f) => f !== undefined);
    const links = detectFdwLinks(found.map(({ source, catalog, fdw }) => ({
      name: source.name, url: source.settings.url, tracked: this.tracked.get(source.name) ?? [], catalog, fdw,
    })));
    const checked = await Promise.all(found.map(async ({ source, catalog }) => {
      const l = Object.hasOwn(links, source.name) ? links[source.name] : undefined; // a source may be named "__proto__"
      return [source.name, l ? { ...catalog, fdwLinks: await Promise.all(l.map((link) => this.checkLink(source, link))) } : catalog] as const;
    }));
    return { catalog: { sources: Object.fromEntries(checked) }, failed };
  }

  /**
   * Reads one foreign table of a link (no rows): a server that refuses the connection or
   * rejects the credentials marks the link unusable, so plans fall back to two-phase or
   * semi-join and explain says why, instead of failing every request that would use it.
   */
  private async checkLink(source: Source, link: FdwLink): Promise<FdwLink> {
    const table = link.tables[0];
    if (!table) return link;
    try {
      const probe = print(sql`SELECT 1 FROM ${ident(table.localSchema, table.localName)} LIMIT 0`);
      await source.query(probe.text, probe.values);
      return link;
    } catch (e) {
      const internal = (e as FarjoinError).internal as { message?: string } | undefined;
      return { ...link, unusable: internal?.message ?? (e as Error).message };
    }
  }

  /**
   * Which sources answer `SELECT 1` within `timeoutMs` right now (for /healthz). The
   * reason given is the typed error's message (no driver detail, no addresses).
   */
  async health(timeoutMs = 5000): Promise<Record<string, SourceHealth>> {
    const out: Record<string, SourceHealth> = {};
    for (const [name, e] of this.misconfigured) out[name] = { ok: false, code: e.code, error: e.message };
    await Promise.all([...this.byName.values()].map(async (s) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          s.query('SELECT 1', []),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new FarjoinError('timeout', `source "${s.name}" did not answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        out[s.name] = { ok: true };
      } catch (e) {
        const err = e as FarjoinError;
        out[s.name] = { ok: false, code: err.code, error: err.message };
      } finally {
        clearTimeout(timer);
      }
    }));
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.byName.values()].map((s) => s.pool.end().catch(() => undefined)));
  }
}
