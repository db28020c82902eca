/**
 * Operability (issue 11 item 10): every internal error is logged once, with its stack and
 * the request id (`x-request-id`: the caller's, or a new one, returned in the response
 * header), and non-admins see only `unexpected`. And the internal error the issue found:
 * a role whose permission on a remote relationship's target leaves out the target's join
 * column still gets the joined row, as Hasura returns it.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { listen, type Listening } from '../helpers/http.js';
import { useFixture } from '../helpers/lifecycle.js';
import { CapturedLog } from '../helpers/log-capture.js';
import { MUSIC_SQL, SALES_SQL } from '../helpers/music-sales.js';
import { executeEach, linkAllSources } from '../helpers/strategies.js';

const ADMIN_SECRET = 'letmein';
const fan = { 'x-hasura-admin-secret': ADMIN_SECRET, 'x-hasura-role': 'fan' };
const perm = (columns: string[]) => [{ role: 'fan', permission: { columns, filter: {}, allow_aggregations: true } }];

interface Fixture {
  databases: TestDatabases;
  engine: Engine;
  log: CapturedLog;
  server: Listening;
  /** Makes the next statements fail inside the engine with a TypeError (a bug, not a database error). */
  fault: { on: boolean };
}

const fixture = useFixture<Fixture>(async () => {
  const databases = await createDatabases({ music: { server: 'a', sql: MUSIC_SQL }, sales: { server: 'b', sql: SALES_SQL } });
  const metadata = {
    version: 3,
    sources: [
      { name: 'music', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.music!.url } }, tables: [
        // fan may not read artist.id nor album.id / album.artist_id: the join columns on the target side.
        { table: { schema: 'public', name: 'artist' }, select_permissions: perm(['name']), array_relationships: [{ name: 'albums', using: { foreign_key_constraint_on: { table: { schema: 'public', name: 'album' }, column: 'artist_id' } } }] },
        { table: { schema: 'public', name: 'album' }, select_permissions: perm(['title', 'year']), object_relationships: [{ name: 'artist', using: { foreign_key_constraint_on: 'artist_id' } }] },
      ] },
      { name: 'sales', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.sales!.url } }, tables: [
        { table: { schema: 'public', name: 'sale' }, select_permissions: perm(['id', 'album_id', 'qty']), remote_relationships: [
          { name: 'album', definition: { to_source: { relationship_type: 'object', source: 'music', table: { schema: 'public', name: 'album' }, field_mapping: { album_id: 'id' } } } },
          { name: 'artist_albums', definition: { to_source: { relationship_type: 'array', source: 'music', table: { schema: 'public', name: 'album' }, field_mapping: { album_id: 'id' } } } },
        ] },
      ] },
    ],
  };
  await linkAllSources(metadata);
  const log = new CapturedLog();
  const fault = { on: false };
  const engine = await createEngine({
    metadata, adminSecret: ADMIN_SECRET, logger: log,
    onStatement: () => {
      if (fault.on) throw new TypeError('boom: a bug inside the engine');
    },
  });
  const server = await listen(engine.handler);
  return { databases, engine, log, server, fault };
}, async ({ databases, engine, server }) => {
  await server.close();
  await engine.close();
  await databases.drop();
});

/** Runs `fn` with the engine fault on. */
async function faulty<T>(fn: () => Promise<T>): Promise<T> {
  fixture().fault.on = true;
  try {
    return await fn();
  } finally {
    fixture().fault.on = false;
  }
}

