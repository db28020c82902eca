/**
 * Differential suite over the Chinook-like store (issue 3 "Tests"): realistic client
 * queries run through farjoin on the split layout (catalog ⇄ sales, remote relationships
 * both ways), and each answer is compared with the one computed by hand-written SQL on
 * the single database holding the same rows. Data must be identical, in order wherever
 * the query orders; lists the query leaves unordered are compared as multisets.
 */
import { describe, expect, it } from 'vitest';
import { useChinook } from '../helpers/chinook.js';
import { expectSameData, groupBy, num } from '../helpers/compare.js';

/** `sql`: plain SQL on the single database, the oracle; `farjoin`: the split layout under every strategy. */
const { sql, farjoin } = useChinook();

/** `ids` as a SQL list literal of trusted integers (only constants of this file). */
const inList = (ids: readonly number[]): string => ids.join(', ');

describe('catalog → sales (remote arrays)', () => {
  it('album list: newest first, artist (local object), the three longest tracks (remote array, per album)', async () => {
    const actual = await farjoin(`{
      album(order_by: [{release_year: desc_nulls_last}, {album_id: asc}], limit: 5) {
        album_id title release_year
        artist { name }
        tracks(order_by: {milliseconds: desc}, limit: 3) { name milliseconds }
      }
    }`);
    const albums = await sql(`
      SELECT al.album_id, al.title, al.release_year, al.artist_id, ar.name AS artist_name
      FROM album al LEFT JOIN artist ar ON ar.artist_id = al.artist_id
      ORDER BY al.release_year DESC NULLS LAST, al.album_id LIMIT 5`);
    const tracks = await sql(`
      SELECT al.album_id, t.name, t.milliseconds
      FROM (SELECT album_id FROM album ORDER BY release_year DESC NULLS LAST, album_id LIMIT 5) al
      CROSS JOIN LATERAL (SELECT name, milliseconds FROM track WHERE track.album_id = al.album_id ORDER BY milliseconds DESC LIMIT 3) t`);
    const byAlbum = groupBy(tracks, (t) => t.album_id);
    expectSameData(actual, {
      album: albums.map((a) => ({
        album_id: a.album_id, title: a.title, release_year: a.release_year,
        artist: a.artist_id === null ? null : { name: a.artist_name },
        tracks: (byAlbum.get(a.album_id) ?? []).map((t) => ({ name: t.name, milliseconds: t.milliseconds })),
      })),
    });
  });

  it('edge albums: no artist, no tracks (empty list, not null)', async () => {
    const ids = [1, 134, 135, 149, 150];
    const actual = await farjoin(`{
      album(where: {album_id: {_in: [${inList(ids)}]}}, order_by: {album_id: desc}) {
        album_id artist { artist_id } tracks(order_by: {track_id: asc}) { track_id }
      }
    }`);
    const albums = await sql(`SELECT album_id, artist_id FROM album WHERE album_id IN (${inList(ids)}) ORDER BY album_id DESC`);
    const tracks = groupBy(await sql(`SELECT album_id, track_id FROM track WHERE album_id IN (${inList(ids)}) ORDER BY track_id`), (t) => t.album_id);
    expectSameData(actual, {
      album: albums.map((a) => ({
        album_id: a.album_id,
        artist: a.artist_id === null ? null : { artist_id: a.artist_id },
        tracks: (tracks.get(a.album_id) ?? []).map((t) => ({ track_id: t.track_id })),
      })),
    });
  });

  it('genre → tracks (remote) → album (remote back) → artist: catalog → sales → catalog', async () => {
    const actual = await farjoin(`{
      genre(where: {name: {_eq: "Jazz"}}) {
        name
        tracks(where: {milliseconds: {_lt: 150000}}, order_by: {track_id: asc}) {
          track_id name album { title artist { name } }
        }
      }
    }`);
    const genres = await sql(`SELECT genre_id, name FROM genre WHERE name = 'Jazz'`);
    const tracks = await sql(`
      SELECT t.genre_id, t.track_id, t.name, t.album_id, al.album_id AS found_album, al.title, al.artist_id, ar.name AS artist_name
      FROM track t
      LEFT JOIN album al ON al.album_id = t.album_id
      LEFT JOIN artist ar ON ar.artist_id = al.artist_id
      WHERE t.genre_id IN (SELECT genre_id FROM genre WHERE name = 'Jazz') AND t.milliseconds < 150000
      ORDER BY t.track_id`);
    expect(tracks.length).toBeGreaterThan(3);
    expectSameData(actual, {
      genre: genres.map((g) => ({
        name: g.name,
        tracks: tracks.filter((t) => t.genre_id === g.genre_id).map((t) => ({
          track_id: t.track_id, name: t.name,
          album: t.found_album === null ? null : { title: t.title, artist: t.artist_id === null ? null : { name: t.artist_name } },
        })),
      })),
    });
  });

  it('nested local arrays with remote fields inside: artist → albums → tracks (remote) → media_type (remote back)', async () => {
    const actual = await farjoin(`{
      artist(where: {artist_id: {_lte: 3}}, order_by: {artist_id: asc}) {
        name
        albums(order_by: {album_id: asc}) {
          title
          tracks(order_by: {track_id: asc}, limit: 2) { name media_type { name } }
        }
      }
    }`);
    const artists = await sql(`SELECT artist_id, name FROM artist WHERE artist_id <= 3 ORDER BY artist_id`);
    const albums = groupBy(await sql(`SELECT artist_id, album_id, title FROM album WHERE artist_id <= 3 ORDER BY album_id`), (a) => a.artist_id);
    const tracks = groupBy(await sql(`
      SELECT al.album_id, t.name, m.name AS media
      FROM album al
      CROSS JOIN LATERAL (SELECT * FROM track WHERE track.album_id = al.album_id ORDER BY track_id LIMIT 2) t
      LEFT JOIN media_type m ON m.media_type_id = t.media_type_id
      WHERE al.artist_id <= 3
      ORDER BY t.track_id`), (t) => t.album_id);
    expectSameData(actual, {
      artist: artists.map((ar) => ({
        name: ar.name,
        albums: (albums.get(ar.artist_id) ?? []).map((al) => ({
          title: al.title,
          tracks: (tracks.get(al.album_id) ?? []).map((t) => ({ name: t.name, media_type: t.media === null ? null : { name: t.media } })),
        })),
      })),
    });
  });

  it('composite-key remote array: price_tier.tracks on (genre_id, media_type_id)', async () => {
    const actual = await farjoin(`{
      price_tier(where: {genre_id: {_eq: 3}}, order_by: {media_type_id: asc}) {
        media_type_id tier list_price
        media_type { name }
        tracks(order_by: {track_id: asc}, limit: 4) { track_id name }
      }
    }`);
    const tiers = await sql(`
      SELECT p.media_type_id, p.tier, p.list_price::text, m.name AS media
      FROM price_tier p JOIN media_type m USING (media_type_id)
      WHERE p.genre_id = 3 ORDER BY p.media_type_id`);
    const tracks = groupBy(await sql(`
      SELECT p.media_type_id, t.track_id, t.name
      FROM price_tier p
      CROSS JOIN LATERAL (SELECT track_id, name FROM track WHERE track.genre_id = p.genre_id AND track.media_type_id = p.media_type_id ORDER BY track_id LIMIT 4) t
      WHERE p.genre_id = 3 ORDER BY t.track_id`), (t) => t.media_type_id);
    expectSameData(actual, {
      price_tier: tiers.map((p) => ({
        media_type_id: p.media_type_id, tier: p.tier, list_price: num(p.list_price), media_type: { name: p.media },
        tracks: (tracks.get(p.media_type_id) ?? []).map((t) => ({ track_id: t.track_id, name: t.name })),
      })),
    });
  });

  it('the same remote array twice under two aliases, with different arguments', async () => {
    const ids = [3, 7, 12];
    const actual = await farjoin(`{
      album(where: {album_id: {_in: [${inList(ids)}]}}, order_by: {album_id: asc}) {
        title
        short: tracks(where: {milliseconds: {_lt: 250000}}, order_by: {track_id: asc}) { id: track_id }
        long: tracks(where: {milliseconds: {_gte: 250000}}, order_by: {milliseconds: desc}) { id: track_id ms: milliseconds }
      }
    }`);
    const albums = await sql(`SELECT album_id, title FROM album WHERE album_id IN (${inList(ids)}) ORDER BY album_id`);
    const short = groupBy(await sql(`SELECT album_id, track_id FROM track WHERE album_id IN (${inList(ids)}) AND milliseconds < 250000 ORDER BY track_id`), (t) => t.album_id);
    const long = groupBy(await sql(`SELECT album_id, track_id, milliseconds FROM track WHERE album_id IN (${inList(ids)}) AND milliseconds >= 250000 ORDER BY milliseconds DESC`), (t) => t.album_id);
    expectSameData(actual, {
      album: albums.map((a) => ({
        title: a.title,
        short: (short.get(a.album_id) ?? []).map((t) => ({ id: t.track_id })),
        long: (long.get(a.album_id) ?? []).map((t) => ({ id: t.track_id, ms: t.milliseconds })),
      })),
    });
  });

  it('distinct_on inside a remote array, per parent', async () => {
    const actual = await farjoin(`{
      album(where: {album_id: {_lte: 4}}, order_by: {album_id: asc}) {
        album_id
        tracks(distinct_on: [media_type_id], order_by: [{media_type_id: asc}, {track_id: desc}]) { media_type_id track_id }
      }
    }`);
    const albums = await sql(`SELECT album_id FROM album WHERE album_id <= 4 ORDER BY album_id`);
    const tracks = await sql(`
      SELECT al.album_id, t.media_type_id, t.track_id
      FROM album al
      CROSS JOIN LATERAL (SELECT DISTINCT ON (media_type_id) media_type_id, track_id FROM track
                          WHERE track.album_id = al.album_id ORDER BY media_type_id, track_id DESC) t
      WHERE al.album_id <= 4 ORDER BY al.album_id, t.media_type_id`);
    const byAlbum = groupBy(tracks, (t) => t.album_id);
    expectSameData(actual, {
      album: albums.map((a) => ({
        album_id: a.album_id,
        tracks: (byAlbum.get(a.album_id) ?? []).map((t) => ({ media_type_id: t.media_type_id, track_id: t.track_id })),
      })),
    });
  });

  it('remote array filtered through a local array relationship of the target (tracks sold twice at once)', async () => {
    const actual = await farjoin(`{
      album(where: {album_id: {_lte: 10}}, order_by: {album_id: asc}) {
        album_id
        tracks(where: {invoice_lines: {quantity: {_gt: 1}}}, order_by: {track_id: asc}) { track_id }
      }
    }`);
    const albums = await sql(`SELECT album_id FROM album WHERE album_id <= 10 ORDER BY album_id`);
    const tracks = groupBy(await sql(`
      SELECT album_id, track_id FROM track t
      WHERE album_id <= 10 AND EXISTS (SELECT 1 FROM invoice_line l WHERE l.track_id = t.track_id AND l.quantity > 1)
      ORDER BY track_id`), (t) => t.album_id);
    expect([...tracks.values()].flat().length).toBeGreaterThan(0);
    expectSameData(actual, {
      album: albums.map((a) => ({ album_id: a.album_id, tracks: (tracks.get(a.album_id) ?? []).map((t) => ({ track_id: t.track_id })) })),
    });
  });
});

