/**
 * The library's lifecycle (issue 6): `reload()` re-reads metadata and catalogs and swaps
 * compiler, pools and plan cache at once without dropping in-flight requests; a failed
 * reload keeps the old version; `close()` drains in-flight requests before closing pools.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../index.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { listen, type Listening } from '../helpers/http.js';

const SQL = `
CREATE TABLE items (id int PRIMARY KEY);
CREATE TABLE tags (id int PRIMARY KEY, label text);
INSERT INTO items VALUES (1), (2);
INSERT INTO tags VALUES (10, 'red');
CREATE FUNCTION nap(seconds float8, v int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(seconds); RETURN v; END $$;
CREATE VIEW napping AS SELECT nap(2, 7) AS id; -- long enough for a reload on a loaded machine
`;

let databases: TestDatabases;
let dir: string;
let metadataPath: string;
let engine: Engine;
let http: Listening;

const write = (tables: string[]): void => writeFileSync(metadataPath, JSON.stringify({
  version: 3,
  sources: [{
    name: 'lib', kind: 'postgres',
    configuration: { connection_info: { database_url: { from_env: 'LIB_DB_URL' } } },
    tables: tables.map((name) => ({ table: { schema: 'public', name } })),
  }],
}));

beforeAll(async () => {
  databases = await createDatabases({ lib: { server: 'b', sql: SQL } });
  dir = mkdtempSync(join(tmpdir(), 'farjoin-reload-'));
  metadataPath = join(dir, 'metadata.json');
  write(['items', 'napping']);
  engine = await createEngine({ metadataPath, env: { LIB_DB_URL: databases.dbs.lib!.url } });
  http = await listen(engine.handler);
});
afterAll(async () => {
  await http?.close();
  await engine?.close();
  await databases?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const post = async (query: string): Promise<unknown> =>
  (await fetch(`${http.url}/v1/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json();

describe('reload', () => {
  it('swaps to the new metadata while a request in flight finishes on the old one', async () => {
    expect(((await post('{ tags { id } }')) as { errors: unknown[] }).errors).toBeDefined();
    await post('{ items { id } }'); // cached on the old version
    const oldPool = engine.sources.get('lib').pool;
    const inFlight = post('{ napping { id } }');
    await new Promise((r) => setTimeout(r, 150));
    write(['items', 'tags', 'napping']);
    await engine.reload();
    // the new version answers at once, through the same handler
    expect(await post('{ tags { id label } }')).toEqual({ data: { tags: [{ id: 10, label: 'red' }] } });
    expect(engine.sources.get('lib').pool).not.toBe(oldPool);
    expect(engine.planCacheStats().size).toBe(1); // a fresh cache: only the tags query
    // the old request was not dropped, and the old pool closes after it
    expect(oldPool.ending).toBe(false);
    expect(await inFlight).toEqual({ data: { napping: [{ id: 7 }] } });
    await new Promise((r) => setTimeout(r, 50));
    expect(oldPool.ending).toBe(true);
    expect(oldPool.totalCount).toBe(0);
  });

  it('keeps the old version when the new metadata is invalid', async () => {
    write(['items', 'no_such_table']);
    await expect(engine.reload()).rejects.toMatchObject({ code: 'invalid-metadata' });
    expect(await post('{ tags { id } }')).toEqual({ data: { tags: [{ id: 10 }] } });
    write(['items', 'tags', 'napping']);
  });

  it('takes metadata as an object too', async () => {
    await engine.reload({
      metadata: {
        version: 3,
        sources: [{ name: 'lib', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.lib!.url } }, tables: [{ table: { schema: 'public', name: 'items' } }] }],
      },
    });
    expect(await engine.execute({ query: '{ items(order_by: {id: asc}) { id } }' })).toEqual({ data: { items: [{ id: 1 }, { id: 2 }] } });
    expect((await engine.execute({ query: '{ tags { id } }' })).errors?.[0]?.extensions.code).toBe('validation-failed');
    await engine.reload(); // back to the file
    expect(await engine.execute({ query: '{ tags { id } }' })).toEqual({ data: { tags: [{ id: 10 }] } });
  });
});

describe('close', () => {
  it('drains in-flight requests, then closes the pools and refuses new requests', async () => {
    const own = await createEngine({ metadataPath, env: { LIB_DB_URL: databases.dbs.lib!.url } });
    const pool = own.sources.get('lib').pool;
    const inFlight = own.execute({ query: '{ napping { id } }' });
    await new Promise((r) => setTimeout(r, 100));
    const closing = own.close();
    expect(await inFlight).toEqual({ data: { napping: [{ id: 7 }] } });
    await closing;
    expect(pool.ending).toBe(true);
    expect(pool.totalCount).toBe(0);
    const after = await own.execute({ query: '{ items { id } }' });
    expect(after.errors?.[0]?.message).toBe('the engine is shutting down');
  });

  it('also waits for versions replaced by reload whose requests are still running', async () => {
    const own = await createEngine({ metadataPath, env: { LIB_DB_URL: databases.dbs.lib!.url } });
    const oldPool = own.sources.get('lib').pool;
    const inFlight = own.execute({ query: '{ napping { id } }' });
    await new Promise((r) => setTimeout(r, 100));
    await own.reload();
    const newPool = own.sources.get('lib').pool;
    await own.close();
    // close() returned only after the old version's request finished and both pools closed
    expect(oldPool.ending && newPool.ending).toBe(true);
    expect(oldPool.totalCount + newPool.totalCount).toBe(0);
    expect(await inFlight).toEqual({ data: { napping: [{ id: 7 }] } });
  });
});
