/**
 * The split music store at scale (fixtures/chinook-scale.ts): `catalog` (artist, album,
 * genre, media_type) on one embedded server, `sales` (track, customer, invoice,
 * invoice_line) on the other, remote relationships both ways as in
 * fixtures/chinook/split.yaml. Two realistic multi-level queries cross the databases; farjoin
 * answers them in process and the hand-written `pg` baseline (systems/chinook-handwritten.ts)
 * answers them too, interleaved round by round, every response checked equal.
 */
import { isDeepStrictEqual } from 'node:util';
import { createEngine } from '../runtime/engine.js';
import { BENCH_LIMITS } from './schema.js';
import { interleave } from './stats.js';
import { ChinookHandwritten } from './systems/chinook-handwritten.js';
import type { ChinookLatencyResult, ChinookLatencyTask, ChinookQueryName, ChinookSystemName } from './tasks.js';

export interface ChinookUrls {
  readonly catalog: string;
  readonly sales: string;
}

export const CHINOOK_QUERIES: Readonly<Record<ChinookQueryName, { readonly label: string; readonly text: string }>> = {
  // sales (local: line → invoice → customer, line → track) → catalog (remote: track → album) → catalog (local: album → artist)
  lines: {
    label: 'invoice lines → invoice → customer, and → track → album (other database) → artist',
    text: `query Lines($n: Int!) {
  invoice_line(order_by: {invoice_line_id: asc}, limit: $n) {
    invoice_line_id unit_price quantity
    invoice { invoice_id invoice_date customer { customer_id first_name last_name country } }
    track { track_id name milliseconds album { album_id title artist { artist_id name } } }
  }
}`,
  },
  // catalog (album → artist, local) → sales (remote array with per-parent order, and a remote aggregate)
  albums: {
    label: 'albums → artist, and their tracks (other database, ordered per album) with tracks_aggregate (count, sum, max)',
    text: `query Albums($n: Int!) {
  album(order_by: {album_id: asc}, limit: $n) {
    album_id title release_year
    artist { artist_id name }
    tracks(order_by: {track_id: asc}) { track_id name milliseconds unit_price }
    tracks_aggregate { aggregate { count sum { milliseconds } max { unit_price } } }
  }
}`,
  },
};

const table = (name: string): { schema: string; name: string } => ({ schema: 'public', name });

function source(name: string, url: string, tables: readonly unknown[]): unknown {
  return { name, kind: 'postgres', configuration: { connection_info: { database_url: url, pool_settings: { max_connections: 10 } } }, tables };
}

/** The split layout's metadata (the subset of fixtures/chinook/split.yaml the scale fixture has). */
export function chinookMetadata(urls: ChinookUrls): unknown {
  const toSales = (type: 'object' | 'array', name: string, mapping: Record<string, string>): unknown =>
    ({ to_source: { relationship_type: type, source: 'sales', table: table(name), field_mapping: mapping } });
  const toCatalog = (type: 'object' | 'array', name: string, mapping: Record<string, string>): unknown =>
    ({ to_source: { relationship_type: type, source: 'catalog', table: table(name), field_mapping: mapping } });
  return {
    version: 3,
    sources: [
      source('catalog', urls.catalog, [
        { table: table('artist'), array_relationships: [{ name: 'albums', using: { foreign_key_constraint_on: { table: table('album'), column: 'artist_id' } } }] },
        {
          table: table('album'),
          object_relationships: [{ name: 'artist', using: { foreign_key_constraint_on: 'artist_id' } }],
          remote_relationships: [{ name: 'tracks', definition: toSales('array', 'track', { album_id: 'album_id' }) }],
        },
        { table: table('genre'), remote_relationships: [{ name: 'tracks', definition: toSales('array', 'track', { genre_id: 'genre_id' }) }] },
        { table: table('media_type') },
      ]),
      source('sales', urls.sales, [
        {
          table: table('track'),
          array_relationships: [{ name: 'invoice_lines', using: { foreign_key_constraint_on: { table: table('invoice_line'), column: 'track_id' } } }],
          remote_relationships: [
            { name: 'album', definition: toCatalog('object', 'album', { album_id: 'album_id' }) },
            { name: 'genre', definition: toCatalog('object', 'genre', { genre_id: 'genre_id' }) },
            { name: 'media_type', definition: toCatalog('object', 'media_type', { media_type_id: 'media_type_id' }) },
          ],
        },
        { table: table('customer'), array_relationships: [{ name: 'invoices', using: { foreign_key_constraint_on: { table: table('invoice'), column: 'customer_id' } } }] },
        {
          table: table('invoice'),
          object_relationships: [{ name: 'customer', using: { foreign_key_constraint_on: 'customer_id' } }],
          array_relationships: [{ name: 'lines', using: { foreign_key_constraint_on: { table: table('invoice_line'), column: 'invoice_id' } } }],
        },
        {
          table: table('invoice_line'),
          object_relationships: [
            { name: 'invoice', using: { foreign_key_constraint_on: 'invoice_id' } },
            { name: 'track', using: { foreign_key_constraint_on: 'track_id' } },
          ],
        },
      ]),
    ],
  };
}