describe('sales → catalog (remote objects)', () => {
  it('track → album (remote) → artist (local inside remote), with NULL and dangling keys', async () => {
    const ids = [1, 2, 89, 97, 178, 194, 267, 1200];
    const actual = await farjoin(`{
      track(where: {track_id: {_in: [${inList(ids)}]}}, order_by: {track_id: asc}) {
        track_id name album_id
        album { album_id title artist { name } }
      }
    }`);
    const rows = await sql(`
      SELECT t.track_id, t.name, t.album_id, al.album_id AS found, al.title, al.artist_id, ar.name AS artist_name
      FROM track t LEFT JOIN album al ON al.album_id = t.album_id LEFT JOIN artist ar ON ar.artist_id = al.artist_id
      WHERE t.track_id IN (${inList(ids)}) ORDER BY t.track_id`);
    expect(rows.filter((r) => r.album_id === null)).toHaveLength(2);
    expect(rows.filter((r) => r.album_id !== null && r.found === null)).toHaveLength(3);
    expectSameData(actual, {
      track: rows.map((r) => ({
        track_id: r.track_id, name: r.name, album_id: r.album_id,
        album: r.found === null ? null : { album_id: r.found, title: r.title, artist: r.artist_id === null ? null : { name: r.artist_name } },
      })),
    });
  });

  it('composite-key remote object: track.price_tier on (genre_id, media_type_id), NULL part and missing combinations', async () => {
    const actual = await farjoin(`{
      track(where: {_or: [{track_id: {_lte: 45}}, {track_id: {_eq: 53}}]}, order_by: {track_id: asc}) {
        track_id genre_id media_type_id unit_price
        price_tier { tier list_price }
      }
    }`);
    const rows = await sql(`
      SELECT t.track_id, t.genre_id, t.media_type_id, t.unit_price::text, p.genre_id AS found, p.tier, p.list_price::text
      FROM track t LEFT JOIN price_tier p ON p.genre_id = t.genre_id AND p.media_type_id = t.media_type_id
      WHERE t.track_id <= 45 OR t.track_id = 53 ORDER BY t.track_id`);
    expect(rows.some((r) => r.genre_id === null)).toBe(true);
    expect(rows.some((r) => r.genre_id !== null && r.found === null)).toBe(true);
    expectSameData(actual, {
      track: rows.map((r) => ({
        track_id: r.track_id, genre_id: r.genre_id, media_type_id: r.media_type_id, unit_price: num(r.unit_price),
        price_tier: r.found === null ? null : { tier: r.tier, list_price: num(r.list_price) },
      })),
    });
  });

  it('customer page: invoices → lines → track (local chain) → album (remote) under by_pk', async () => {
    const actual = await farjoin(`{
      customer_by_pk(customer_id: 5) {
        first_name last_name email
        invoices(order_by: {invoice_date: desc}) {
          invoice_id invoice_date total
          lines(order_by: {invoice_line_id: asc}) { quantity unit_price track { name album { title } } }
        }
      }
    }`);
    const [customer] = await sql(`SELECT first_name, last_name, email FROM customer WHERE customer_id = 5`);
    const invoices = await sql(`SELECT invoice_id, invoice_date::text, total::text FROM invoice WHERE customer_id = 5 ORDER BY invoice_date DESC`);
    const lines = groupBy(await sql(`
      SELECT l.invoice_id, l.quantity, l.unit_price::text, t.name, t.album_id, al.album_id AS found, al.title
      FROM invoice_line l JOIN track t USING (track_id) LEFT JOIN album al ON al.album_id = t.album_id
      WHERE l.invoice_id IN (SELECT invoice_id FROM invoice WHERE customer_id = 5)
      ORDER BY l.invoice_line_id`), (l) => l.invoice_id);
    expect(invoices.length).toBeGreaterThan(3);
    expectSameData(actual, {
      customer_by_pk: {
        ...customer,
        invoices: invoices.map((i) => ({
          invoice_id: i.invoice_id, invoice_date: i.invoice_date, total: num(i.total),
          lines: (lines.get(i.invoice_id) ?? []).map((l) => ({
            quantity: l.quantity, unit_price: num(l.unit_price),
            track: { name: l.name, album: l.found === null ? null : { title: l.title } },
          })),
        })),
      },
    });
  });

  it('employees: manual array relationship, self-referencing object twice, deep remote at the leaves', async () => {
    const actual = await farjoin(`{
      employee(where: {title: {_eq: "Sales Support Agent"}}, order_by: {employee_id: asc}) {
        first_name
        manager { first_name manager { first_name } }
        customers(order_by: {customer_id: asc}, limit: 2) {
          customer_id
          invoices(order_by: {invoice_id: asc}, limit: 1) {
            invoice_id
            lines(order_by: {invoice_line_id: asc}, limit: 2) { track { name album { artist { name } } } }
          }
        }
      }
    }`);
    const employees = await sql(`
      SELECT e.employee_id, e.first_name, m.first_name AS m_name, mm.first_name AS mm_name, mm.employee_id AS mm_id
      FROM employee e JOIN employee m ON m.employee_id = e.reports_to LEFT JOIN employee mm ON mm.employee_id = m.reports_to
      WHERE e.title = 'Sales Support Agent' ORDER BY e.employee_id`);
    const customers = await sql(`
      SELECT e.employee_id, c.customer_id FROM employee e
      CROSS JOIN LATERAL (SELECT customer_id FROM customer WHERE support_rep_id = e.employee_id ORDER BY customer_id LIMIT 2) c
      WHERE e.title = 'Sales Support Agent' ORDER BY c.customer_id`);
    const custIds = customers.map((c) => c.customer_id as number);
    const invoices = await sql(`
      SELECT DISTINCT ON (customer_id) customer_id, invoice_id FROM invoice WHERE customer_id = ANY($1::int[])
      ORDER BY customer_id, invoice_id`, [custIds]);
    const lines = await sql(`
      SELECT i.invoice_id, t.name, al.album_id AS found, al.artist_id, ar.name AS artist_name
      FROM invoice i
      CROSS JOIN LATERAL (SELECT invoice_line_id, track_id FROM invoice_line WHERE invoice_line.invoice_id = i.invoice_id ORDER BY invoice_line_id LIMIT 2) l
      JOIN track t ON t.track_id = l.track_id
      LEFT JOIN album al ON al.album_id = t.album_id LEFT JOIN artist ar ON ar.artist_id = al.artist_id
      WHERE i.invoice_id = ANY($1::int[])
      ORDER BY l.invoice_line_id`, [invoices.map((i) => i.invoice_id as number)]);
    const linesBy = groupBy(lines, (l) => l.invoice_id);
    const invoicesBy = groupBy(invoices, (i) => i.customer_id);
    const customersBy = groupBy(customers, (c) => c.employee_id);
    expectSameData(actual, {
      employee: employees.map((e) => ({
        first_name: e.first_name,
        manager: { first_name: e.m_name, manager: e.mm_id === null ? null : { first_name: e.mm_name } },
        customers: (customersBy.get(e.employee_id) ?? []).map((c) => ({
          customer_id: c.customer_id,
          invoices: (invoicesBy.get(c.customer_id) ?? []).map((i) => ({
            invoice_id: i.invoice_id,
            lines: (linesBy.get(i.invoice_id) ?? []).map((l) => ({
              track: { name: l.name, album: l.found === null ? null : { artist: l.artist_id === null ? null : { name: l.artist_name } } },
            })),
          })),
        })),
      })),
    });
  });

  it('playlist → entries (local) → track (remote object, ids that exist nowhere) → genre (remote back)', async () => {
    const actual = await farjoin(`{
      playlist(where: {playlist_id: {_in: [1, 5, 8]}}, order_by: {playlist_id: asc}) {
        name
        entries(where: {track_id: {_gt: 1150}}, order_by: {position: asc}, limit: 5, offset: 1) { position track_id track { name genre { name } } }
      }
    }`);
    const playlists = await sql(`SELECT playlist_id, name FROM playlist WHERE playlist_id IN (1, 5, 8) ORDER BY playlist_id`);
    const entries = groupBy(await sql(`
      SELECT p.playlist_id, e.position, e.track_id, t.track_id AS found, t.name, t.genre_id, g.name AS genre
      FROM playlist p
      CROSS JOIN LATERAL (SELECT position, track_id FROM playlist_track pt
                          WHERE pt.playlist_id = p.playlist_id AND pt.track_id > 1150 ORDER BY position LIMIT 5 OFFSET 1) e
      LEFT JOIN track t ON t.track_id = e.track_id LEFT JOIN genre g ON g.genre_id = t.genre_id
      WHERE p.playlist_id IN (1, 5, 8)
      ORDER BY p.playlist_id, e.position`), (e) => e.playlist_id);
    expect([...entries.values()].flat().some((e) => e.found === null)).toBe(true);
    expectSameData(actual, {
      playlist: playlists.map((p) => ({
        name: p.name,
        entries: (entries.get(p.playlist_id) ?? []).map((e) => ({
          position: e.position, track_id: e.track_id,
          track: e.found === null ? null : { name: e.name, genre: e.genre === null ? null : { name: e.genre } },
        })),
      })),
    });
  });

  it('track → playlist_entries (remote array) → playlist (local inside remote)', async () => {
    const ids = [1, 2, 6, 18, 40, 1199];
    const actual = await farjoin(`{
      track(where: {track_id: {_in: [${inList(ids)}]}}, order_by: {track_id: asc}) {
        track_id
        playlist_entries(order_by: {playlist_id: asc}) { position playlist { name } }
      }
    }`);
    const tracks = await sql(`SELECT track_id FROM track WHERE track_id IN (${inList(ids)}) ORDER BY track_id`);
    const entries = groupBy(await sql(`
      SELECT pt.track_id, pt.position, p.name FROM playlist_track pt JOIN playlist p USING (playlist_id)
      WHERE pt.track_id IN (${inList(ids)}) ORDER BY pt.playlist_id`), (e) => e.track_id);
    expectSameData(actual, {
      track: tracks.map((t) => ({
        track_id: t.track_id,
        playlist_entries: (entries.get(t.track_id) ?? []).map((e) => ({ position: e.position, playlist: { name: e.name } })),
      })),
    });
  });

  it('order_by through a local object relationship, remote object in the result', async () => {
    const actual = await farjoin(`{
      invoice_line(where: {invoice_id: {_lte: 30}}, order_by: [{track: {name: asc}}, {invoice_line_id: asc}], limit: 10) {
        invoice_line_id track { name album { title } }
      }
    }`);
    const rows = await sql(`
      SELECT l.invoice_line_id, t.name, al.album_id AS found, al.title
      FROM invoice_line l JOIN track t USING (track_id) LEFT JOIN album al ON al.album_id = t.album_id
      WHERE l.invoice_id <= 30 ORDER BY t.name ASC, l.invoice_line_id LIMIT 10`);
    expectSameData(actual, {
      invoice_line: rows.map((r) => ({ invoice_line_id: r.invoice_line_id, track: { name: r.name, album: r.found === null ? null : { title: r.title } } })),
    });
  });
});

