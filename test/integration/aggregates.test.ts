/**
 * Aggregates (issue 3): `T_aggregate`, local and remote `<rel>_aggregate`, order by
 * aggregates; across the two databases under every strategy (linked by postgres_fdw).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { executeEach, linkAllSources } from '../helpers/strategies.js';
import { MUSIC_SQL as MUSIC, SALES_SQL as SALES } from '../helpers/music-sales.js';

let databases: TestDatabases;
let engine: Engine;
beforeAll(async () => {
  databases = await createDatabases({ music: { server: 'a', sql: MUSIC }, sales: { server: 'b', sql: SALES } });
  const metadata = {
    version: 3,
    sources: [
      { name: 'music', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.music!.url } }, tables: [
        { table: { schema: 'public', name: 'artist' }, array_relationships: [{ name: 'albums', using: { foreign_key_constraint_on: { table: { schema: 'public', name: 'album' }, column: 'artist_id' } } }] },
        { table: { schema: 'public', name: 'album' }, remote_relationships: [{ name: 'sales', definition: { to_source: { relationship_type: 'array', source: 'sales', table: { schema: 'public', name: 'sale' }, field_mapping: { id: 'album_id' } } } }] },
      ] },
      { name: 'sales', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.sales!.url } }, tables: [
        { table: { schema: 'public', name: 'sale' }, remote_relationships: [{ name: 'album', definition: { to_source: { relationship_type: 'object', source: 'music', table: { schema: 'public', name: 'album' }, field_mapping: { album_id: 'id' } } } }] },
      ] },
    ],
  };
  await linkAllSources(metadata);
  engine = await createEngine({ metadata });
});
afterAll(async () => {
  await engine?.close();
  await databases?.drop();
});

/** The data, the same under every strategy that applies (helpers/strategies.ts). */
async function run(query: string) {
  return (await executeEach(engine, { query })).same();
}

describe('root aggregates', () => {
  it('computes count, sum, avg, min, max over the filtered rows', async () => {
    expect(await run(`{ album_aggregate(where: {artist_id: {_eq: 2}}) {
      aggregate { count count_year: count(columns: [year]) distinct: count(columns: [artist_id], distinct: true)
                  sum { year } avg { year } min { year title } max { year price } }
    } }`)).toEqual({
      album_aggregate: { aggregate: { count: 3, count_year: 3, distinct: 1, sum: { year: 6015 }, avg: { year: 2005 }, min: { year: 1996, title: 'Colors' }, max: { year: 2017, price: 11 } } },
    });
  });

  it('applies limit/order before aggregating and returns nodes in order', async () => {
    expect(await run('{ album_aggregate(order_by: {year: desc}, limit: 2) { aggregate { count max { year } min { year } } nodes { title } } }')).toEqual({
      album_aggregate: { aggregate: { count: 2, max: { year: 2017 }, min: { year: 2002 } }, nodes: [{ title: 'Colors' }, { title: 'Sea Change' }] },
    });
  });

  it('counts zero rows as 0 with null sums', async () => {
    expect(await run('{ album_aggregate(where: {year: {_gt: 3000}}) { aggregate { count sum { year } } nodes { id } } }')).toEqual({
      album_aggregate: { aggregate: { count: 0, sum: { year: null } }, nodes: [] },
    });
  });

  it('supports __typename at every level', async () => {
    expect(await run('{ album_aggregate { __typename aggregate { __typename sum { __typename year } } } }')).toEqual({
      album_aggregate: { __typename: 'album_aggregate', aggregate: { __typename: 'album_aggregate_fields', sum: { __typename: 'album_sum_fields', year: 9970 } } },
    });
  });
});

describe('relationship aggregates', () => {
  it('aggregates a local array relationship per parent', async () => {
    expect(await run('{ artist(order_by: {id: asc}) { name albums_aggregate { aggregate { count } } } }')).toEqual({
      artist: [
        { name: 'Abba', albums_aggregate: { aggregate: { count: 2 } } },
        { name: 'Beck', albums_aggregate: { aggregate: { count: 3 } } },
        { name: 'Cher', albums_aggregate: { aggregate: { count: 0 } } },
      ],
    });
  });

  it('aggregates a remote array relationship per parent (one statement on the other database)', async () => {
    const q = '{ album(order_by: {id: asc}) { id sales_aggregate { aggregate { count sum { qty } } nodes { id } } } }';
    expect(await run(q)).toEqual({
      album: [
        { id: 10, sales_aggregate: { aggregate: { count: 2, sum: { qty: 5 } }, nodes: [{ id: 1 }, { id: 2 }] } },
        { id: 11, sales_aggregate: { aggregate: { count: 0, sum: { qty: null } }, nodes: [] } },
        { id: 12, sales_aggregate: { aggregate: { count: 1, sum: { qty: 1 } }, nodes: [{ id: 3 }] } },
        { id: 13, sales_aggregate: { aggregate: { count: 0, sum: { qty: null } }, nodes: [] } },
        { id: 14, sales_aggregate: { aggregate: { count: 1, sum: { qty: 5 } }, nodes: [{ id: 4 }] } },
      ],
    });
    const e = await engine.explain({ query: q }, { analyze: true });
    if ('errors' in e) throw new Error(JSON.stringify(e.errors));
    expect(e.steps.filter((s) => s.source === 'sales')).toHaveLength(1);
    expect(e.steps[1]?.analyze?.statements).toBe(1);
  });

  it('joins remote fields inside aggregate nodes (sale → album inside sale_aggregate.nodes)', async () => {
    expect(await run('{ sale_aggregate(order_by: {id: asc}, where: {qty: {_lt: 7}}) { aggregate { count } nodes { id album { title } } } }')).toEqual({
      sale_aggregate: { aggregate: { count: 4 }, nodes: [
        { id: 1, album: { title: 'Arrival' } }, { id: 2, album: { title: 'Arrival' } },
        { id: 3, album: { title: 'Odelay' } }, { id: 4, album: { title: 'Colors' } },
      ] },
    });
  });

  it('orders by an array relationship aggregate', async () => {
    expect(await run('{ artist(order_by: [{albums_aggregate: {count: desc}}, {id: asc}]) { name } }')).toEqual({ artist: [{ name: 'Beck' }, { name: 'Abba' }, { name: 'Cher' }] });
    expect(await run('{ artist(order_by: {albums_aggregate: {max: {year: asc}}}, where: {albums: {}}) { name } }')).toEqual({ artist: [{ name: 'Abba' }, { name: 'Beck' }] });
  });
});
