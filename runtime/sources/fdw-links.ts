/**
 * postgres_fdw links between sources (DESIGN.md §5.2): which other metadata sources a
 * source database can already read through foreign tables, found by matching its foreign
 * servers to the sources' connection settings. The compiler plans pushdowns only over
 * the `fdwLinks` produced here (compiler/catalog/types.ts).
 *
 * A server is a link to target T when it uses postgres_fdw, its `host`/`port`/`dbname`
 * options name T's database (`localhost`, `127.0.0.1` and `::1` count as one host; the
 * port defaults to 5432), and the connecting user has a user mapping for it (its own or
 * PUBLIC: postgres_fdw looks up nothing else). A server that points elsewhere is simply
 * not a link for T. Its readable foreign tables whose `schema_name`/`table_name` options
 * (defaulting, as postgres_fdw does, to the foreign table's own schema and name) name a
 * table T tracks become the link's tables.
 *
 * `checkFdwLink` proves a link works (`SELECT 1 FROM <foreign table> LIMIT 0` connects and
 * logs in); `fdwConnectionError` turns postgres_fdw's connection failures into one message
 * naming the server, the target and the fix.
 */
import type pg from 'pg';
import { FarjoinError } from '../../compiler/errors.js';
import type { FdwLink, FdwTable, SourceCatalog } from '../../compiler/catalog/types.js';
import type { QualifiedTable } from '../../compiler/metadata/types.js';
import { ident, print, sql } from '../../compiler/sql/builder.js';
import type { FdwIntrospection } from './introspect.js';

/** Where a database URL points, as libpq options (the names postgres_fdw servers use). */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly dbname: string;
  readonly user?: string;
  readonly password?: string;
  readonly sslmode?: string;
}

export const DEFAULT_PG_PORT = 5432;
/** postgres_fdw's `fetch_size` when the server does not set one. */
export const DEFAULT_FETCH_SIZE = 100;

/**
 * Parses a `postgres://user:pass@host:port/db?sslmode=…` URL (libpq's `host`/`port` query
 * parameters override the authority, as in libpq). Undefined for what is not such a URL.
 */
export function parseEndpoint(url: string): Endpoint | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return undefined;
  const dec = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const user = dec(u.username);
  const password = dec(u.password);
  const host = u.searchParams.get('host') ?? dec(u.hostname).replace(/^\[(.*)\]$/, '$1');
  const portText = u.searchParams.get('port') ?? u.port;
  const port = portText ? Number(portText) : DEFAULT_PG_PORT;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  const dbname = u.searchParams.get('dbname') ?? dec(u.pathname.replace(/^\//, ''));
  const sslmode = u.searchParams.get('sslmode');
  return {
    host: host || 'localhost',
    port,
    // libpq's default database is the user name.
    dbname: dbname || user,
    ...(user ? { user } : {}),
    ...(password ? { password } : {}),
    ...(sslmode ? { sslmode } : {}),
  };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '0:0:0:0:0:0:0:1']);

/** Host names that reach the same server compare equal (loopback spellings are one). */
export function normalizeHost(host: string): string {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return LOOPBACK.has(h) || h === '' ? 'localhost' : h;
}

/** The endpoint a foreign server's options name; undefined when `dbname` is not set. */
export function serverEndpoint(options: Readonly<Record<string, string>>): { host: string; port: number; dbname: string } | undefined {
  const dbname = options.dbname;
  // Without `dbname`, libpq would use the mapped user's name: not knowable from here.
  if (!dbname) return undefined;
  const port = options.port ? Number(options.port) : DEFAULT_PG_PORT;
  if (!Number.isInteger(port)) return undefined;
  return { host: options.host ?? 'localhost', port, dbname };
}

export function sameDatabase(a: { host: string; port: number; dbname: string }, b: { host: string; port: number; dbname: string }): boolean {
  return normalizeHost(a.host) === normalizeHost(b.host) && a.port === b.port && a.dbname === b.dbname;
}

/** What detection needs to know about one metadata source. */
export interface FdwSourceInput {
  readonly name: string;
  /** The source's database URL (from `connectionSettings`). */
  readonly url: string;
  /** The tables the metadata tracks on this source. */
  readonly tracked: readonly QualifiedTable[];
  readonly catalog: SourceCatalog;
  readonly fdw: FdwIntrospection;
}

/**
 * The `fdwLinks` of every source, by source name (sources without links are absent).
 * At most one link per (source, target): the server named by `farjoin fdw setup` wins,
 * then the one reaching the most tracked tables.
 */