describe('filters', () => {
  it('_and / _or / _not / _in / _is_null / _like, with a remote object selected', async () => {
    const actual = await farjoin(`{
      track(
        where: {_and: [
          {genre_id: {_in: [1, 3]}},
          {_or: [{milliseconds: {_gt: 400000}}, {composer: {_is_null: true}}]},
          {_not: {name: {_like: "%Blues%"}}}
        ]},
        order_by: {track_id: asc}, limit: 25
      ) { track_id name composer genre { name } }
    }`);
    const rows = await sql(`
      SELECT t.track_id, t.name, t.composer, g.name AS genre
      FROM track t LEFT JOIN genre g USING (genre_id)
      WHERE t.genre_id IN (1, 3) AND (t.milliseconds > 400000 OR t.composer IS NULL) AND NOT (t.name LIKE '%Blues%')
      ORDER BY t.track_id LIMIT 25`);
    expect(rows).toHaveLength(25);
    expectSameData(actual, {
      track: rows.map((r) => ({ track_id: r.track_id, name: r.name, composer: r.composer, genre: r.genre === null ? null : { name: r.genre } })),
    });
  });

  it('_ilike and _like on artists, with their albums (local array)', async () => {
    const actual = await farjoin(`{
      purple: artist(where: {name: {_ilike: "%PURPLE%"}}, order_by: {artist_id: asc}) { artist_id name albums(order_by: {album_id: asc}) { title } }
      deep: artist(where: {name: {_like: "Deep%"}}, order_by: {artist_id: desc}) { artist_id }
    }`);
    const purple = await sql(`SELECT artist_id, name FROM artist WHERE name ILIKE '%PURPLE%' ORDER BY artist_id`);
    const albums = groupBy(await sql(`SELECT artist_id, title FROM album WHERE artist_id IN (SELECT artist_id FROM artist WHERE name ILIKE '%PURPLE%') ORDER BY album_id`), (a) => a.artist_id);
    const deep = await sql(`SELECT artist_id FROM artist WHERE name LIKE 'Deep%' ORDER BY artist_id DESC`);
    expect(purple.length).toBeGreaterThan(2);
    expectSameData(actual, {
      purple: purple.map((a) => ({ artist_id: a.artist_id, name: a.name, albums: (albums.get(a.artist_id) ?? []).map((al) => ({ title: al.title })) })),
      deep,
    });
  });

  it('text operators _ilike / _nilike / _regex / _nlike / _similar across both sources in one request', async () => {
    const actual = await farjoin(`{
      fire: track(where: {name: {_ilike: "fire%"}, composer: {_nilike: "%young%"}}, order_by: {track_id: asc}, limit: 8) { track_id name composer }
      stars: track(where: {name: {_regex: "^Star (Song|Dance) "}}, order_by: {track_id: desc}, limit: 5) { track_id name }
      lower: track(where: {name: {_similar: "[a-z]%"}, composer: {_nlike: "%Davis"}}, order_by: {track_id: asc}, limit: 6) { track_id name }
      media: media_type(where: {name: {_nilike: "%protected%"}}, order_by: {media_type_id: asc}) { name }
    }`);
    const fire = await sql(`SELECT track_id, name, composer FROM track WHERE name ILIKE 'fire%' AND composer NOT ILIKE '%young%' ORDER BY track_id LIMIT 8`);
    const stars = await sql(`SELECT track_id, name FROM track WHERE name ~ '^Star (Song|Dance) ' ORDER BY track_id DESC LIMIT 5`);
    const lower = await sql(`SELECT track_id, name FROM track WHERE name SIMILAR TO '[a-z]%' AND composer NOT LIKE '%Davis' ORDER BY track_id LIMIT 6`);
    const media = await sql(`SELECT name FROM media_type WHERE name NOT ILIKE '%protected%' ORDER BY media_type_id`);
    expect(lower.length).toBeGreaterThan(0);
    expectSameData(actual, { fire, stars, lower, media });
  });

  it('filter through a local object relationship and through a local array relationship (exists)', async () => {
    const actual = await farjoin(`{
      invoice(where: {customer: {country: {_eq: "Brazil"}}, total: {_gte: 3}}, order_by: {invoice_id: asc}, limit: 10) {
        invoice_id total customer { last_name support_rep { last_name } }
      }
      big_spenders: customer(where: {invoices: {total: {_gt: 6}}}, order_by: {customer_id: asc}) { customer_id }
    }`);
    const invoices = await sql(`
      SELECT i.invoice_id, i.total::text, c.last_name, c.support_rep_id, e.last_name AS rep
      FROM invoice i JOIN customer c USING (customer_id) LEFT JOIN employee e ON e.employee_id = c.support_rep_id
      WHERE c.country = 'Brazil' AND i.total >= 3 ORDER BY i.invoice_id LIMIT 10`);
    const big = await sql(`SELECT customer_id FROM customer c WHERE EXISTS (SELECT 1 FROM invoice i WHERE i.customer_id = c.customer_id AND i.total > 6) ORDER BY customer_id`);
    expect(big.length).toBeGreaterThan(0);
    expectSameData(actual, {
      invoice: invoices.map((i) => ({
        invoice_id: i.invoice_id, total: num(i.total),
        customer: { last_name: i.last_name, support_rep: i.support_rep_id === null ? null : { last_name: i.rep } },
      })),
      big_spenders: big,
    });
  });

  it('numeric and date comparisons; _nin and _neq; operationName picks one of two operations', async () => {
    const doc = `
      query Other { artist { name } }
      query June {
        invoice(where: {invoice_date: {_gte: "2022-06-01", _lt: "2022-07-01"}, total: {_gt: 2}}, order_by: {invoice_date: asc}) { invoice_id invoice_date total }
        track(where: {unit_price: {_gt: 1}, track_id: {_lte: 40}}) { track_id unit_price }
        genre(where: {genre_id: {_nin: [1, 2, 3]}, name: {_neq: "Pop"}}) { name }
      }`;
    const actual = await farjoin(doc, undefined, 'June');
    const invoice = await sql(`SELECT invoice_id, invoice_date::text, total::text FROM invoice WHERE invoice_date >= '2022-06-01' AND invoice_date < '2022-07-01' AND total > 2 ORDER BY invoice_date`);
    const track = await sql(`SELECT track_id, unit_price::text FROM track WHERE unit_price > 1 AND track_id <= 40`);
    const genre = await sql(`SELECT name FROM genre WHERE genre_id NOT IN (1, 2, 3) AND name <> 'Pop'`);
    expect(invoice.length).toBeGreaterThan(0);
    expectSameData(actual, {
      invoice: invoice.map((i) => ({ invoice_id: i.invoice_id, invoice_date: i.invoice_date, total: num(i.total) })),
      track: track.map((t) => ({ track_id: t.track_id, unit_price: num(t.unit_price) })),
      genre,
    }, ['track', 'genre']);
  });
});

