/**
 * Errors that name their cause (issue 16): a failure on a source is logged with the source,
 * Postgres's own reason (SQLSTATE and message) and the request id, always; non-admins get
 * a message that names the source and the class of the failure — `source-unavailable`,
 * `invalid-session-value`, `data-exception`, `postgres-error` (Hasura's codes where it has
 * one) — and never SQL text or driver detail. A session value that does not cast names the
 * session variable.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { useFixture } from '../helpers/lifecycle.js';
import { CapturedLog } from '../helpers/log-capture.js';
import { MUSIC_SQL, SALES_SQL } from '../helpers/music-sales.js';

const ADMIN_SECRET = 'letmein';
const EXTRA_SQL = 'CREATE TABLE scratch (id int PRIMARY KEY); INSERT INTO scratch VALUES (1);';

interface Fixture {
  databases: TestDatabases;
  engine: Engine;
  log: CapturedLog;
}

const fixture = useFixture<Fixture>(async () => {
  const databases = await createDatabases({
    music: { server: 'a', sql: `${MUSIC_SQL}${EXTRA_SQL}` },
    sales: { server: 'b', sql: SALES_SQL },
    spare: { server: 'a', sql: EXTRA_SQL },
  });
  const source = (name: string) => ({ name, kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs[name]!.url } } });
  const metadata = {
    version: 3,
    sources: [
      { ...source('music'), tables: [
        { table: { schema: 'public', name: 'album' }, select_permissions: [{ role: 'fan', permission: { columns: '*', filter: { id: { _eq: 'X-Hasura-Album-Id' } } } }],
          remote_relationships: [{ name: 'sales', definition: { to_source: { relationship_type: 'array', source: 'sales', table: { schema: 'public', name: 'sale' }, field_mapping: { id: 'album_id' } } } }] },
        { table: { schema: 'public', name: 'scratch' }, select_permissions: [{ role: 'fan', permission: { columns: '*', filter: {} } }],
          insert_permissions: [{ role: 'fan', permission: { columns: [], check: {}, set: { id: 'X-Hasura-Scratch-Id' } } }] },
      ] },
      { ...source('sales'), tables: [
        { table: { schema: 'public', name: 'sale' }, select_permissions: [{ role: 'fan', permission: { columns: '*', filter: { _or: [{ qty: { _gte: 'X-Hasura-Min-Qty' } }, { id: { _in: 'X-Hasura-Sale-Ids' } }] } } }] },
      ] },
      { ...source('spare'), tables: [
        { table: { schema: 'public', name: 'scratch' }, configuration: { custom_name: 'spare_scratch' }, select_permissions: [{ role: 'fan', permission: { columns: '*', filter: {} } }] },
      ] },
    ],
  };
  const log = new CapturedLog();
  const engine = await createEngine({ metadata, adminSecret: ADMIN_SECRET, logger: log });
  return { databases, engine, log };
}, async ({ databases, engine }) => {
  await engine.close();
  await databases.drop();
});

const fan = (vars: Record<string, string> = {}) => ({ 'x-hasura-admin-secret': ADMIN_SECRET, 'x-hasura-role': 'fan', 'x-hasura-album-id': '10', 'x-hasura-min-qty': '3', 'x-hasura-sale-ids': '{1}', ...vars });
const admin = { 'x-hasura-admin-secret': ADMIN_SECRET };

async function run(query: string, headers: Record<string, string>, requestId: string) {
  fixture().log.clear();
  const r = await fixture().engine.execute({ query, headers, requestId });
  return { ...r, logged: fixture().log.errors(requestId), text: JSON.stringify(r) };
}

/** Nothing of the statement or the driver reaches a non-admin. */
function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/SELECT|FROM|json_build_array|\$\d|internal|stack|statement|22P02|42P01/);
}

