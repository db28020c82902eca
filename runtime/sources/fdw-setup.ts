/**
 * `farjoin fdw setup` (DESIGN.md §5.2, §6 `fdw`): provisions a postgres_fdw path from one
 * metadata source (SRC) to another (TGT), in SRC, in one transaction:
 *
 * 1. `CREATE EXTENSION IF NOT EXISTS postgres_fdw`;
 * 2. the foreign server `farjoin_<tgt>` for TGT's host/port/dbname, created, or brought
 *    up to date with `ALTER SERVER … OPTIONS (SET …/ADD …/DROP …)` when it exists;
 * 3. the user mapping of the connecting user, dropped and created again with TGT's
 *    credentials (or the ones given);
 * 4. per schema of TGT's tracked tables, the schema `farjoin_fdw_<tgt>` (`public`) or
 *    `farjoin_fdw_<tgt>_<schema>` dropped CASCADE (it is farjoin's) and created again, and
 *    `IMPORT FOREIGN SCHEMA … LIMIT TO (<tracked tables>)` into it;
 * 5. `SELECT 1 FROM <foreign table> LIMIT 0` per imported table (fdw-links.ts
 *    `checkFdwLink`): postgres_fdw connects and logs in, or the whole setup rolls back
 *    with a message naming the server, the target and the fix.
 * Running it again leaves the same state.
 *
 * SQL safety (STYLE.md habit 3): values reach SQL only as bind parameters, but DDL
 * (`CREATE SERVER … OPTIONS`, `CREATE USER MAPPING`, `IMPORT FOREIGN SCHEMA`) cannot take
 * any. So Postgres writes every such statement itself: `SELECT format($1, VARIADIC $2)`
 * with the template (a constant of this module, `%I` for identifiers, `%L` for values) and
 * the names and values all as bind parameters; the returned text is what runs. Nothing
 * here concatenates a name or value from the metadata or the command line into SQL text.
 * `--dry-run` builds the statements the same way, so what it prints is exactly what would
 * run, except that the printed copy of the user mapping shows the password as `'***'`
 * (Postgres formats that copy too, from `'***'` in place of the password).
 */
import pg from 'pg';
import { FarjoinError } from '../../compiler/errors.js';
import type { FdwTable } from '../../compiler/catalog/types.js';
import type { Metadata, SourceMetadata } from '../../compiler/metadata/types.js';
import { ident, print, sql } from '../../compiler/sql/builder.js';
import { connectionSettings, redactUrl } from './connection.js';
import { checkFdwLink, farjoinSchemaName, farjoinServerName, fdwConnectionError, parseEndpoint, type Endpoint, type FdwFailureContext } from './fdw-links.js';
import { parseOptions } from './introspect.js';
import { toSourceError } from './sources.js';

/** postgres_fdw's default is 100 rows per round trip; 10000 was 2.3× faster on big pulls (§5.2). */
export const FDW_FETCH_SIZE = 10000;
/** `async_capable` (parallel foreign scans under Append) exists from PostgreSQL 14. */
const ASYNC_CAPABLE_SINCE = 140000;

/** Server options this command manages; others set by hand are left alone. */
const MANAGED_OPTIONS = ['host', 'port', 'dbname', 'sslmode', 'fetch_size', 'async_capable', 'use_remote_estimate'] as const;
type ManagedOption = (typeof MANAGED_OPTIONS)[number];

/** Formats a statement in Postgres: the template and every argument are bind parameters. */
const FORMAT_SQL = 'SELECT format($1::text, VARIADIC $2::text[]) AS sql';
/** `IMPORT FOREIGN SCHEMA`, with the `LIMIT TO` list quoted by Postgres as well. */
const FORMAT_IMPORT_SQL = `SELECT format('IMPORT FOREIGN SCHEMA %I LIMIT TO (%s) FROM SERVER %I INTO %I', $1::text,
  (SELECT string_agg(format('%I', t), ', ' ORDER BY o) FROM unnest($2::text[]) WITH ORDINALITY AS u(t, o)), $3::text, $4::text) AS sql`;