describe('ordering, paging, distinct_on', () => {
  it('desc_nulls_last with offset across the NULL boundary', async () => {
    const actual = await farjoin(`{ track(order_by: [{composer: desc_nulls_last}, {track_id: asc}], limit: 10, offset: 895) { track_id composer } }`);
    const expected = await sql(`SELECT track_id, composer FROM track ORDER BY composer DESC NULLS LAST, track_id LIMIT 10 OFFSET 895`);
    expect(expected.filter((r) => r.composer === null).length).toBeGreaterThan(0);
    expectSameData(actual, { track: expected });
  });

  it('asc_nulls_first and plain desc (NULLs first, as in Hasura)', async () => {
    const actual = await farjoin(`{
      customer(order_by: [{company: asc_nulls_first}, {customer_id: desc}], limit: 12, offset: 50) { customer_id company }
      album(order_by: [{release_year: desc}, {album_id: asc}], limit: 20) { album_id release_year }
    }`);
    const customer = await sql(`SELECT customer_id, company FROM customer ORDER BY company ASC NULLS FIRST, customer_id DESC LIMIT 12 OFFSET 50`);
    const album = await sql(`SELECT album_id, release_year FROM album ORDER BY release_year DESC, album_id LIMIT 20`);
    expect(album[0]!.release_year).toBeNull();
    expectSameData(actual, { customer, album });
  });

  it('distinct_on at the root with extra order_by columns, and on a text column with duplicates', async () => {
    const actual = await farjoin(`{
      invoice(distinct_on: [billing_country], order_by: [{billing_country: asc}, {total: desc}, {invoice_id: asc}]) {
        billing_country invoice_id total customer { email }
      }
      artist(distinct_on: [name], where: {name: {_like: "%Purple"}}, order_by: [{name: asc}, {artist_id: desc}]) { artist_id name }
    }`);
    const invoice = await sql(`
      SELECT DISTINCT ON (i.billing_country) i.billing_country, i.invoice_id, i.total::text, c.email
      FROM invoice i JOIN customer c USING (customer_id)
      ORDER BY i.billing_country, i.total DESC, i.invoice_id`);
    const artist = await sql(`SELECT DISTINCT ON (name) artist_id, name FROM artist WHERE name LIKE '%Purple' ORDER BY name, artist_id DESC`);
    expect(invoice).toHaveLength(10);
    expectSameData(actual, {
      invoice: invoice.map((i) => ({ billing_country: i.billing_country, invoice_id: i.invoice_id, total: num(i.total), customer: { email: i.email } })),
      artist,
    });
  });

  it('root without order_by: compared as a set', async () => {
    const actual = await farjoin(`{ media_type { media_type_id name } genre(where: {genre_id: {_gt: 6}}) { name tracks(where: {track_id: {_lte: 60}}) { track_id } } }`);
    const media = await sql(`SELECT media_type_id, name FROM media_type`);
    const genres = await sql(`SELECT genre_id, name FROM genre WHERE genre_id > 6`);
    const tracks = groupBy(await sql(`SELECT genre_id, track_id FROM track WHERE genre_id > 6 AND track_id <= 60`), (t) => t.genre_id);
    expectSameData(actual, {
      media_type: media,
      genre: genres.map((g) => ({ name: g.name, tracks: (tracks.get(g.genre_id) ?? []).map((t) => ({ track_id: t.track_id })) })),
    }, ['media_type', 'genre', 'genre.tracks']);
  });
});

