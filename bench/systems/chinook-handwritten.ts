/**
 * Baseline for the split music store (fixtures/chinook-scale.ts): what a careful developer
 * writes by hand for the two queries of bench/chinook.ts — `pg`, one statement per
 * database with the local joins done by Postgres, the distinct keys shipped to the other
 * database as `= ANY($1::int[])`, a `Map` to join, `JSON.stringify` to answer. Same
 * response as farjoin's (numeric columns as JSON numbers, dates as ISO text).
 */
import pg from 'pg';
import type { ChinookUrls } from '../chinook.js';

interface LineRow {
  invoice_line_id: number;
  unit_price: string;
  quantity: number;
  invoice_id: number;
  invoice_date: string;
  customer_id: number;
  first_name: string;
  last_name: string;
  country: string;
  track_id: number;
  track_name: string;
  milliseconds: number;
  album_id: number | null;
}

interface AlbumRow {
  album_id: number;
  title: string;
  release_year: number | null;
  artist_id: number | null;
  artist_name: string | null;
}

interface TrackRow {
  album_id: number;
  track_id: number;
  name: string;
  milliseconds: number;
  unit_price: string;
}

interface Artist {
  artist_id: number;
  name: string;
}

function artistOf(row: AlbumRow): Artist | null {
  return row.artist_id === null ? null : { artist_id: row.artist_id, name: row.artist_name! };
}

export class ChinookHandwritten {
  private readonly catalog: pg.Pool;
  private readonly sales: pg.Pool;

  constructor(urls: ChinookUrls) {
    this.catalog = new pg.Pool({ connectionString: urls.catalog, max: 10 });
    this.sales = new pg.Pool({ connectionString: urls.sales, max: 10 });
  }

  /** LINES_QUERY: invoice lines with invoice → customer and track → album (other database) → artist. */
  async lines(n: number): Promise<string> {
    const lines = (await this.sales.query<LineRow>(
      `SELECT l.invoice_line_id, l.unit_price, l.quantity,
              i.invoice_id, i.invoice_date::text AS invoice_date, c.customer_id, c.first_name, c.last_name, c.country,
              t.track_id, t.name AS track_name, t.milliseconds, t.album_id
         FROM public.invoice_line AS l
         JOIN public.invoice AS i ON i.invoice_id = l.invoice_id
         JOIN public.customer AS c ON c.customer_id = i.customer_id
         JOIN public.track AS t ON t.track_id = l.track_id
        ORDER BY l.invoice_line_id
        LIMIT $1`, [n])).rows;
    const keys = new Set<number>();
    for (const l of lines) if (l.album_id !== null) keys.add(l.album_id);
    const albums = new Map<number, { album_id: number; title: string; artist: Artist | null }>();
    if (keys.size > 0) {
      const rows = (await this.catalog.query<AlbumRow>(
        `SELECT a.album_id, a.title, a.release_year, r.artist_id, r.name AS artist_name
           FROM public.album AS a LEFT JOIN public.artist AS r ON r.artist_id = a.artist_id
          WHERE a.album_id = ANY($1::int[])`, [[...keys]])).rows;
      for (const a of rows) albums.set(a.album_id, { album_id: a.album_id, title: a.title, artist: artistOf(a) });
    }
    const out = lines.map((l) => ({
      invoice_line_id: l.invoice_line_id,
      unit_price: Number(l.unit_price),
      quantity: l.quantity,
      invoice: {
        invoice_id: l.invoice_id,
        invoice_date: l.invoice_date,
        customer: { customer_id: l.customer_id, first_name: l.first_name, last_name: l.last_name, country: l.country },
      },
      track: {
        track_id: l.track_id,
        name: l.track_name,
        milliseconds: l.milliseconds,
        album: l.album_id === null ? null : albums.get(l.album_id) ?? null,
      },
    }));
    return JSON.stringify({ data: { invoice_line: out } });
  }

  /** ALBUMS_QUERY: albums with their artist, their tracks (other database) and the tracks' aggregate. */
  async albums(n: number): Promise<string> {
    const albums = (await this.catalog.query<AlbumRow>(
      `SELECT a.album_id, a.title, a.release_year, r.artist_id, r.name AS artist_name
         FROM public.album AS a LEFT JOIN public.artist AS r ON r.artist_id = a.artist_id
        ORDER BY a.album_id
        LIMIT $1`, [n])).rows;
    const byAlbum = new Map<number, TrackRow[]>();
    if (albums.length > 0) {
      const tracks = (await this.sales.query<TrackRow>(
        `SELECT album_id, track_id, name, milliseconds, unit_price
           FROM public.track
          WHERE album_id = ANY($1::int[])
          ORDER BY album_id, track_id`, [albums.map((a) => a.album_id)])).rows;
      for (const t of tracks) {
        const list = byAlbum.get(t.album_id);
        if (list) list.push(t);
        else byAlbum.set(t.album_id, [t]);
      }
    }
    const out = albums.map((a) => {
      const tracks = byAlbum.get(a.album_id) ?? [];
      let sum = 0;
      let max: number | null = null;
      const list = tracks.map((t) => {
        const price = Number(t.unit_price);
        sum += t.milliseconds;
        if (max === null || price > max) max = price;
        return { track_id: t.track_id, name: t.name, milliseconds: t.milliseconds, unit_price: price };
      });
      return {
        album_id: a.album_id,
        title: a.title,
        release_year: a.release_year,
        artist: artistOf(a),
        tracks: list,
        tracks_aggregate: { aggregate: { count: tracks.length, sum: { milliseconds: tracks.length > 0 ? sum : null }, max: { unit_price: max } } },
      };
    });
    return JSON.stringify({ data: { album: out } });
  }

  async close(): Promise<void> {
    await Promise.all([this.catalog.end(), this.sales.end()]);
  }
}