export interface FdwSetupOverrides {
  /** Remote credentials for the user mapping (default: from TGT's database URL). */
  readonly user?: string;
  readonly password?: string;
  /** Where SRC's Postgres server reaches TGT (default: from TGT's database URL). */
  readonly host?: string;
  readonly port?: number;
  readonly dbname?: string;
}

export interface FdwSetupOptions {
  readonly metadata: Metadata;
  readonly from: string;
  readonly to: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly overrides?: FdwSetupOverrides;
  /** Build and return the statements; change nothing. */
  readonly dryRun?: boolean;
}

export interface FdwSetupResult {
  /** The statements in order, as printed (the password as `'***'`). */
  readonly statements: readonly string[];
  readonly server: string;
  readonly endpoint: { readonly host: string; readonly port: number; readonly dbname: string };
  /** TGT's tracked tables and the foreign tables that read them. */
  readonly tables: readonly FdwTable[];
  /**
   * Tracked tables SRC cannot declare (a column of a type SRC lacks, such as TGT's own
   * enum): left out, each with Postgres's reason; plans that need them do not use fdw.
   */
  readonly skipped: readonly { readonly schema: string; readonly name: string; readonly reason: string }[];
  readonly applied: boolean;
}

interface Statement {
  /** The text that runs. */
  readonly run: string;
  /** The text printed (differs only where a password is masked). */
  readonly shown: string;
  /** Failures here are postgres_fdw reaching TGT. */
  readonly remote?: boolean;
  /** An `IMPORT FOREIGN SCHEMA` of these tables (retried table by table, see `importTables`). */
  readonly imports?: { readonly schema: string; readonly names: readonly string[]; readonly local: string };
}

function findSource(metadata: Metadata, name: string, flag: string): { source: SourceMetadata; index: number } {
  const index = metadata.sources.findIndex((s) => s.name === name);
  const source = metadata.sources[index];
  if (!source) {
    throw new FarjoinError('invalid-configuration',
      `${flag} ${name}: no such source in the metadata (sources: ${metadata.sources.map((s) => s.name).join(', ') || 'none'})`);
  }
  return { source, index };
}

/** TGT's connection as SRC's server should use it: the URL's parts, overridden by flags. */
function targetEndpoint(name: string, url: string, o: FdwSetupOverrides): Endpoint {
  const parsed = parseEndpoint(url);
  const host = o.host ?? parsed?.host;
  const port = o.port ?? parsed?.port;
  const dbname = o.dbname ?? parsed?.dbname;
  if (host === undefined || port === undefined || dbname === undefined) {
    throw new FarjoinError('invalid-configuration',
      `source "${name}": its database_url is not a postgres:// URL, so farjoin cannot tell where it is; pass --host, --port and --dbname (and --user/--password)`);
  }
  const user = o.user ?? parsed?.user;
  const password = o.password ?? parsed?.password;
  return {
    host, port, dbname,
    ...(user !== undefined ? { user } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(parsed?.sslmode !== undefined ? { sslmode: parsed.sslmode } : {}),
  };
}

async function format(client: pg.ClientBase, template: string, args: readonly string[]): Promise<string> {
  const r = await client.query<{ sql: string }>(FORMAT_SQL, [template, args]);
  return r.rows[0]!.sql;
}

async function same(client: pg.ClientBase, template: string, args: readonly string[], remote = false): Promise<Statement> {
  const text = await format(client, template, args);
  return { run: text, shown: text, ...(remote ? { remote } : {}) };
}

/** Groups TGT's tracked tables by schema, in metadata order. */
function trackedBySchema(target: SourceMetadata): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of target.tables) {
    const list = out.get(t.table.schema) ?? [];
    if (!list.includes(t.table.name)) list.push(t.table.name);
    out.set(t.table.schema, list);
  }
  return out;
}