describe('by primary key', () => {
  it('album_by_pk with remote arrays and remote objects inside; a missing pk; a null remote key', async () => {
    const actual = await farjoin(`{
      album_by_pk(album_id: 10) {
        title artist { name }
        tracks(order_by: {track_id: asc}, limit: 3) { name genre { name } media_type { name } }
      }
      missing: album_by_pk(album_id: 9999) { title tracks { name } }
      orphan: track_by_pk(track_id: 97) { name album { title } genre { name } }
    }`);
    const [album] = await sql(`SELECT al.title, al.artist_id, ar.name FROM album al LEFT JOIN artist ar USING (artist_id) WHERE album_id = 10`);
    const tracks = await sql(`
      SELECT t.name, g.name AS genre, m.name AS media FROM track t
      LEFT JOIN genre g USING (genre_id) LEFT JOIN media_type m USING (media_type_id)
      WHERE t.album_id = 10 ORDER BY t.track_id LIMIT 3`);
    const [orphan] = await sql(`
      SELECT t.name, al.album_id AS found, al.title, g.name AS genre
      FROM track t LEFT JOIN album al USING (album_id) LEFT JOIN genre g USING (genre_id) WHERE t.track_id = 97`);
    expectSameData(actual, {
      album_by_pk: {
        title: album!.title, artist: album!.artist_id === null ? null : { name: album!.name },
        tracks: tracks.map((t) => ({ name: t.name, genre: t.genre === null ? null : { name: t.genre }, media_type: { name: t.media } })),
      },
      missing: null,
      orphan: { name: orphan!.name, album: orphan!.found === null ? null : { title: orphan!.title }, genre: orphan!.genre === null ? null : { name: orphan!.genre } },
    });
  });
});

describe('GraphQL document features inside remote fields', () => {
  it('named fragments and inline fragments', async () => {
    const actual = await farjoin(`
      query TrackCard { track(where: {album_id: {_eq: 20}}, order_by: {track_id: asc}) { ...TrackBits } }
      fragment TrackBits on track {
        track_id name
        album { ...AlbumBits }
        ... on track { composer genre { ... on genre { name } } }
      }
      fragment AlbumBits on album { title artist { name } }
    `);
    const rows = await sql(`
      SELECT t.track_id, t.name, t.composer, al.title, al.artist_id, ar.name AS artist, g.name AS genre
      FROM track t JOIN album al USING (album_id) LEFT JOIN artist ar USING (artist_id) LEFT JOIN genre g USING (genre_id)
      WHERE t.album_id = 20 ORDER BY t.track_id`);
    expect(rows.length).toBeGreaterThan(5);
    expectSameData(actual, {
      track: rows.map((r) => ({
        track_id: r.track_id, name: r.name, composer: r.composer,
        album: { title: r.title, artist: r.artist_id === null ? null : { name: r.artist } },
        genre: r.genre === null ? null : { name: r.genre },
      })),
    });
  });

  it('variables: defaults, lists, an input object inside _and, used inside a remote array', async () => {
    const query = `
      query Shop($country: String!, $limit: Int = 2, $genres: [Int!], $trackWhere: track_bool_exp!) {
        customer(where: {country: {_eq: $country}}, order_by: {customer_id: asc}) {
          customer_id
          invoices(order_by: {invoice_id: asc}, limit: $limit) { invoice_id }
        }
        album(where: {album_id: {_lte: 3}}, order_by: {album_id: asc}) {
          album_id
          tracks(where: {_and: [{genre_id: {_in: $genres}}, $trackWhere]}, order_by: {track_id: asc}) { track_id genre_id }
        }
      }`;
    const actual = await farjoin(query, { country: 'Norway', genres: [1, 2, 3, 4, 5, 6], trackWhere: { milliseconds: { _gt: 200000 } } });
    const customers = await sql(`SELECT customer_id FROM customer WHERE country = $1 ORDER BY customer_id`, ['Norway']);
    const invoices = groupBy(await sql(`
      SELECT c.customer_id, i.invoice_id FROM customer c
      CROSS JOIN LATERAL (SELECT invoice_id FROM invoice WHERE invoice.customer_id = c.customer_id ORDER BY invoice_id LIMIT 2) i
      WHERE c.country = $1 ORDER BY i.invoice_id`, ['Norway']), (i) => i.customer_id);
    const albums = await sql(`SELECT album_id FROM album WHERE album_id <= 3 ORDER BY album_id`);
    const tracks = groupBy(await sql(`
      SELECT album_id, track_id, genre_id FROM track
      WHERE album_id <= 3 AND genre_id = ANY($1::int[]) AND milliseconds > 200000 ORDER BY track_id`, [[1, 2, 3, 4, 5, 6]]), (t) => t.album_id);
    expectSameData(actual, {
      customer: customers.map((c) => ({ customer_id: c.customer_id, invoices: (invoices.get(c.customer_id) ?? []).map((i) => ({ invoice_id: i.invoice_id })) })),
      album: albums.map((a) => ({ album_id: a.album_id, tracks: (tracks.get(a.album_id) ?? []).map((t) => ({ track_id: t.track_id, genre_id: t.genre_id })) })),
    });
  });

  it('@include / @skip on remote fields, driven by a variable', async () => {
    const query = `query ($withAlbum: Boolean!) {
      track(where: {track_id: {_in: [1, 2, 3]}}, order_by: {track_id: asc}) {
        track_id
        album @include(if: $withAlbum) { title }
        genre @skip(if: $withAlbum) { name }
        name @skip(if: false)
      }
    }`;
    const rows = await sql(`
      SELECT t.track_id, t.name, al.title, g.name AS genre
      FROM track t LEFT JOIN album al USING (album_id) LEFT JOIN genre g USING (genre_id)
      WHERE t.track_id IN (1, 2, 3) ORDER BY t.track_id`);
    expectSameData(await farjoin(query, { withAlbum: true }), {
      track: rows.map((r) => ({ track_id: r.track_id, name: r.name, album: { title: r.title } })),
    });
    expectSameData(await farjoin(query, { withAlbum: false }), {
      track: rows.map((r) => ({ track_id: r.track_id, name: r.name, genre: r.genre === null ? null : { name: r.genre } })),
    });
  });

  it('__typename at the root, in local and remote objects and in remote arrays', async () => {
    const actual = await farjoin(`{
      __typename
      album(where: {album_id: {_eq: 5}}) {
        __typename title artist { __typename }
        tracks(order_by: {track_id: asc}, limit: 2) { __typename track_id genre { __typename name } }
      }
    }`);
    const [album] = await sql(`SELECT title, artist_id FROM album WHERE album_id = 5`);
    const tracks = await sql(`SELECT t.track_id, g.name AS genre FROM track t LEFT JOIN genre g USING (genre_id) WHERE album_id = 5 ORDER BY track_id LIMIT 2`);
    expectSameData(actual, {
      __typename: 'query_root',
      album: [{
        __typename: 'album', title: album!.title, artist: album!.artist_id === null ? null : { __typename: 'artist' },
        tracks: tracks.map((t) => ({ __typename: 'track', track_id: t.track_id, genre: t.genre === null ? null : { __typename: 'genre', name: t.genre } })),
      }],
    });
  });
});

