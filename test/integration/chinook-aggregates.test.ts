/**
 * Aggregates over the Chinook-like store (issue 3): `T_aggregate`, local and remote
 * `<rel>_aggregate`, aggregate `nodes` holding remote fields, and order_by by
 * array-relationship aggregates — farjoin on the split layout against hand-written SQL on
 * the single database (Hasura's shape: `{ aggregate { count sum { x } … } nodes { … } }`).
 */
import { describe, expect, it } from 'vitest';
import { useChinook } from '../helpers/chinook.js';
import { expectSameData, groupBy, num } from '../helpers/compare.js';

/** `sql`: plain SQL on the single database, the oracle; `farjoin`: the split layout under every strategy. */
const { sql, farjoin } = useChinook();

describe('root T_aggregate', () => {
  it('count, count(distinct), sum, avg, max, min on one source', async () => {
    const actual = await farjoin(`{
      track_aggregate(where: {genre_id: {_in: [1, 2]}}) {
        aggregate {
          count
          composers: count(columns: [composer], distinct: true)
          sum { milliseconds bytes }
          avg { milliseconds unit_price }
          max { milliseconds unit_price name }
          min { name composer }
        }
      }
    }`);
    const [r] = await sql(`
      SELECT count(*)::int AS count, count(DISTINCT composer)::int AS composers,
             sum(milliseconds)::text AS sum_ms, sum(bytes)::text AS sum_bytes,
             avg(milliseconds)::text AS avg_ms, avg(unit_price)::text AS avg_price,
             max(milliseconds) AS max_ms, max(unit_price)::text AS max_price, max(name) AS max_name,
             min(name) AS min_name, min(composer) AS min_composer
      FROM track WHERE genre_id IN (1, 2)`);
    expectSameData(actual, {
      track_aggregate: {
        aggregate: {
          count: r!.count, composers: r!.composers,
          sum: { milliseconds: num(r!.sum_ms), bytes: num(r!.sum_bytes) },
          avg: { milliseconds: num(r!.avg_ms), unit_price: num(r!.avg_price) },
          max: { milliseconds: r!.max_ms, unit_price: num(r!.max_price), name: r!.max_name },
          min: { name: r!.min_name, composer: r!.min_composer },
        },
      },
    });
  });

  it('stddev / variance family on numeric totals', async () => {
    const actual = await farjoin(`{
      invoice_aggregate(where: {billing_country: {_in: ["Brazil", "USA"]}}) {
        aggregate { stddev { total } stddev_pop { total } stddev_samp { total } variance { total } var_pop { total } var_samp { total } }
      }
    }`);
    const [r] = await sql(`
      SELECT stddev(total)::text AS sd, stddev_pop(total)::text AS sdp, stddev_samp(total)::text AS sds,
             variance(total)::text AS v, var_pop(total)::text AS vp, var_samp(total)::text AS vs
      FROM invoice WHERE billing_country IN ('Brazil', 'USA')`);
    expectSameData(actual, {
      invoice_aggregate: {
        aggregate: {
          stddev: { total: num(r!.sd) }, stddev_pop: { total: num(r!.sdp) }, stddev_samp: { total: num(r!.sds) },
          variance: { total: num(r!.v) }, var_pop: { total: num(r!.vp) }, var_samp: { total: num(r!.vs) },
        },
      },
    });
  });

  it('nodes with remote fields inside (track_aggregate nodes → album, genre)', async () => {
    const actual = await farjoin(`{
      track_aggregate(where: {track_id: {_lte: 12}}, order_by: {track_id: desc}, limit: 8) {
        aggregate { count max { track_id } }
        nodes { track_id album { title } genre { name } }
      }
    }`);
    const rows = await sql(`
      SELECT t.track_id, al.album_id AS found, al.title, g.name AS genre
      FROM track t LEFT JOIN album al USING (album_id) LEFT JOIN genre g USING (genre_id)
      WHERE t.track_id <= 12 ORDER BY t.track_id DESC LIMIT 8`);
    expectSameData(actual, {
      track_aggregate: {
        aggregate: { count: rows.length, max: { track_id: Math.max(...rows.map((r) => r.track_id as number)) } },
        nodes: rows.map((r) => ({ track_id: r.track_id, album: r.found === null ? null : { title: r.title }, genre: r.genre === null ? null : { name: r.genre } })),
      },
    });
  });

  it('album_aggregate nodes with a remote array inside', async () => {
    const actual = await farjoin(`{
      album_aggregate(where: {artist_id: {_eq: 2}}, order_by: {album_id: asc}) {
        aggregate { count }
        nodes { title tracks(order_by: {track_id: asc}, limit: 2) { name } }
      }
    }`);
    const albums = await sql(`SELECT album_id, title FROM album WHERE artist_id = 2 ORDER BY album_id`);
    const tracks = groupBy(await sql(`
      SELECT al.album_id, t.name FROM album al
      CROSS JOIN LATERAL (SELECT name, track_id FROM track WHERE track.album_id = al.album_id ORDER BY track_id LIMIT 2) t
      WHERE al.artist_id = 2 ORDER BY t.track_id`), (t) => t.album_id);
    expectSameData(actual, {
      album_aggregate: {
        aggregate: { count: albums.length },
        nodes: albums.map((a) => ({ title: a.title, tracks: (tracks.get(a.album_id) ?? []).map((t) => ({ name: t.name })) })),
      },
    });
  });
});

