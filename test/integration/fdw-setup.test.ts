/**
 * `farjoin fdw setup` and fdw link detection (DESIGN.md §5.2, §6 `fdw`) on the demo:
 * source_db on server `a` reads target_db on server `b`, a real cross-server link.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMetadata } from '../../compiler/metadata/parse.js';
import type { Metadata } from '../../compiler/metadata/types.js';
import { createEngine } from '../../runtime/engine.js';
import { readMetadataFile } from '../../runtime/metadata-file.js';
import { packageFile } from '../../runtime/paths.js';
import { detectFdwLinks, farjoinSchemaName, farjoinServerName, normalizeHost, parseEndpoint } from '../../runtime/sources/fdw-links.js';
import { fdwSetup } from '../../runtime/sources/fdw-setup.js';
import { introspect, introspectFdw } from '../../runtime/sources/introspect.js';
import { freePort } from '../../runtime/embedded/cluster.js';
import { runCli } from '../helpers/cli.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';

const METADATA = packageFile('fixtures', 'demo', 'metadata.yaml');

let databases: TestDatabases;
let env: Record<string, string>;
let metadata: Metadata;

const farjoin = (args: string[]) => runCli(args, env);

const src = () => databases.dbs.source_db!;
const tgt = () => databases.dbs.target_db!;

/** Everything fdw setup may touch in source_db, as comparable data. */
async function fdwState(): Promise<unknown> {
  return {
    extensions: await src().query(`SELECT extname FROM pg_extension WHERE extname = 'postgres_fdw'`),
    servers: await src().query(`SELECT srvname, srvoptions FROM pg_foreign_server ORDER BY srvname`),
    mappings: await src().query(`SELECT srvname, usename, umoptions FROM pg_user_mappings ORDER BY srvname, usename`),
    schemas: await src().query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'farjoin%' ORDER BY nspname`),
    foreignTables: await src().query(`SELECT n.nspname, c.relname, s.srvname, ft.ftoptions,
        (SELECT array_agg(attname || ':' || format_type(atttypid, atttypmod) ORDER BY attnum) FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0) AS columns
      FROM pg_foreign_table ft JOIN pg_class c ON c.oid = ft.ftrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_foreign_server s ON s.oid = ft.ftserver ORDER BY 1, 2`),
  };
}

/** A loopback port nothing listens on (freed right after it was found free). */
const closedPort = freePort;

/** Catalog + fdw introspection of both demo sources, as detection reads them. */
async function introspectBoth(): Promise<Parameters<typeof detectFdwLinks>[0]> {
  const out = [];
  for (const [name, db] of [['source_db', src()], ['target_db', tgt()]] as const) {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      out.push({ name, url: db.url, tracked: metadata.sources.find((s) => s.name === name)!.tables.map((t) => t.table), catalog: await introspect(c), fdw: await introspectFdw(c) });
    } finally {
      await c.end();
    }
  }
  return out;
}

beforeAll(async () => {
  databases = await createDatabases({
    source_db: { server: 'a', sql: readFileSync(packageFile('fixtures', 'demo', 'source_db.sql'), 'utf8') },
    target_db: { server: 'b', sql: readFileSync(packageFile('fixtures', 'demo', 'target_db.sql'), 'utf8') },
  });
  env = { SOURCE_DB_URL: src().url, TARGET_DB_URL: tgt().url };
  metadata = parseMetadata(await readMetadataFile(METADATA));
});
afterAll(async () => {
  await databases?.drop();
});

describe('fdw link helpers', () => {
  it('reads libpq endpoints from URLs and treats loopback spellings as one host', () => {
    expect(parseEndpoint('postgres://u:p%40ss@127.0.0.1:6543/my%20db?sslmode=require')).toEqual({ host: '127.0.0.1', port: 6543, dbname: 'my db', user: 'u', password: 'p@ss', sslmode: 'require' });
    expect(parseEndpoint('postgresql://bob@[::1]/')).toEqual({ host: '::1', port: 5432, dbname: 'bob', user: 'bob' });
    expect(parseEndpoint('host=x dbname=y')).toBeUndefined();
    expect(new Set(['localhost', '127.0.0.1', '::1', 'LOCALHOST'].map(normalizeHost)).size).toBe(1);
    expect(normalizeHost('db.example.com')).not.toBe(normalizeHost('localhost'));
  });

  it('derives plain identifiers from source names, keeping distinct names distinct', () => {
    expect(farjoinServerName('target_db')).toBe('farjoin_target_db');
    expect(farjoinSchemaName('target_db', 'public')).toBe('farjoin_fdw_target_db');
    expect(farjoinSchemaName('target_db', 'sales')).toBe('farjoin_fdw_target_db_sales');
    expect(farjoinServerName('My-DB')).toMatch(/^farjoin_my_db_[0-9a-f]{6}$/);
    expect(farjoinServerName('my_db!')).not.toBe(farjoinServerName('my_db?'));
    expect(farjoinSchemaName('x'.repeat(80), 'y'.repeat(80)).length).toBeLessThanOrEqual(63);
  });
});

describe('farjoin fdw setup', () => {
  it('--dry-run prints the SQL, Postgres-formatted, with the password masked, and changes nothing', async () => {
    const before = await fdwState();
    const r = await fdwSetup({ metadata, from: 'source_db', to: 'target_db', env, dryRun: true });
    expect(r.applied).toBe(false);
    const t = parseEndpoint(tgt().url)!;
    expect(r.statements).toEqual([
      'BEGIN',
      'CREATE EXTENSION IF NOT EXISTS postgres_fdw',
      `CREATE SERVER farjoin_target_db FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '${t.port}', dbname '${t.dbname}', fetch_size '10000', async_capable 'true', use_remote_estimate 'false')`,
      'DROP USER MAPPING IF EXISTS FOR postgres SERVER farjoin_target_db',
      `CREATE USER MAPPING FOR postgres SERVER farjoin_target_db OPTIONS (user 'postgres', password '***')`,
      'DROP SCHEMA IF EXISTS farjoin_fdw_target_db CASCADE',
      'CREATE SCHEMA farjoin_fdw_target_db',
      'IMPORT FOREIGN SCHEMA public LIMIT TO ("user") FROM SERVER farjoin_target_db INTO farjoin_fdw_target_db',
      'SELECT 1 FROM "farjoin_fdw_target_db"."user" LIMIT 0',
      'COMMIT',
    ]);
    expect(r.statements.join('\n')).not.toContain(t.password!);
    expect(await fdwState()).toEqual(before);
  });

  it('creates the server, user mapping, schema and foreign tables; the target\'s rows read from the source', async () => {
    const r = await fdwSetup({ metadata, from: 'source_db', to: 'target_db', env });
    expect(r.applied).toBe(true);
    expect(await src().query('SELECT id, name FROM farjoin_fdw_target_db."user" ORDER BY id')).toEqual([
      { id: 1, name: 'Alice' }, { id: 2, name: 'Bob' }, { id: 3, name: 'Carol' },
    ]);
    const [server] = await src().query<{ srvoptions: string[] }>(`SELECT srvoptions FROM pg_foreign_server WHERE srvname = 'farjoin_target_db'`);
    expect(server!.srvoptions).toEqual(expect.arrayContaining(['fetch_size=10000', 'async_capable=true', 'use_remote_estimate=false', 'host=127.0.0.1']));
    const mappings = await src().query(`SELECT usename FROM pg_user_mappings WHERE srvname = 'farjoin_target_db'`);
    expect(mappings).toEqual([{ usename: 'postgres' }]);
  });

  it('is idempotent: a second run succeeds and leaves the same state', async () => {
    const first = await fdwState();
    await fdwSetup({ metadata, from: 'source_db', to: 'target_db', env });
    expect(await fdwState()).toEqual(first);
    expect(await src().query('SELECT count(*)::int AS n FROM farjoin_fdw_target_db."user"')).toEqual([{ n: 3 }]);
    // On an existing server, the dry run shows an ALTER SERVER.
    const dry = await fdwSetup({ metadata, from: 'source_db', to: 'target_db', env, dryRun: true });
    expect(dry.statements[2]).toMatch(/^ALTER SERVER farjoin_target_db OPTIONS \(SET host '127\.0\.0\.1', SET port '\d+', SET dbname '[^']+', SET fetch_size '10000', SET async_capable 'true', SET use_remote_estimate 'false'\)$/);
  });

  it('is detected: the engine\'s catalog has the link source_db → target_db with the user table', async () => {
    const links = detectFdwLinks(await introspectBoth());
    const targetVersion = Number((await tgt().query<{ v: string }>("SELECT current_setting('server_version_num') AS v"))[0]!.v);
    const expected = [{
      target: 'target_db', server: 'farjoin_target_db', targetServerVersion: targetVersion, fetchSize: 10000,
      tables: [{ schema: 'public', name: 'user', localSchema: 'farjoin_fdw_target_db', localName: 'user' }],
    }];
    expect(links).toEqual({ source_db: expected });
    const engine = await createEngine({ metadataPath: METADATA, env: { ...process.env, ...env } });
    try {
      const model = engine.compiler.model.sources;
      expect(model.find((s) => s.name === 'source_db')!.fdwLinks).toEqual(expected);
      expect(model.find((s) => s.name === 'target_db')!.fdwLinks).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('a server that points elsewhere is not a link; a hand-made one that points at the target is', async () => {
    const t = parseEndpoint(tgt().url)!;
    const other = await closedPort();
    // Hand-made objects, quoted by format() like the setup does.
    for (const [template, args] of [
      ["CREATE SERVER elsewhere FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port %L, dbname %L)", [String(other), t.dbname]],
      ['CREATE USER MAPPING FOR CURRENT_USER SERVER elsewhere', []],
      ['CREATE SCHEMA elsewhere_s', []],
      ["CREATE FOREIGN TABLE elsewhere_s.\"user\" (id int, name text) SERVER elsewhere OPTIONS (schema_name 'public')", []],
      ["CREATE SERVER handmade FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'localhost', port %L, dbname %L)", [String(t.port), t.dbname]],
      ["CREATE USER MAPPING FOR PUBLIC SERVER handmade OPTIONS (\"user\" %L, password %L)", [t.user!, t.password!]],
      ['CREATE SCHEMA hand', []],
      ["CREATE FOREIGN TABLE hand.people (id int, name text) SERVER handmade OPTIONS (schema_name 'public', table_name 'user')", []],
      ["CREATE FOREIGN TABLE hand.\"user\" (id int) SERVER handmade", []],
    ] as const) {
      const [{ sql }] = await src().query<{ sql: string }>('SELECT format($1::text, VARIADIC $2::text[]) AS sql', [template, args]) as [{ sql: string }];
      await src().query(sql);
    }
    try {
      const inputs = await introspectBoth();
      // All three servers present: the one fdw setup made wins.
      expect(detectFdwLinks(inputs).source_db?.map((l) => l.server)).toEqual(['farjoin_target_db']);
      const without = (drop: string[]) => inputs.map((i) => ({ ...i, fdw: { ...i.fdw, servers: i.fdw.servers.filter((s) => !drop.includes(s.name)) } }));
      // Only the server on another port: no link.
      expect(detectFdwLinks(without(['farjoin_target_db', 'handmade']))).toEqual({});
      // The hand-made server ('localhost' = 127.0.0.1; table_name from the option).
      // hand."user" reads schema "hand" remotely (schema_name defaults to the local schema): not tracked.
      expect(detectFdwLinks(without(['farjoin_target_db', 'elsewhere'])).source_db).toEqual([expect.objectContaining({
        server: 'handmade', fetchSize: 100,
        tables: [{ schema: 'public', name: 'user', localSchema: 'hand', localName: 'people' }],
      })]);
    } finally {
      await src().query('DROP SERVER elsewhere CASCADE');
      await src().query('DROP SERVER handmade CASCADE');
      await src().query('DROP SCHEMA elsewhere_s, hand');
    }
  });

  it('a target that refuses the connection fails with the server, the target and the fix, and changes nothing', async () => {
    const before = await fdwState();
    const port = await closedPort();
    const run = fdwSetup({ metadata, from: 'source_db', to: 'target_db', env, overrides: { port } });
    await expect(run).rejects.toThrow(new RegExp(`foreign server "farjoin_target_db" in source "source_db" cannot connect to target "target_db" at 127\\.0\\.0\\.1:${port}/.*pass --host/--port/--dbname .* or fix target_db's database_url`));
    expect(await fdwState()).toEqual(before);
  });

  it('bad credentials fail with a message that names --user/--password, and change nothing', async () => {
    const before = await fdwState();
    await expect(fdwSetup({ metadata, from: 'source_db', to: 'target_db', env, overrides: { password: 'wrong' } }))
      .rejects.toThrow(/foreign server "farjoin_target_db" in source "source_db" cannot log in to target "target_db" at .*password authentication failed.*pass --user\/--password, or fix target_db's database_url/);
    expect(await fdwState()).toEqual(before);
  });

  it('imports each schema of the target into its own local schema', async () => {
    await tgt().query(`CREATE SCHEMA sales; CREATE TABLE sales.region (id int PRIMARY KEY, label text); INSERT INTO sales.region VALUES (7, 'north')`);
    const target = metadata.sources.find((s) => s.name === 'target_db')!;
    const two: Metadata = { ...metadata, sources: metadata.sources.map((s) => (s === target ? { ...target, tables: [...target.tables, { table: { schema: 'sales', name: 'region' } }] } : s)) };
    const r = await fdwSetup({ metadata: two, from: 'source_db', to: 'target_db', env });
    expect(r.tables).toEqual([
      { schema: 'public', name: 'user', localSchema: 'farjoin_fdw_target_db', localName: 'user' },
      { schema: 'sales', name: 'region', localSchema: 'farjoin_fdw_target_db_sales', localName: 'region' },
    ]);
    expect(await src().query('SELECT id, label FROM farjoin_fdw_target_db_sales.region')).toEqual([{ id: 7, label: 'north' }]);
    expect(await src().query('SELECT count(*)::int AS n FROM farjoin_fdw_target_db."user"')).toEqual([{ n: 3 }]);
  });

  it('leaves out a table with a column type the source lacks (the target\'s enum), imports the others, and says why', async () => {
    await tgt().query(`CREATE SCHEMA moods; CREATE TYPE moods.mood AS ENUM ('happy', 'sad');
      CREATE TABLE moods.feeling (id int PRIMARY KEY, mood moods.mood); CREATE TABLE moods.plain (id int PRIMARY KEY); INSERT INTO moods.plain VALUES (1)`);
    const target = metadata.sources.find((s) => s.name === 'target_db')!;
    const extra = [{ table: { schema: 'moods', name: 'feeling' } }, { table: { schema: 'moods', name: 'plain' } }];
    const more: Metadata = { ...metadata, sources: metadata.sources.map((s) => (s === target ? { ...target, tables: [...target.tables, ...extra] } : s)) };
    const r = await fdwSetup({ metadata: more, from: 'source_db', to: 'target_db', env });
    expect(r.skipped).toEqual([{ schema: 'moods', name: 'feeling', reason: 'schema "moods" does not exist' }]);
    expect(r.tables.map((t) => `${t.schema}.${t.name}`)).toEqual(['public.user', 'moods.plain']);
    expect(await src().query('SELECT id FROM farjoin_fdw_target_db_moods.plain')).toEqual([{ id: 1 }]);
  });

  it('refuses to drop a farjoin schema that holds objects it did not create', async () => {
    await src().query('CREATE TABLE farjoin_fdw_target_db.mine (id int)');
    try {
      await expect(fdwSetup({ metadata, from: 'source_db', to: 'target_db', env, dryRun: true }))
        .rejects.toThrow('schema farjoin_fdw_target_db in source "source_db" holds objects fdw setup did not create (mine)');
    } finally {
      await src().query('DROP TABLE farjoin_fdw_target_db.mine');
    }
  });

  it('names unknown sources and refuses --from = --to', async () => {
    await expect(fdwSetup({ metadata, from: 'nope', to: 'target_db', env })).rejects.toThrow('--from nope: no such source in the metadata (sources: source_db, target_db)');
    await expect(fdwSetup({ metadata, from: 'source_db', to: 'source_db', env })).rejects.toThrow(/same source/);
  });
});