describe('edge cases a client hits sooner or later', () => {
  it('aliases that shadow the join-key column names, and field merging of one remote object', async () => {
    const actual = await farjoin(`{
      track(where: {track_id: {_lte: 4}}, order_by: {track_id: asc}) {
        album_id: name
        genre_id: track_id
        album { title }
        album { album_id }
        other: album { artist { name } }
        genre { name }
      }
    }`);
    const rows = await sql(`
      SELECT t.track_id, t.name, al.album_id, al.title, al.artist_id, ar.name AS artist, g.name AS genre
      FROM track t JOIN album al USING (album_id) LEFT JOIN artist ar USING (artist_id) LEFT JOIN genre g USING (genre_id)
      WHERE t.track_id <= 4 ORDER BY t.track_id`);
    expectSameData(actual, {
      track: rows.map((r) => ({
        album_id: r.name, genre_id: r.track_id,
        album: { title: r.title, album_id: r.album_id },
        other: { artist: r.artist_id === null ? null : { name: r.artist } },
        genre: r.genre === null ? null : { name: r.genre },
      })),
    });
  });

  it('parents with no rows, and parents whose keys are all NULL', async () => {
    const actual = await farjoin(`{
      album(where: {album_id: {_gt: 10000}}) { tracks { name } }
      track(where: {album_id: {_is_null: true}}, order_by: {track_id: asc}) { track_id album { title } }
    }`);
    const tracks = await sql(`SELECT track_id FROM track WHERE album_id IS NULL ORDER BY track_id`);
    expect(tracks.length).toBeGreaterThan(5);
    expectSameData(actual, { album: [], track: tracks.map((t) => ({ track_id: t.track_id, album: null })) });
  });

  it('every track with its album, genre and price tier (1200 parents, repeated keys)', async () => {
    const actual = await farjoin(`{ track(order_by: {track_id: asc}) { track_id album { album_id } genre { genre_id } price_tier { tier } } }`);
    const rows = await sql(`
      SELECT t.track_id, al.album_id, g.genre_id, p.tier
      FROM track t LEFT JOIN album al USING (album_id) LEFT JOIN genre g USING (genre_id)
      LEFT JOIN price_tier p ON p.genre_id = t.genre_id AND p.media_type_id = t.media_type_id
      ORDER BY t.track_id`);
    expect(rows).toHaveLength(1200);
    expectSameData(actual, {
      track: rows.map((r) => ({
        track_id: r.track_id,
        album: r.album_id === null ? null : { album_id: r.album_id },
        genre: r.genre_id === null ? null : { genre_id: r.genre_id },
        price_tier: r.tier === null ? null : { tier: r.tier },
      })),
    });
  });

  it('remote arrays with offset and no limit, with limit 0, and filtered on the join key itself', async () => {
    const actual = await farjoin(`{
      album(where: {album_id: {_in: [2, 3]}}, order_by: {album_id: asc}) {
        album_id
        rest: tracks(order_by: {track_id: asc}, offset: 6) { track_id }
        none: tracks(limit: 0) { track_id }
        own: tracks(where: {_or: [{album_id: {_eq: 3}}, {album_id: {_is_null: true}}]}, order_by: {track_id: desc}) { track_id }
      }
    }`);
    const rest = groupBy(await sql(`
      SELECT al.album_id, t.track_id FROM album al
      CROSS JOIN LATERAL (SELECT track_id FROM track WHERE track.album_id = al.album_id ORDER BY track_id OFFSET 6) t
      WHERE al.album_id IN (2, 3) ORDER BY t.track_id`), (t) => t.album_id);
    const own = groupBy(await sql(`SELECT album_id, track_id FROM track WHERE album_id IN (2, 3) AND album_id = 3 ORDER BY track_id DESC`), (t) => t.album_id);
    expectSameData(actual, {
      album: [2, 3].map((id) => ({
        album_id: id,
        rest: (rest.get(id) ?? []).map((t) => ({ track_id: t.track_id })),
        none: [],
        own: (own.get(id) ?? []).map((t) => ({ track_id: t.track_id })),
      })),
    });
  });

  it('a by_pk page driven by a variable, the same query twice with different values (plan cache)', async () => {
    const query = `query AlbumPage($id: Int!) { album_by_pk(album_id: $id) { title tracks(order_by: {track_id: asc}) { track_id } } }`;
    for (const id of [33, 134]) {
      const [album] = await sql(`SELECT title FROM album WHERE album_id = $1`, [id]);
      const tracks = await sql(`SELECT track_id FROM track WHERE album_id = $1 ORDER BY track_id`, [id]);
      expectSameData(await farjoin(query, { id }), { album_by_pk: { title: album!.title, tracks } });
    }
  });
});