describe('relationship aggregates', () => {
  it('local <rel>_aggregate: artist.albums_aggregate', async () => {
    const actual = await farjoin(`{
      artist(where: {artist_id: {_in: [1, 2, 56]}}, order_by: {artist_id: asc}) {
        name albums_aggregate { aggregate { count max { release_year } min { title } } }
      }
    }`);
    const rows = await sql(`
      SELECT ar.name, count(al.album_id)::int AS count, max(al.release_year) AS max_year, min(al.title) AS min_title
      FROM artist ar LEFT JOIN album al USING (artist_id)
      WHERE ar.artist_id IN (1, 2, 56) GROUP BY ar.artist_id, ar.name ORDER BY ar.artist_id`);
    expect(rows[2]!.count).toBe(0);
    expectSameData(actual, {
      artist: rows.map((r) => ({ name: r.name, albums_aggregate: { aggregate: { count: r.count, max: { release_year: r.max_year }, min: { title: r.min_title } } } })),
    });
  });

  it('remote <rel>_aggregate: album.tracks_aggregate with where, and an album without tracks', async () => {
    const actual = await farjoin(`{
      album(where: {album_id: {_in: [1, 2, 135]}}, order_by: {album_id: asc}) {
        album_id
        tracks_aggregate { aggregate { count sum { milliseconds } avg { unit_price } } }
        long: tracks_aggregate(where: {milliseconds: {_gt: 300000}}) { aggregate { count } nodes { track_id } }
      }
    }`);
    const all = await sql(`
      SELECT al.album_id, count(t.track_id)::int AS count, sum(t.milliseconds)::text AS sum_ms, avg(t.unit_price)::text AS avg_price
      FROM album al LEFT JOIN track t USING (album_id)
      WHERE al.album_id IN (1, 2, 135) GROUP BY al.album_id ORDER BY al.album_id`);
    const long = groupBy(await sql(`SELECT album_id, track_id FROM track WHERE album_id IN (1, 2, 135) AND milliseconds > 300000`), (t) => t.album_id);
    expectSameData(actual, {
      album: all.map((a) => ({
        album_id: a.album_id,
        tracks_aggregate: { aggregate: { count: a.count, sum: { milliseconds: num(a.sum_ms) }, avg: { unit_price: num(a.avg_price) } } },
        long: { aggregate: { count: (long.get(a.album_id) ?? []).length }, nodes: (long.get(a.album_id) ?? []).map((t) => ({ track_id: t.track_id })) },
      })),
    }, ['album.long.nodes']);
  });

  it('remote aggregate on a composite key, and null for a NULL key', async () => {
    const actual = await farjoin(`{
      price_tier(where: {genre_id: {_eq: 4}}, order_by: {media_type_id: asc}) { media_type_id tracks_aggregate { aggregate { count } } }
      track(where: {track_id: {_in: [40, 41]}}, order_by: {track_id: asc}) { track_id genre_price_tiers_aggregate { aggregate { count } } }
    }`);
    const tiers = await sql(`
      SELECT p.media_type_id, count(t.track_id)::int AS count
      FROM price_tier p LEFT JOIN track t ON t.genre_id = p.genre_id AND t.media_type_id = p.media_type_id
      WHERE p.genre_id = 4 GROUP BY p.media_type_id ORDER BY p.media_type_id`);
    const tracks = await sql(`
      SELECT t.track_id, t.genre_id, (SELECT count(*)::int FROM price_tier p WHERE p.genre_id = t.genre_id) AS count
      FROM track t WHERE t.track_id IN (40, 41) ORDER BY t.track_id`);
    expectSameData(actual, {
      price_tier: tiers.map((p) => ({ media_type_id: p.media_type_id, tracks_aggregate: { aggregate: { count: p.count } } })),
      track: tracks.map((t) => ({ track_id: t.track_id, genre_price_tiers_aggregate: t.genre_id === null ? null : { aggregate: { count: t.count } } })),
    });
  });
});

describe('filters and ordering by aggregates', () => {
  it('order_by array-relationship aggregates: count and sum', async () => {
    const actual = await farjoin(`{
      artist(order_by: [{albums_aggregate: {count: desc}}, {artist_id: asc}], limit: 6) { artist_id }
      customer(order_by: [{invoices_aggregate: {sum: {total: desc_nulls_last}}}, {customer_id: asc}], limit: 6) { customer_id }
    }`);
    const artist = await sql(`
      SELECT ar.artist_id FROM artist ar LEFT JOIN album al USING (artist_id)
      GROUP BY ar.artist_id ORDER BY count(al.album_id) DESC, ar.artist_id LIMIT 6`);
    const customer = await sql(`
      SELECT c.customer_id FROM customer c LEFT JOIN invoice i USING (customer_id)
      GROUP BY c.customer_id ORDER BY sum(i.total) DESC NULLS LAST, c.customer_id LIMIT 6`);
    expectSameData(actual, { artist, customer });
  });
});
