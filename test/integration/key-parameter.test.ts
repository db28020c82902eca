/**
 * Join keys travel as one array parameter (DESIGN.md §5.1 step 3). `arrayParameter` builds
 * the array literal text itself for number and string columns; a real Postgres must read
 * back exactly the keys that went in, hostile strings included.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayParameter } from '../../runtime/join/keys.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';

let databases: TestDatabases;
let client: pg.Client;

beforeAll(async () => {
  databases = await createDatabases({ keys: { server: 'a', sql: 'SELECT 1' } });
  client = new pg.Client({ connectionString: databases.dbs.keys!.url });
  await client.connect();
});

afterAll(async () => {
  await client.end();
  await databases.drop();
});

async function roundTrip(column: unknown[], type: string): Promise<unknown[]> {
  const r = await client.query<{ a: unknown[] }>(`SELECT $1::${type}[] AS a`, [arrayParameter(column)]);
  return r.rows[0]!.a;
}

describe('key array parameters', () => {
  it('sends number keys as an array literal Postgres reads back exactly', async () => {
    const keys = [1, -7, 0, 2147483647, -2147483648, 42];
    expect(arrayParameter(keys)).toBe('{1,-7,0,2147483647,-2147483648,42}');
    expect(await roundTrip(keys, 'int4')).toEqual(keys);
    expect(await roundTrip([1.5, -0.25, 1e-7], 'float8')).toEqual([1.5, -0.25, 1e-7]);
  });

  it('quotes and escapes string keys, hostile ones included', async () => {
    const keys = ['plain', 'a"b', 'back\\slash', '', 'NULL', "it's", '{x,y}', ' spaced ', 'uni\u00e9\u2028', '\\"'];
    expect(await roundTrip(keys, 'text')).toEqual(keys);
  });

  it('leaves other columns to node-postgres', async () => {
    const mixed = [1, 'a'];
    expect(arrayParameter(mixed)).toBe(mixed);
    const bools = [true, false];
    expect(arrayParameter(bools)).toBe(bools);
    expect(await roundTrip(bools, 'bool')).toEqual(bools);
    expect(arrayParameter([Number.NaN])).toEqual([Number.NaN]);
  });
});