describe('harder client patterns', () => {
  it('filters built by code: empty _and (true), empty _or (false), empty where, _not {} (false), empty _in (false), empty _nin (true)', async () => {
    const actual = await farjoin(`{
      and_empty: genre(where: {_and: []}, order_by: {genre_id: asc}) { genre_id }
      or_empty: genre(where: {_or: []}) { genre_id }
      where_empty: genre(where: {}, order_by: {genre_id: asc}) { genre_id }
      not_empty: genre(where: {_not: {}}) { genre_id }
      not_nested: genre(where: {_and: [{genre_id: {_lte: 3}}, {_not: {_and: []}}]}) { genre_id }
      in_empty: genre(where: {genre_id: {_in: []}}) { genre_id }
      nin_empty: genre(where: {genre_id: {_nin: []}}, order_by: {genre_id: asc}) { genre_id }
      remote: album(where: {album_id: {_eq: 1}}) {
        a: tracks(where: {_or: []}) { track_id }
        b: tracks(where: {_and: []}, order_by: {track_id: asc}) { track_id }
        c: tracks(where: {_not: {}}) { track_id }
      }
    }`);
    const all = await sql(`SELECT genre_id FROM genre ORDER BY genre_id`);
    const tracks = await sql(`SELECT track_id FROM track WHERE album_id = 1 ORDER BY track_id`);
    // Hasura: `_not: e` is NOT(e) and `{}` is TRUE, so `_not: {}` matches nothing (Postgres Translate/BoolExp.hs).
    expectSameData(actual, {
      and_empty: all, or_empty: [], where_empty: all, not_empty: [], not_nested: [], in_empty: [], nin_empty: all,
      remote: [{ a: [], b: tracks, c: [] }],
    });
  });

  it('the same remote relationship at two depths in one request (keys collected from both places)', async () => {
    const actual = await farjoin(`{
      album(where: {album_id: {_in: [5, 6]}}, order_by: {album_id: asc}) {
        album_id
        tracks(order_by: {track_id: asc}, limit: 2) { track_id album { title } genre { name tracks(where: {track_id: {_lte: 30}}, order_by: {track_id: asc}) { track_id } } }
      }
      track(where: {track_id: {_in: [1, 500]}}, order_by: {track_id: asc}) { track_id album { title } }
    }`);
    const albums = await sql(`SELECT album_id, title FROM album WHERE album_id IN (5, 6) ORDER BY album_id`);
    const tracks = await sql(`
      SELECT al.album_id, t.track_id, t.genre_id, g.name AS genre FROM album al
      CROSS JOIN LATERAL (SELECT track_id, genre_id FROM track WHERE track.album_id = al.album_id ORDER BY track_id LIMIT 2) t
      LEFT JOIN genre g ON g.genre_id = t.genre_id
      WHERE al.album_id IN (5, 6) ORDER BY t.track_id`);
    const genreTracks = groupBy(await sql(`SELECT genre_id, track_id FROM track WHERE track_id <= 30 ORDER BY track_id`), (t) => t.genre_id);
    const root = await sql(`SELECT t.track_id, al.title FROM track t JOIN album al USING (album_id) WHERE t.track_id IN (1, 500) ORDER BY t.track_id`);
    const titles = new Map(albums.map((a) => [a.album_id, a.title]));
    expectSameData(actual, {
      album: albums.map((a) => ({
        album_id: a.album_id,
        tracks: tracks.filter((t) => t.album_id === a.album_id).map((t) => ({
          track_id: t.track_id, album: { title: titles.get(a.album_id) },
          genre: t.genre === null ? null : { name: t.genre, tracks: (genreTracks.get(t.genre_id) ?? []).map((x) => ({ track_id: x.track_id })) },
        })),
      })),
      track: root.map((r) => ({ track_id: r.track_id, album: { title: r.title } })),
    });
  });

  it('variables for remote arguments: where, order_by list, distinct_on, enum direction, default limit', async () => {
    const query = `query Tracks($where: track_bool_exp, $order: [track_order_by!], $distinct: [track_select_column!], $dir: order_by!, $lim: Int = 3) {
      album(where: {album_id: {_in: [8, 9]}}, order_by: {album_id: $dir}) {
        album_id
        a: tracks(where: $where, order_by: $order, limit: $lim) { track_id composer }
        b: tracks(distinct_on: $distinct, order_by: [{genre_id: asc}, {track_id: $dir}]) { genre_id track_id }
      }
    }`;
    const actual = await farjoin(query, {
      where: { composer: { _is_null: false } }, order: [{ composer: 'asc' }, { track_id: 'desc' }], distinct: ['genre_id'], dir: 'desc',
    });
    const a = groupBy(await sql(`
      SELECT al.album_id, t.track_id, t.composer FROM album al
      CROSS JOIN LATERAL (SELECT track_id, composer FROM track WHERE track.album_id = al.album_id AND composer IS NOT NULL ORDER BY composer, track_id DESC LIMIT 3) t
      WHERE al.album_id IN (8, 9) ORDER BY al.album_id, t.composer, t.track_id DESC`), (t) => t.album_id);
    const b = groupBy(await sql(`
      SELECT al.album_id, t.genre_id, t.track_id FROM album al
      CROSS JOIN LATERAL (SELECT DISTINCT ON (genre_id) genre_id, track_id FROM track WHERE track.album_id = al.album_id ORDER BY genre_id, track_id DESC) t
      WHERE al.album_id IN (8, 9) ORDER BY al.album_id, t.genre_id NULLS LAST`), (t) => t.album_id);
    expectSameData(actual, {
      album: [9, 8].map((id) => ({
        album_id: id,
        a: (a.get(id) ?? []).map((t) => ({ track_id: t.track_id, composer: t.composer })),
        b: (b.get(id) ?? []).map((t) => ({ genre_id: t.genre_id, track_id: t.track_id })),
      })),
    });
  });

  it('non-ASCII text: _ilike with accents, ordering by accented names, hostile quotes in a variable', async () => {
    const actual = await farjoin(`query ($odd: String!) {
      accents: customer(where: {_or: [{first_name: {_ilike: "FRANÇOIS"}}, {last_name: {_ilike: "%ö%"}}]}, order_by: [{last_name: asc}, {customer_id: asc}]) { customer_id first_name last_name }
      sorted: customer(order_by: [{last_name: desc}, {first_name: asc}, {customer_id: asc}], limit: 8) { last_name first_name }
      odd: track(where: {name: {_eq: $odd}}) { track_id }
    }`, { odd: `it's "quoted"; DROP TABLE track; --` });
    const accents = await sql(`SELECT customer_id, first_name, last_name FROM customer WHERE first_name ILIKE 'FRANÇOIS' OR last_name ILIKE '%ö%' ORDER BY last_name, customer_id`);
    const sorted = await sql(`SELECT last_name, first_name FROM customer ORDER BY last_name DESC, first_name, customer_id LIMIT 8`);
    expect(accents.length).toBeGreaterThan(2);
    expectSameData(actual, { accents, sorted, odd: [] });
  });

  it('a large _in list from a variable on the parent, remote object for each', async () => {
    const ids = Array.from({ length: 400 }, (_, i) => 1 + ((i * 7) % 1250));
    const actual = await farjoin(`query ($ids: [Int!]!) { track(where: {track_id: {_in: $ids}}, order_by: {track_id: desc}) { track_id album { album_id } } }`, { ids });
    const rows = await sql(`SELECT t.track_id, al.album_id FROM track t LEFT JOIN album al USING (album_id) WHERE t.track_id = ANY($1::int[]) ORDER BY t.track_id DESC`, [ids]);
    expect(rows.length).toBeGreaterThan(300);
    expectSameData(actual, { track: rows.map((r) => ({ track_id: r.track_id, album: r.album_id === null ? null : { album_id: r.album_id } })) });
  });

  it('remote array filtered through two local object hops in the target (tracks bought from the USA)', async () => {
    const actual = await farjoin(`{
      album(where: {album_id: {_lte: 12}}, order_by: {album_id: asc}) {
        album_id
        tracks(where: {invoice_lines: {invoice: {customer: {country: {_eq: "USA"}}}}}, order_by: {track_id: asc}) { track_id }
      }
    }`);
    const rows = groupBy(await sql(`
      SELECT t.album_id, t.track_id FROM track t
      WHERE t.album_id <= 12 AND EXISTS (
        SELECT 1 FROM invoice_line l JOIN invoice i USING (invoice_id) JOIN customer c USING (customer_id)
        WHERE l.track_id = t.track_id AND c.country = 'USA')
      ORDER BY t.track_id`), (t) => t.album_id);
    expect([...rows.values()].flat().length).toBeGreaterThan(0);
    const albums = await sql(`SELECT album_id FROM album WHERE album_id <= 12 ORDER BY album_id`);
    expectSameData(actual, { album: albums.map((a) => ({ album_id: a.album_id, tracks: (rows.get(a.album_id) ?? []).map((t) => ({ track_id: t.track_id })) })) });
  });

  it('distinct_on parent with a remote object, @include on a fragment spread holding remote fields', async () => {
    const query = `query ($details: Boolean!) {
      invoice_line(distinct_on: [track_id], where: {invoice_id: {_lte: 40}}, order_by: [{track_id: asc}, {invoice_line_id: desc}], limit: 12) {
        track_id invoice_line_id
        ...Details @include(if: $details)
      }
    }
    fragment Details on invoice_line { track { album { title } price_tier { tier } } }`;
    const rows = await sql(`
      SELECT DISTINCT ON (l.track_id) l.track_id, l.invoice_line_id, al.album_id AS found, al.title, p.tier
      FROM invoice_line l JOIN track t USING (track_id) LEFT JOIN album al ON al.album_id = t.album_id
      LEFT JOIN price_tier p ON p.genre_id = t.genre_id AND p.media_type_id = t.media_type_id
      WHERE l.invoice_id <= 40 ORDER BY l.track_id, l.invoice_line_id DESC LIMIT 12`);
    expectSameData(await farjoin(query, { details: true }), {
      invoice_line: rows.map((r) => ({
        track_id: r.track_id, invoice_line_id: r.invoice_line_id,
        track: { album: r.found === null ? null : { title: r.title }, price_tier: r.tier === null ? null : { tier: r.tier } },
      })),
    });
    expectSameData(await farjoin(query, { details: false }), { invoice_line: rows.map((r) => ({ track_id: r.track_id, invoice_line_id: r.invoice_line_id })) });
  });
});

describe('remote array with a nullable key', () => {
  it('track.genre_price_tiers is null (not []) when genre_id is NULL, [] when the genre has no tiers', async () => {
    const ids = [40, 41, 53, 82, 100];
    const actual = await farjoin(`{
      track(where: {track_id: {_in: [${inList(ids)}]}}, order_by: {track_id: asc}) {
        track_id genre_id
        genre_price_tiers(where: {media_type_id: {_neq: 3}}, order_by: {media_type_id: desc}) { media_type_id tier }
      }
    }`);
    const tracks = await sql(`SELECT track_id, genre_id FROM track WHERE track_id IN (${inList(ids)}) ORDER BY track_id`);
    const tiers = groupBy(await sql(`SELECT genre_id, media_type_id, tier FROM price_tier WHERE media_type_id <> 3 ORDER BY media_type_id DESC`), (p) => p.genre_id);
    expect(tracks.filter((t) => t.genre_id === null)).toHaveLength(2);
    expectSameData(actual, {
      track: tracks.map((t) => ({
        track_id: t.track_id, genre_id: t.genre_id,
        genre_price_tiers: t.genre_id === null ? null : (tiers.get(t.genre_id) ?? []).map((p) => ({ media_type_id: p.media_type_id, tier: p.tier })),
      })),
    });
  });
});