function sameJson(a: string, b: string): boolean {
  return a === b || isDeepStrictEqual(JSON.parse(a), JSON.parse(b));
}

/** One child: both systems open once, then every case in turn (warm-up, equality check, interleaved rounds). */
export async function runChinookLatency(task: ChinookLatencyTask, progress: (m: string) => void): Promise<ChinookLatencyResult[]> {
  const engine = await createEngine({ metadata: chinookMetadata(task.urls), limits: BENCH_LIMITS });
  const handwritten = new ChinookHandwritten(task.urls);
  const systems: Record<ChinookSystemName, (query: ChinookQueryName, n: number) => Promise<string>> = {
    farjoin: async (query, n) => {
      const text = await engine.executeJson({ query: CHINOOK_QUERIES[query].text, variables: { n } });
      if (!text.startsWith('{"data":') || text.includes('"errors":[{"message"', text.length - 4096)) throw new Error(`farjoin (${query}): ${text.slice(0, 300)}`);
      return text;
    },
    handwritten: (query, n) => (query === 'lines' ? handwritten.lines(n) : handwritten.albums(n)),
  };
  const names = Object.keys(systems) as ChinookSystemName[];
  try {
    const out: ChinookLatencyResult[] = [];
    for (const { query, parents, repeat } of task.cases) {
      const responses = new Map<ChinookSystemName, string>();
      for (const name of names) {
        await systems[name](query, Math.min(parents, 100));
        responses.set(name, await systems[name](query, parents));
      }
      const baseline = responses.get('handwritten')!;
      const rows = (JSON.parse(baseline) as { data: Record<string, unknown[]> }).data;
      const timed = await interleave(repeat, Object.fromEntries(names.map((name) => [name, async () => {
        const t = performance.now();
        await systems[name](query, parents);
        return performance.now() - t;
      }])) as Record<ChinookSystemName, () => Promise<number>>);
      const result: ChinookLatencyResult = {
        query,
        parents,
        rows: Object.values(rows)[0]?.length ?? 0,
        systems: names.map((name) => ({
          system: name, timing: timed[name]!, responseBytes: Buffer.byteLength(responses.get(name)!), sameResponse: sameJson(responses.get(name)!, baseline),
        })),
      };
      const [f, h] = result.systems;
      progress(`split store ${query} ${parents} parents (${result.rows} rows): farjoin ${f!.timing.medianMs.toFixed(1)} ms, hand-written ${h!.timing.medianMs.toFixed(1)} ms (${(f!.timing.medianMs / h!.timing.medianMs).toFixed(2)}×)${f!.sameResponse ? '' : ' (DIFFERENT RESPONSE)'}`);
      out.push(result);
    }
    return out;
  } finally {
    await engine.close();
    await handwritten.close();
  }
}