async function post(query: string, headers: Record<string, string>) {
  const res = await fetch(`${fixture().server.url}/v1/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: res.status, requestId: res.headers.get('x-request-id'), text: await res.text() };
}

describe('join columns outside the role\'s column permission (target side)', () => {
  it('returns the joined rows of a remote object and array relationship, under every strategy', async () => {
    const sales = await fixture().databases.dbs.sales!.query('SELECT id, album_id FROM sale ORDER BY id');
    const albums = await fixture().databases.dbs.music!.query('SELECT id, title FROM album');
    const title = (id: unknown) => albums.find((a) => a.id === id)?.title as string | undefined;
    const result = await executeEach(fixture().engine, { query: '{ sale(order_by: {id: asc}) { id album { title } artist_albums { title } } }', headers: fan });
    expect(result.same()).toEqual({ sale: sales.map((s) => ({
      id: s.id,
      album: title(s.album_id) === undefined ? null : { title: title(s.album_id) },
      // A null key gives null without a call, for array fields too (DESIGN.md §5.1).
      artist_albums: s.album_id === null ? null : title(s.album_id) === undefined ? [] : [{ title: title(s.album_id) }],
    })) });
  });

  it('returns the joined rows of local relationships whose target key the role may not read', async () => {
    const rows = await fixture().databases.dbs.music!.query('SELECT a.title, r.name FROM album a JOIN artist r ON r.id = a.artist_id ORDER BY a.year');
    const r = await fixture().engine.execute({ query: '{ album(order_by: {year: asc}) { title artist { name } } }', headers: fan });
    expect(r).toEqual({ data: { album: rows.map((x) => ({ title: x.title, artist: { name: x.name } })) } });
  });
});

describe('internal errors', () => {
  it('are logged once with the stack and the caller\'s request id; non-admins see only unexpected', async () => {
    const { log } = fixture();
    log.clear();
    const answer = await faulty(() => post('{ sale { id } }', { ...fan, 'x-request-id': 'trace-abc-123' }));
    expect(answer.requestId).toBe('trace-abc-123');
    expect(JSON.parse(answer.text)).toEqual({ data: { sale: null }, errors: [{ message: 'internal error', extensions: { path: '$.selectionSet.sale', code: 'unexpected' } }] });
    expect(answer.text).not.toContain('boom');
    const errors = log.errors();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.obj.requestId).toBe('trace-abc-123');
    const err = errors[0]!.obj.err as { message: string; stack: string };
    expect(err.message).toContain('boom');
    expect(err.stack).toMatch(/TypeError: boom[^\n]*\n\s+at /);
    // The request line carries the same id.
    const request = log.lines.find((l) => l.msg === 'request');
    expect(request?.obj.requestId).toBe('trace-abc-123');
  });

  it('get a new request id when the caller sends none (or an unusable one), in the header and the log', async () => {
    const { log } = fixture();
    for (const given of [undefined, 'has spaces in it', 'x'.repeat(300)]) {
      log.clear();
      const answer = await faulty(() => post('{ sale { id } }', given === undefined ? fan : { ...fan, 'x-request-id': given }));
      expect(answer.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(log.errors(answer.requestId!)).toHaveLength(1);
    }
  });

  it('show the admin the internal detail, and are logged for the admin too', async () => {
    const { log } = fixture();
    log.clear();
    const answer = await faulty(() => post('{ sale { id } }', { 'x-hasura-admin-secret': ADMIN_SECRET }));
    const body = JSON.parse(answer.text) as { errors: { extensions: { internal?: { message?: string } } }[] };
    expect(body.errors[0]!.extensions.internal?.message).toContain('boom');
    expect(log.errors(answer.requestId!)).toHaveLength(1);
  });

  it('are logged through createEngine without HTTP too, with the request id given or a new one', async () => {
    const { engine, log } = fixture();
    log.clear();
    const r = await faulty(() => engine.execute({ query: '{ sale { id } }', headers: fan, requestId: 'lib-1' }));
    expect(r.errors?.[0]?.extensions.code).toBe('unexpected');
    await faulty(() => engine.execute({ query: '{ sale { id } }', headers: fan }));
    expect(log.errors('lib-1')).toHaveLength(1);
    expect(log.errors()).toHaveLength(2);
    expect(log.errors()[1]!.obj.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a request without errors logs none, and answers with its request id', async () => {
    const { log } = fixture();
    log.clear();
    const answer = await post('{ sale(limit: 1) { id } }', fan);
    expect(answer.status).toBe(200);
    expect(answer.requestId).toBeTruthy();
    expect(log.errors()).toEqual([]);
  });
});