describe('filters and ordering through remote relationships (beyond Hasura)', () => {
  it('albums that have a track over 6:55 (remote array filter, exists), with those tracks', async () => {
    const actual = await farjoin(`{
      album(where: {tracks: {milliseconds: {_gt: 415000}}}, order_by: {album_id: asc}) {
        album_id tracks(where: {milliseconds: {_gt: 415000}}, order_by: {track_id: asc}) { track_id }
      }
    }`);
    const albums = await sql(`SELECT album_id FROM album a WHERE EXISTS (SELECT 1 FROM track t WHERE t.album_id = a.album_id AND t.milliseconds > 415000) ORDER BY album_id`);
    const tracks = groupBy(await sql('SELECT album_id, track_id FROM track WHERE milliseconds > 415000 ORDER BY track_id'), (t) => t.album_id);
    expect(albums.length).toBeGreaterThan(0);
    expect(actual.strategies).toEqual(['auto', 'two-phase', 'fdw', 'semi-join']);
    expectSameData(actual, { album: albums.map((a) => ({ album_id: a.album_id, tracks: (tracks.get(a.album_id) ?? []).map((t) => ({ track_id: t.track_id })) })) });
  });

  it('tracks by remote object fields and a local relationship of the remote table, under _and / _not', async () => {
    const actual = await farjoin(`{
      track(where: {_and: [{album: {artist: {name: {_like: "D%"}}}}, {_not: {genre: {name: {_eq: "Rock"}}}}]}, order_by: {track_id: asc}) { track_id }
    }`);
    const rows = await sql(`
      SELECT t.track_id FROM track t
      WHERE EXISTS (SELECT 1 FROM album al JOIN artist ar ON ar.artist_id = al.artist_id WHERE al.album_id = t.album_id AND ar.name LIKE 'D%')
        AND NOT EXISTS (SELECT 1 FROM genre g WHERE g.genre_id = t.genre_id AND g.name = 'Rock')
      ORDER BY t.track_id`);
    expect(rows.length).toBeGreaterThan(3);
    expectSameData(actual, { track: rows.map((r) => ({ track_id: r.track_id })) });
  });

  it('a remote array whose rows filter through a remote relationship back to the parent database', async () => {
    const actual = await farjoin(`{
      genre(where: {genre_id: {_lte: 6}}, order_by: {genre_id: asc}) {
        name tracks(where: {album: {title: {_ilike: "%live%"}}}, order_by: {track_id: asc}) { track_id }
      }
    }`);
    const genres = await sql('SELECT genre_id, name FROM genre WHERE genre_id <= 6 ORDER BY genre_id');
    const tracks = groupBy(await sql(`
      SELECT t.genre_id, t.track_id FROM track t
      WHERE EXISTS (SELECT 1 FROM album al WHERE al.album_id = t.album_id AND al.title ILIKE '%live%') ORDER BY t.track_id`), (t) => t.genre_id);
    expect(tracks.size).toBeGreaterThan(0);
    expectSameData(actual, { genre: genres.map((g) => ({ name: g.name, tracks: (tracks.get(g.genre_id) ?? []).map((t) => ({ track_id: t.track_id })) })) });
  });

  it('orders tracks by their remote album title, under every strategy (fdw, or (key, rank) pairs without it)', async () => {
    const actual = await farjoin(`{
      track(where: {track_id: {_lte: 40}}, order_by: [{album: {title: desc}}, {track_id: asc}]) { track_id album { title } }
    }`, undefined, undefined, { remoteOrder: true });
    const rows = await sql(`
      SELECT t.track_id, al.album_id AS found, al.title FROM track t LEFT JOIN album al ON al.album_id = t.album_id
      WHERE t.track_id <= 40 ORDER BY al.title DESC NULLS FIRST, t.track_id`);
    expect(actual.strategies).toEqual(['auto', 'two-phase', 'fdw', 'semi-join']);
    expectSameData(actual, { track: rows.map((r) => ({ track_id: r.track_id, album: r.found === null ? null : { title: r.title } })) });
  });

  it('orders albums by the count and the longest of their remote tracks', async () => {
    const actual = await farjoin(`{
      by_count: album(order_by: [{tracks_aggregate: {count: desc}}, {album_id: asc}], limit: 8) { album_id }
      by_longest: album(order_by: [{tracks_aggregate: {max: {milliseconds: asc_nulls_last}}}, {album_id: asc}], limit: 8) { album_id }
    }`, undefined, undefined, { remoteOrder: true });
    const byCount = await sql(`SELECT a.album_id FROM album a ORDER BY (SELECT count(*) FROM track t WHERE t.album_id = a.album_id) DESC, a.album_id LIMIT 8`);
    const byLongest = await sql(`SELECT a.album_id FROM album a ORDER BY (SELECT max(milliseconds) FROM track t WHERE t.album_id = a.album_id) ASC NULLS LAST, a.album_id LIMIT 8`);
    expectSameData(actual, { by_count: byCount.map((a) => ({ album_id: a.album_id })), by_longest: byLongest.map((a) => ({ album_id: a.album_id })) });
  });

  it('a big page of invoice lines with their local invoice, customer and track (page chosen before the joins)', async () => {
    const actual = await farjoin(`{
      invoice_line(order_by: {invoice_line_id: desc}, limit: 5000) {
        invoice_line_id invoice { invoice_id customer { last_name } } track { name }
      }
    }`);
    const rows = await sql(`
      SELECT il.invoice_line_id, i.invoice_id, c.customer_id AS found, c.last_name, t.name AS track_name, t.track_id AS track_found
      FROM invoice_line il JOIN invoice i ON i.invoice_id = il.invoice_id LEFT JOIN customer c ON c.customer_id = i.customer_id
      LEFT JOIN track t ON t.track_id = il.track_id ORDER BY il.invoice_line_id DESC LIMIT 5000`);
    expect(rows.length).toBeGreaterThan(10);
    expectSameData(actual, { invoice_line: rows.map((r) => ({
      invoice_line_id: r.invoice_line_id,
      invoice: { invoice_id: r.invoice_id, customer: r.found === null ? null : { last_name: r.last_name } },
      track: r.track_found === null ? null : { name: r.track_name },
    })) });
  });

  it('orders a local relationship by a remote aggregate and by a remote field of its rows', async () => {
    const actual = await farjoin(`{
      artist(where: {artist_id: {_lte: 12}}, order_by: {artist_id: asc}) {
        artist_id albums(order_by: [{tracks_aggregate: {count: desc}}, {album_id: asc}]) { album_id }
      }
      playlist(order_by: {playlist_id: asc}) {
        playlist_id entries(order_by: [{track: {name: desc}}, {track_id: asc}]) { track_id }
      }
    }`, undefined, undefined, { remoteOrder: true });
    const artists = await sql('SELECT artist_id FROM artist WHERE artist_id <= 12 ORDER BY artist_id');
    const albums = groupBy(await sql(`
      SELECT a.artist_id, a.album_id FROM album a
      ORDER BY (SELECT count(*) FROM track t WHERE t.album_id = a.album_id) DESC, a.album_id`), (a) => a.artist_id);
    const playlists = await sql('SELECT playlist_id FROM playlist ORDER BY playlist_id');
    const entries = groupBy(await sql(`
      SELECT pt.playlist_id, pt.track_id FROM playlist_track pt LEFT JOIN track t ON t.track_id = pt.track_id
      ORDER BY t.name DESC NULLS FIRST, pt.track_id`), (e) => e.playlist_id);
    expect([...entries.values()].some((e) => e.length > 1)).toBe(true);
    expect([...albums.values()].some((a) => a.length > 1)).toBe(true);
    expectSameData(actual, {
      artist: artists.map((a) => ({ artist_id: a.artist_id, albums: (albums.get(a.artist_id) ?? []).map((x) => ({ album_id: x.album_id })) })),
      playlist: playlists.map((p) => ({ playlist_id: p.playlist_id, entries: (entries.get(p.playlist_id) ?? []).map((e) => ({ track_id: e.track_id })) })),
    });
  });

  it('a remote array ordered by a remote field of its rows, with a per-parent limit', async () => {
    const actual = await farjoin(`{
      genre(where: {genre_id: {_in: [1, 2, 3]}}, order_by: {genre_id: asc}) {
        genre_id tracks(order_by: [{album: {title: asc}}, {track_id: desc}], limit: 3) { track_id }
      }
    }`, undefined, undefined, { remoteOrder: true });
    const tracks = await sql(`
      SELECT g.genre_id, t.track_id FROM genre g
      CROSS JOIN LATERAL (SELECT t.track_id FROM track t LEFT JOIN album al ON al.album_id = t.album_id
                          WHERE t.genre_id = g.genre_id ORDER BY al.title ASC NULLS LAST, t.track_id DESC LIMIT 3) t
      WHERE g.genre_id IN (1, 2, 3) ORDER BY g.genre_id`);
    const byGenre = groupBy(tracks, (t) => t.genre_id);
    expectSameData(actual, { genre: [1, 2, 3].map((id) => ({ genre_id: id, tracks: (byGenre.get(id) ?? []).map((t) => ({ track_id: t.track_id })) })) });
  });
});