describe('a session value that does not cast', () => {
  it('names the session variable and the source; the log has the SQLSTATE, the reason and the request id', async () => {
    const r = await run('{ album { id } }', fan({ 'x-hasura-album-id': 'ten' }), 'cast-1');
    expect(r.data).toEqual({ album: null });
    expect(r.errors).toEqual([{
      message: 'invalid value for session variable "x-hasura-album-id" on source "music": invalid input syntax for type integer: "ten"',
      extensions: { path: '$.selectionSet.album', code: 'invalid-session-value' },
    }]);
    expectNoInternals(JSON.stringify(r.errors));
    expect(r.logged).toHaveLength(1);
    expect(r.logged[0]!.obj).toMatchObject({ requestId: 'cast-1', code: 'invalid-session-value', source: 'music', reason: { sqlState: '22P02', message: 'invalid input syntax for type integer: "ten"' } });
    expect(String(r.logged[0]!.obj.statement)).toContain('SELECT');
  });

  it('names it inside a remote join, and for an element of an array literal used with _in', async () => {
    const r = await run('{ album { id sales { id } } }', fan({ 'x-hasura-sale-ids': '{1,two}' }), 'cast-2');
    expect(r.data).toEqual({ album: [{ id: 10, sales: null }] });
    expect(r.errors?.[0]).toMatchObject({
      message: expect.stringContaining('session variable "x-hasura-sale-ids" on source "sales"'),
      extensions: { path: '$.selectionSet.album.selectionSet.sales', code: 'invalid-session-value' },
    });
    expectNoInternals(JSON.stringify(r.errors));
    expect(r.logged[0]!.obj).toMatchObject({ requestId: 'cast-2', source: 'sales', reason: { sqlState: '22P02' } });
  });

  it('still fails closed: a value that casts to nothing wider is refused, never ignored', async () => {
    const r = await run('{ album { id } }', fan({ 'x-hasura-album-id': '1 OR true' }), 'cast-3');
    expect(r.data).toEqual({ album: null });
    expect(r.errors?.[0]?.extensions.code).toBe('invalid-session-value');
  });
});

describe('a session value that does not cast in a mutation preset', () => {
  it('names the session variable and the source, at the mutation field, and writes nothing', async () => {
    const r = await run('mutation { insert_scratch_one(object: {}) { id } }', fan({ 'x-hasura-scratch-id': 'seven' }), 'preset-1');
    expect(r.errors).toEqual([{
      message: 'invalid value for session variable "x-hasura-scratch-id" on source "music": invalid input syntax for type integer: "seven"',
      extensions: { path: '$.selectionSet.insert_scratch_one', code: 'invalid-session-value' },
    }]);
    expect(r.logged[0]!.obj).toMatchObject({ requestId: 'preset-1', code: 'invalid-session-value', source: 'music', reason: { sqlState: '22P02' } });
    expect(await fixture().databases.dbs.music!.query('SELECT id FROM scratch ORDER BY id')).toEqual([{ id: 1 }]);
  });
});

describe('a value of the request that Postgres cannot take', () => {
  it('is a data-exception naming the source and Postgres\'s reason', async () => {
    const r = await run('{ album(where: {price: {_eq: "2023-13-45"}}) { id } }', admin, 'data-1');
    expect(r.errors?.[0]).toMatchObject({ message: 'source "music": invalid input syntax for type numeric: "2023-13-45"', extensions: { code: 'data-exception' } });
    expect(r.logged[0]!.obj).toMatchObject({ requestId: 'data-1', source: 'music', reason: { sqlState: '22P02' } });
  });
});

describe('a query error', () => {
  it('names the source, not the SQL, for non-admins; the log has the reason; admins get the detail', async () => {
    await fixture().databases.dbs.music!.query('ALTER TABLE scratch RENAME TO scratch_gone');
    try {
      const r = await run('{ scratch { id } }', fan(), 'query-1');
      expect(r.errors).toEqual([{ message: 'database query error on source "music"', extensions: { path: '$.selectionSet.scratch', code: 'postgres-error' } }]);
      expectNoInternals(JSON.stringify(r.errors));
      expect(r.logged).toHaveLength(1);
      expect(r.logged[0]!.obj).toMatchObject({ requestId: 'query-1', code: 'postgres-error', source: 'music', reason: { sqlState: '42P01', message: 'relation "public.scratch" does not exist' } });
      const a = await run('{ scratch { id } }', admin, 'query-2');
      expect(a.errors?.[0]?.extensions.internal).toMatchObject({ source: 'music', code: '42P01', statement: expect.stringContaining('SELECT') });
    } finally {
      await fixture().databases.dbs.music!.query('ALTER TABLE scratch_gone RENAME TO scratch');
    }
  });
});

describe('a source that stops answering', () => {
  it('is source-unavailable with the source named; the log has the reason; other sources still answer', async () => {
    const { databases } = fixture();
    const spare = databases.dbs.spare!;
    // The database disappears under the engine: pooled connections end, new ones are refused.
    await databases.dbs.music!.query(`DROP DATABASE "${spare.name}" WITH (FORCE)`);
    const r = await run('{ spare_scratch { id } scratch { id } }', fan(), 'down-1');
    expect(r.data).toEqual({ spare_scratch: null, scratch: [{ id: 1 }] });
    expect(r.errors).toEqual([{ message: 'source "spare" is unavailable', extensions: { path: '$.selectionSet.spare_scratch', code: 'source-unavailable' } }]);
    expect(r.logged).toHaveLength(1);
    expect(r.logged[0]!.obj).toMatchObject({ requestId: 'down-1', code: 'source-unavailable', source: 'spare', reason: { sqlState: '3D000', message: `database "${spare.name}" does not exist` } });
  });
});