export function detectFdwLinks(sources: readonly FdwSourceInput[], preferredServer: (target: string) => string = farjoinServerName): Record<string, FdwLink[]> {
  const out: Record<string, FdwLink[]> = {};
  for (const s of sources) {
    const links: FdwLink[] = [];
    for (const t of sources) {
      if (t.name === s.name) continue;
      const target = parseEndpoint(t.url);
      if (!target) continue;
      const tracked = new Set(t.tracked.map((q) => JSON.stringify([q.schema, q.name])));
      const candidates: FdwLink[] = [];
      for (const server of s.fdw.servers) {
        if (server.wrapper !== 'postgres_fdw' || !server.userMapping) continue;
        const at = serverEndpoint(server.options);
        if (!at || !sameDatabase(at, target)) continue;
        const tables: FdwTable[] = [];
        const seen = new Set<string>();
        // Our own schemas first, so a table imported by `fdw setup` wins over older copies.
        const own = (schema: string): number => (schema.startsWith('farjoin_fdw_') ? 0 : 1);
        const foreign = s.fdw.foreignTables
          .filter((f) => f.server === server.name && f.readable)
          .sort((a, b) => own(a.schema) - own(b.schema) || a.schema.localeCompare(b.schema) || a.name.localeCompare(b.name));
        for (const f of foreign) {
          const remote = { schema: f.options.schema_name ?? f.schema, name: f.options.table_name ?? f.name };
          const key = JSON.stringify([remote.schema, remote.name]);
          if (!tracked.has(key) || seen.has(key)) continue;
          seen.add(key);
          tables.push({ schema: remote.schema, name: remote.name, localSchema: f.schema, localName: f.name });
        }
        if (tables.length === 0) continue;
        const fetch = Number(server.options.fetch_size);
        candidates.push({
          target: t.name,
          server: server.name,
          targetServerVersion: t.catalog.serverVersion,
          fetchSize: Number.isInteger(fetch) && fetch > 0 ? fetch : DEFAULT_FETCH_SIZE,
          tables,
        });
      }
      const preferred = preferredServer(t.name);
      candidates.sort((a, b) => Number(b.server === preferred) - Number(a.server === preferred) || b.tables.length - a.tables.length || a.server.localeCompare(b.server));
      if (candidates[0]) links.push(candidates[0]);
    }
    if (links.length > 0) out[s.name] = links;
  }
  return out;
}

const SAFE_IDENT = /^[a-z_][a-z0-9_]*$/;
/** Postgres truncates identifiers to 63 bytes (NAMEDATALEN - 1). */
const MAX_IDENT = 63;

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(text, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * `prefix` + `name` as a plain lower-case identifier: kept as is when already one, else
 * other characters become `_` and a hash of the original keeps distinct names distinct;
 * never longer than Postgres keeps. (Still always quoted where it reaches SQL.)
 */
export function derivedIdentifier(prefix: string, name: string): string {
  const whole = prefix + name;
  if (SAFE_IDENT.test(whole) && whole.length <= MAX_IDENT) return whole;
  const hash = fnv1a(whole).slice(0, 6);
  const clean = whole.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
  return `${clean.slice(0, MAX_IDENT - hash.length - 1)}_${hash}`;
}

/** The foreign server `farjoin fdw setup` creates for target source `target`. */
export function farjoinServerName(target: string): string {
  return derivedIdentifier('farjoin_', target);
}

/** The local schema that receives target's tables of `remoteSchema`. */
export function farjoinSchemaName(target: string, remoteSchema: string): string {
  const base = derivedIdentifier('farjoin_fdw_', target);
  return remoteSchema === 'public' ? base : derivedIdentifier(`${base}_`, remoteSchema);
}

export interface FdwFailureContext {
  readonly source: string;
  readonly target: string;
  readonly server: string;
  /** Where the server points, for the message (no password). */
  readonly endpoint: { host: string; port: number; dbname: string };
}

const CREDENTIAL_PROBLEM = /password authentication failed|password is required|no password supplied|role .* does not exist|authentication failed|pg_hba\.conf/i;

/**
 * A postgres_fdw failure to reach or log in to the target as one clear error naming the
 * server, the target and the fix; other errors are returned unchanged.
 */
export function fdwConnectionError(e: unknown, ctx: FdwFailureContext): unknown {
  const err = e as { code?: string; message?: string; detail?: string };
  const text = `${err.message ?? ''}\n${err.detail ?? ''}`;
  const where = `${ctx.endpoint.host}:${ctx.endpoint.port}/${ctx.endpoint.dbname}`;
  const reason = (err.detail ?? err.message ?? 'connection failed').split('\n')[0]!.trim();
  const internal = { code: err.code, message: err.message, detail: err.detail };
  if (CREDENTIAL_PROBLEM.test(text) || err.code === '28P01' || err.code === '28000' || err.code === '2F003') {
    return new FarjoinError('source-unavailable',
      `foreign server "${ctx.server}" in source "${ctx.source}" cannot log in to target "${ctx.target}" at ${where}: ${reason}. ` +
      `The user mapping needs the target's credentials: pass --user/--password, or fix ${ctx.target}'s database_url`,
      { internal, cause: e });
  }
  if (err.code === '08001' || err.code === '08006' || err.code === '08004' || /could not connect|connection to server/i.test(text)) {
    return new FarjoinError('source-unavailable',
      `foreign server "${ctx.server}" in source "${ctx.source}" cannot connect to target "${ctx.target}" at ${where}: ${reason}. ` +
      `The address is used by ${ctx.source}'s Postgres server, not by farjoin: pass --host/--port/--dbname as that server sees the target, or fix ${ctx.target}'s database_url`,
      { internal, cause: e });
  }
  return e;
}

/**
 * Proves a link works: `SELECT 1 FROM <foreign table> LIMIT 0` for each of its tables makes
 * postgres_fdw connect, log in and open the remote table. Throws the clear message of
 * `fdwConnectionError` when it cannot.
 */
export async function checkFdwLink(client: pg.ClientBase, tables: readonly Pick<FdwTable, 'localSchema' | 'localName'>[], ctx: FdwFailureContext): Promise<void> {
  for (const t of tables) {
    const q = print(sql`SELECT 1 FROM ${ident(t.localSchema, t.localName)} LIMIT 0`);
    try {
      await client.query(q.text, q.values as unknown[]);
    } catch (e) {
      throw fdwConnectionError(e, ctx);
    }
  }
}