describe('farjoin fdw (CLI)', () => {
  it('has --help on fdw and fdw setup', async () => {
    const a = await farjoin(['fdw', '--help']);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('Usage: farjoin fdw');
    expect(a.stdout).toContain('setup');
    const b = await farjoin(['fdw', 'setup', '--help']);
    expect(b.code).toBe(0);
    expect(b.stdout).toContain('Usage: farjoin fdw setup');
    expect(b.stdout).toContain('--dry-run');
  });

  it('--dry-run prints the script; a run sets up and reports the check', async () => {
    const dry = await farjoin(['fdw', 'setup', '--metadata', METADATA, '--from', 'source_db', '--to', 'target_db', '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("OPTIONS (user 'postgres', password '***');");
    expect(dry.stdout).toContain('IMPORT FOREIGN SCHEMA public LIMIT TO ("user") FROM SERVER farjoin_target_db INTO farjoin_fdw_target_db;');
    const r = await farjoin(['fdw', 'setup', '--metadata', METADATA, '--from', 'source_db', '--to', 'target_db']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('through foreign server "farjoin_target_db"');
    expect(r.stdout).toContain('public.user -> farjoin_fdw_target_db.user');
    expect(await src().query('SELECT count(*)::int AS n FROM farjoin_fdw_target_db."user"')).toEqual([{ n: 3 }]);
  });

  it('a refused connection exits 1 with the clear message', async () => {
    const port = await closedPort();
    const r = await farjoin(['fdw', 'setup', '--metadata', METADATA, '--from', 'source_db', '--to', 'target_db', '--port', String(port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('farjoin: foreign server "farjoin_target_db" in source "source_db" cannot connect to target "target_db"');
  });
});
