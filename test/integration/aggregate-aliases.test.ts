/**
 * Aggregates with aliases and every selection (issue 11 item 3, issue 16): aliased
 * `count`/`sum`/`nodes` anywhere inside `T_aggregate` and `<rel>_aggregate`, a selection
 * of `__typename` alone (one row, whatever the table holds), and a permission `limit`
 * that bounds `nodes` but not `aggregate` (Hasura's PLSQRequired sub-query). Answers are
 * compared with plain SQL on the same databases, under every strategy.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { useFixture } from '../helpers/lifecycle.js';
import { executeEach, linkAllSources } from '../helpers/strategies.js';
import { MUSIC_SQL as MUSIC, SALES_SQL as SALES } from '../helpers/music-sales.js';


const capped = (limit: number) => [{ role: 'capped', permission: { columns: '*', filter: {}, limit, allow_aggregations: true } }];

const fixture = useFixture(async () => {
  const databases = await createDatabases({ music: { server: 'a', sql: MUSIC }, sales: { server: 'b', sql: SALES } });
  const metadata = {
    version: 3,
    sources: [
      { name: 'music', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.music!.url } }, tables: [
        { table: { schema: 'public', name: 'artist' }, array_relationships: [{ name: 'albums', using: { foreign_key_constraint_on: { table: { schema: 'public', name: 'album' }, column: 'artist_id' } } }], select_permissions: capped(10) },
        { table: { schema: 'public', name: 'album' }, remote_relationships: [{ name: 'sales', definition: { to_source: { relationship_type: 'array', source: 'sales', table: { schema: 'public', name: 'sale' }, field_mapping: { id: 'album_id' } } } }], select_permissions: capped(2) },
      ] },
      { name: 'sales', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.sales!.url } }, tables: [
        { table: { schema: 'public', name: 'sale' }, select_permissions: capped(1) },
      ] },
    ],
  };
  await linkAllSources(metadata);
  const engine = await createEngine({ metadata });
  return { databases, engine };
}, async ({ databases, engine }: { databases: TestDatabases; engine: Engine }) => {
  await engine.close();
  await databases.drop();
});

async function run(query: string, role?: string) {
  const headers = role ? { 'x-hasura-role': role } : {};
  return (await executeEach(fixture().engine, { query, headers })).same();
}
const music = (text: string) => fixture().databases.dbs.music!.query(text);
const sales = (text: string) => fixture().databases.dbs.sales!.query(text);

describe('aliases inside aggregate', () => {
  it('reads one column under two keys, two aliased sums and aliased counts', async () => {
    const [expected] = await music('SELECT sum(id)::int AS s, sum(year)::int AS y, count(*)::int AS n, count(year)::int AS ny, max(price)::float AS p FROM album');
    expect(await run(`{ album_aggregate { aggregate {
      sum { id id_sum: id } a: sum { id } b: sum { year }
      n: count total: count ny: count(columns: [year]) m: max { price } max { p2: price }
    } } }`)).toEqual({ album_aggregate: { aggregate: {
      sum: { id: expected!.s, id_sum: expected!.s }, a: { id: expected!.s }, b: { year: expected!.y },
      n: expected!.n, total: expected!.n, ny: expected!.ny, m: { price: expected!.p }, max: { p2: expected!.p },
    } } });
  });

  it('answers two aliased aggregate and nodes fields, each with its own selection', async () => {
    const rows = await music('SELECT id, title FROM album WHERE artist_id = 2 ORDER BY year DESC');
    expect(await run(`{ album_aggregate(where: {artist_id: {_eq: 2}}, order_by: {year: desc}) {
      x: aggregate { count } y: aggregate { c: count sum { id } }
      ids: nodes { id } titles: nodes { title k: id }
    } }`)).toEqual({ album_aggregate: {
      x: { count: rows.length }, y: { c: rows.length, sum: { id: rows.reduce((a, r) => a + (r.id as number), 0) } },
      ids: rows.map((r) => ({ id: r.id })), titles: rows.map((r) => ({ title: r.title, k: r.id })),
    } });
  });

  it('aliases inside a local and a remote <rel>_aggregate', async () => {
    const albums = await music('SELECT artist.id, count(album.id)::int AS n FROM artist LEFT JOIN album ON album.artist_id = artist.id GROUP BY artist.id ORDER BY artist.id');
    expect(await run('{ artist(order_by: {id: asc}) { id albums_aggregate { n: aggregate { c: count } ns: nodes { id } m: nodes { t: title } } } }')).toEqual({
      artist: await Promise.all(albums.map(async (a) => {
        const rows = await music(`SELECT id, title FROM album WHERE artist_id = ${a.id as number}`);
        return { id: a.id, albums_aggregate: { n: { c: a.n }, ns: rows.map((r) => ({ id: r.id })), m: rows.map((r) => ({ t: r.title })) } };
      })),
    });
    const q = '{ album(order_by: {id: asc}) { id sales_aggregate { aggregate { n: count s: sum { qty } t: sum { q: qty } } a: nodes { id } } } }';
    const ids = (await music('SELECT id FROM album ORDER BY id')).map((r) => r.id as number);
    const bySale = await sales('SELECT album_id, count(*)::int AS n, sum(qty)::int AS s, array_agg(id ORDER BY id) AS ids FROM sale GROUP BY album_id');
    const data = await run(q) as { album: { sales_aggregate: { a: { id: number }[] } }[] };
    // Node order is unspecified without order_by: compare as sets.
    for (const a of data.album) a.sales_aggregate.a.sort((x, y) => x.id - y.id);
    expect(data).toEqual({ album: ids.map((id) => {
      const s = bySale.find((r) => r.album_id === id);
      return { id, sales_aggregate: { aggregate: { n: s?.n ?? 0, s: { qty: s?.s ?? null }, t: { q: s?.s ?? null } }, a: ((s?.ids ?? []) as number[]).map((x) => ({ id: x })) } };
    }) });
  });
});

describe('__typename alone', () => {
  it('is one object, with or without order_by, also over an empty selection', async () => {
    const expected = { album_aggregate: { aggregate: { __typename: 'album_aggregate_fields' } } };
    expect(await run('{ album_aggregate { aggregate { __typename } } }')).toEqual(expected);
    expect(await run('{ album_aggregate(order_by: {id: asc}) { aggregate { __typename } } }')).toEqual(expected);
    expect(await run('{ album_aggregate(where: {id: {_gt: 1000}}) { aggregate { __typename sum { __typename } } } }')).toEqual({
      album_aggregate: { aggregate: { __typename: 'album_aggregate_fields', sum: { __typename: 'album_sum_fields' } } },
    });
    expect(await run('{ artist(order_by: {id: asc}) { id albums_aggregate(order_by: {year: asc}) { __typename aggregate { __typename } } } }')).toEqual({
      artist: [1, 2, 3].map((id) => ({ id, albums_aggregate: { __typename: 'album_aggregate', aggregate: { __typename: 'album_aggregate_fields' } } })),
    });
    expect(await run('{ album(where: {id: {_eq: 10}}) { sales_aggregate { aggregate { __typename } } } }')).toEqual({
      album: [{ sales_aggregate: { aggregate: { __typename: 'sale_aggregate_fields' } } }],
    });
  });
});

describe('a permission limit bounds nodes, not aggregates (as Hasura)', () => {
  it('aggregates every permitted row and returns the first `limit` nodes in order', async () => {
    const [all] = await music('SELECT count(*)::int AS n, sum(id)::int AS s FROM album');
    const first = await music('SELECT id FROM album ORDER BY year DESC LIMIT 2');
    expect(await run('{ album_aggregate(order_by: {year: desc}) { aggregate { count sum { id } } nodes { id } } }', 'capped')).toEqual({
      album_aggregate: { aggregate: { count: all!.n, sum: { id: all!.s } }, nodes: first.map((r) => ({ id: r.id })) },
    });
  });

  it('a request limit still picks the aggregated rows; the smaller of both bounds nodes', async () => {
    const three = await music('SELECT id FROM album ORDER BY id LIMIT 3');
    expect(await run('{ album_aggregate(order_by: {id: asc}, limit: 3) { aggregate { count } nodes { id } } }', 'capped')).toEqual({
      album_aggregate: { aggregate: { count: 3 }, nodes: three.slice(0, 2).map((r) => ({ id: r.id })) },
    });
    expect(await run('{ album_aggregate(order_by: {id: asc}, limit: 1) { aggregate { count } nodes { id } } }', 'capped')).toEqual({
      album_aggregate: { aggregate: { count: 1 }, nodes: three.slice(0, 1).map((r) => ({ id: r.id })) },
    });
  });

  it('nodes alone stay bounded by the permission limit', async () => {
    const first = await music('SELECT id FROM album ORDER BY id LIMIT 2');
    expect(await run('{ album_aggregate(order_by: {id: asc}) { nodes { id } } }', 'capped')).toEqual({
      album_aggregate: { nodes: first.map((r) => ({ id: r.id })) },
    });
  });

  it('applies to a remote <rel>_aggregate per parent', async () => {
    const [s] = await sales('SELECT count(*)::int AS n, min(id) AS first FROM sale WHERE album_id = 10');
    expect(await run('{ album(where: {id: {_eq: 10}}) { sales_aggregate(order_by: {id: asc}) { aggregate { count } nodes { id } } } }', 'capped')).toEqual({
      album: [{ sales_aggregate: { aggregate: { count: s!.n }, nodes: [{ id: s!.first }] } }],
    });
  });
});