/** Builds (and unless `dryRun`, runs) the setup; see the module comment. */
export async function fdwSetup(o: FdwSetupOptions): Promise<FdwSetupResult> {
  const env = o.env ?? process.env;
  if (o.from === o.to) throw new FarjoinError('invalid-configuration', `--from and --to name the same source "${o.from}"; a source needs no foreign server to reach itself`);
  const src = findSource(o.metadata, o.from, '--from');
  const tgt = findSource(o.metadata, o.to, '--to');
  const srcUrl = connectionSettings(src.source, src.index, env).url;
  const endpoint = targetEndpoint(o.to, connectionSettings(tgt.source, tgt.index, env).url, o.overrides ?? {});
  const schemas = trackedBySchema(tgt.source);
  if (schemas.size === 0) {
    throw new FarjoinError('invalid-configuration', `source "${o.to}" tracks no tables in the metadata, so there is nothing to import into "${o.from}"`);
  }
  const server = farjoinServerName(o.to);
  const tables: FdwTable[] = [...schemas].flatMap(([schema, names]) =>
    names.map((name) => ({ schema, name, localSchema: farjoinSchemaName(o.to, schema), localName: name })));
  const ctx: FdwFailureContext = { source: o.from, target: o.to, server, endpoint: { host: endpoint.host, port: endpoint.port, dbname: endpoint.dbname } };

  const client = new pg.Client({ connectionString: srcUrl, application_name: 'farjoin', connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    throw toSourceError(o.from, e, undefined, srcUrl);
  }
  try {
    const statements = await buildStatements(client, o.from, server, endpoint, schemas, o.to);
    // The check that runs after the import (checkFdwLink's statements), printed too.
    const checks = tables.map((t) => print(sql`SELECT 1 FROM ${ident(t.localSchema, t.localName)} LIMIT 0`).text);
    const result = { statements: ['BEGIN', ...statements.map((s) => s.shown), ...checks, 'COMMIT'], server, endpoint: ctx.endpoint, tables };
    if (o.dryRun) return { ...result, skipped: [], applied: false };
    await client.query('BEGIN');
    const skipped: FdwSetupResult['skipped'][number][] = [];
    try {
      for (const s of statements) {
        try {
          if (s.imports) skipped.push(...await importTables(client, s, server));
          else await client.query(s.run);
        } catch (e) {
          throw failure(e, s, ctx, srcUrl);
        }
      }
      const imported = tables.filter((t) => !skipped.some((k) => k.schema === t.schema && k.name === t.name));
      await checkImported(client, imported, o.to);
      await checkFdwLink(client, imported, ctx);
      await client.query('COMMIT');
      return { ...result, tables: imported, skipped, applied: true };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function buildStatements(
  client: pg.ClientBase, source: string, server: string, endpoint: Endpoint, schemas: ReadonlyMap<string, readonly string[]>, target: string,
): Promise<Statement[]> {
  const version = Number((await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]?.v ?? 0);
  const user = (await client.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
  const existing = (await client.query<{ wrapper: string; options: string[] }>(
    `SELECT w.fdwname AS wrapper, coalesce(s.srvoptions, '{}') AS options
     FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw WHERE s.srvname = $1`, [server])).rows[0];
  if (existing && existing.wrapper !== 'postgres_fdw') {
    throw new FarjoinError('invalid-configuration',
      `foreign server "${server}" already exists in source "${source}" with wrapper ${existing.wrapper}, not postgres_fdw; drop it (DROP SERVER … CASCADE) and run fdw setup again`);
  }

  const wanted: [ManagedOption, string][] = [
    ['host', endpoint.host],
    ['port', String(endpoint.port)],
    ['dbname', endpoint.dbname],
    ...(endpoint.sslmode !== undefined ? [['sslmode', endpoint.sslmode] as [ManagedOption, string]] : []),
    ['fetch_size', String(FDW_FETCH_SIZE)],
    // Lets Postgres run foreign scans of one Append (e.g. a UNION ALL over shards) concurrently.
    ...(version >= ASYNC_CAPABLE_SINCE ? [['async_capable', 'true'] as [ManagedOption, string]] : []),
    // Off on purpose: with it on, planning every statement that touches a foreign table sends
    // remote EXPLAINs first (several round trips per foreign scan), a fixed cost larger than
    // the key-array lookups farjoin ships (DESIGN.md §5.2). farjoin chooses its strategy from
    // its own catalog statistics, and local estimates suffice for `= ANY(ARRAY(…))` scans.
    ['use_remote_estimate', 'false'],
  ];

  // The schemas are dropped CASCADE: make sure they hold nothing but this server's foreign tables.
  const locals = [...schemas.keys()].map((schema) => farjoinSchemaName(target, schema));
  const foreignObjects = (await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_foreign_table ft ON ft.ftrelid = c.oid LEFT JOIN pg_foreign_server s ON s.oid = ft.ftserver
     WHERE n.nspname = ANY($1::text[]) AND (c.relkind <> 'f' OR s.srvname IS DISTINCT FROM $2)
     ORDER BY 1, 2`, [locals, server])).rows;
  if (foreignObjects.length > 0) {
    throw new FarjoinError('invalid-configuration',
      `schema ${foreignObjects[0]!.schema} in source "${source}" holds objects fdw setup did not create (${foreignObjects.slice(0, 5).map((r) => r.name).join(', ')}), and setup would drop it; move them elsewhere or drop the schema yourself`);
  }

  const out: Statement[] = [await same(client, 'CREATE EXTENSION IF NOT EXISTS postgres_fdw', [])];
  if (!existing) {
    out.push(await same(client,
      `CREATE SERVER %I FOREIGN DATA WRAPPER postgres_fdw OPTIONS (${wanted.map(([k]) => `${k} %L`).join(', ')})`,
      [server, ...wanted.map(([, v]) => v)]));
  } else {
    const have = parseOptions(existing.options);
    const actions: { template: string; args: string[] }[] = [
      ...wanted.map(([k, v]) => ({ template: `${k in have ? 'SET' : 'ADD'} ${k} %L`, args: [v] })),
      ...MANAGED_OPTIONS.filter((k) => k in have && !wanted.some(([w]) => w === k)).map((k) => ({ template: `DROP ${k}`, args: [] })),
    ];
    out.push(await same(client, `ALTER SERVER %I OPTIONS (${actions.map((a) => a.template).join(', ')})`, [server, ...actions.flatMap((a) => a.args)]));
  }

  out.push(await same(client, 'DROP USER MAPPING IF EXISTS FOR %I SERVER %I', [user, server]));
  const creds: [string, string | undefined][] = [['user', endpoint.user], ['password', endpoint.password]];
  const given = creds.filter((c): c is [string, string] => c[1] !== undefined);
  if (given.length === 0) {
    out.push(await same(client, 'CREATE USER MAPPING FOR %I SERVER %I', [user, server]));
  } else {
    const template = `CREATE USER MAPPING FOR %I SERVER %I OPTIONS (${given.map(([k]) => `${k} %L`).join(', ')})`;
    const run = await format(client, template, [user, server, ...given.map(([, v]) => v)]);
    const shown = await format(client, template, [user, server, ...given.map(([k, v]) => (k === 'password' ? '***' : v))]);
    out.push({ run, shown });
  }

  for (const [schema, names] of schemas) {
    const local = farjoinSchemaName(target, schema);
    // Farjoin's own schema (checked above), so dropping it with its foreign tables is safe.
    out.push(await same(client, 'DROP SCHEMA IF EXISTS %I CASCADE', [local]));
    out.push(await same(client, 'CREATE SCHEMA %I', [local]));
    const text = await importSql(client, schema, names, server, local);
    out.push({ run: text, shown: text, remote: true, imports: { schema, names, local } });
  }
  return out;
}

async function importSql(client: pg.ClientBase, schema: string, names: readonly string[], server: string, local: string): Promise<string> {
  return (await client.query<{ sql: string }>(FORMAT_IMPORT_SQL, [schema, names, server, local])).rows[0]!.sql;
}

/** An error declaring one imported table in SRC (Postgres's context line names it), not one of the link. */
function tableFailed(e: { where?: string }): boolean {
  return /^importing foreign table /.test(e.where ?? '');
}

/**
 * Runs an `IMPORT FOREIGN SCHEMA`. When one table cannot be declared in SRC (a column of
 * a type SRC does not have: an enum or domain of TGT), the whole import fails; the tables
 * are then imported one by one, and those that cannot be are left out and returned with
 * the reason, instead of failing the link for every other table.
 */
async function importTables(client: pg.ClientBase, s: Statement, server: string): Promise<FdwSetupResult['skipped'][number][]> {
  const { schema, names, local } = s.imports!;
  const attempt = async (text: string): Promise<{ message?: string; where?: string } | undefined> => {
    await client.query('SAVEPOINT farjoin_import');
    try {
      await client.query(text);
      await client.query('RELEASE SAVEPOINT farjoin_import');
      return undefined;
    } catch (e) {
      await client.query('ROLLBACK TO SAVEPOINT farjoin_import');
      return e as { message?: string; where?: string };
    }
  };
  const whole = await attempt(s.run);
  if (!whole) return [];
  if (!tableFailed(whole)) throw whole;
  const skipped: FdwSetupResult['skipped'][number][] = [];
  for (const name of names) {
    const e = await attempt(await importSql(client, schema, [name], server, local));
    if (e && tableFailed(e)) skipped.push({ schema, name, reason: e.message ?? 'it cannot be declared' });
    else if (e) throw e;
  }
  return skipped;
}

function failure(e: unknown, s: Statement, ctx: FdwFailureContext, srcUrl: string): unknown {
  if (s.remote) {
    const mapped = fdwConnectionError(e, ctx);
    if (mapped !== e) return mapped;
  }
  const err = e as { code?: string; message?: string };
  if (err.code === '42501') {
    return new FarjoinError('access-denied',
      `fdw setup on source "${ctx.source}" (${redactUrl(srcUrl)}) was refused: ${err.message ?? 'permission denied'}. Run it as a superuser, or have one run CREATE EXTENSION postgres_fdw and GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw to this user`,
      { internal: err, cause: e });
  }
  if (err.code && /^[0-9A-Z]{5}$/.test(err.code)) {
    return new FarjoinError('postgres-error', `fdw setup failed on source "${ctx.source}" at \`${s.shown.split('\n')[0]}\`: ${err.message ?? 'error'}`, { internal: err, cause: e });
  }
  return toSourceError(ctx.source, e, undefined, srcUrl);
}

/** Every tracked table of TGT got a foreign table (IMPORT skips names the target lacks). */
async function checkImported(client: pg.ClientBase, tables: readonly FdwTable[], target: string): Promise<void> {
  const r = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_foreign_table ft
     JOIN pg_class c ON c.oid = ft.ftrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY($1::text[])`, [[...new Set(tables.map((t) => t.localSchema))]]);
  const have = new Set(r.rows.map((x) => JSON.stringify([x.schema, x.name])));
  const missing = tables.filter((t) => !have.has(JSON.stringify([t.localSchema, t.localName])));
  if (missing.length > 0) {
    throw new FarjoinError('invalid-configuration',
      `source "${target}" has no table ${missing.map((t) => `${t.schema}.${t.name}`).join(', ')} (tracked in the metadata), so postgres_fdw could not import it; fix the metadata or the database`);
  }
}
