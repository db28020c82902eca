/**
 * The cost model for filters through remote relationships (DESIGN.md §5.2): estimated
 * milliseconds of a semi-join and of an fdw pushdown for one filter, from catalog
 * statistics (estimate.ts), the parent's key index, the parent query's limit and the fdw
 * link's fetch size. The constants were measured with `npm run bench` data (10^6 orders
 * over 10^5 users, two PG17 servers on a 2-core machine); only their ratios matter.
 */
import { leadsIndex } from '../catalog/types.js';
import { invariant } from '../errors.js';
import { keyColumn, type TableModel } from '../metadata/model.js';
import type { RemoteOrderTarget, ScanHint } from '../sql/select.js';
import { distinctAmong, distinctValues, selectivity, tableRows } from './estimate.js';
import type { RemoteExists } from './remote-filter.js';

/** One more statement on the critical path (the semi-join runs before its consumer): 0.5 ms measured end to end. */
const STATEMENT_MS = 0.5;
/** Per key through farjoin: json_agg on the target, parse, array parameter, bind (1e5 keys ≈ 200 ms). */
const KEY_THROUGH_FARJOIN_MS = 0.002;
/** Per key of a `= ANY(array)` the parent's planner estimates element by element (1e5 keys ≈ 130 ms of planning). */
const KEY_PLANNED_MS = 0.0013;
/** Per row postgres_fdw fetches into the hashed subplan, beyond its batches' round trips (1e5 rows ≈ 100 ms). */
const FDW_ROW_MS = 0.001;
/** One postgres_fdw batch (`fetch_size` rows): a round trip from the parent's server. */
const FDW_BATCH_MS = 0.3;
/** postgres_fdw's fixed work per remote scan: declare, fetch and close a cursor on the target (0.25 ms less than a semi-join's extra statement, measured on 3 keys). */
const FDW_SCAN_MS = 0.25;
/** Per parent row scanned and tested against the keys: sequentially (10^6 rows ≈ 80 ms) … */
const SCAN_ROW_MS = 0.00008;
/** … or in index order, until a limit stops it (10^5 rows ≈ 40 ms). */
const ORDERED_SCAN_ROW_MS = 0.0004;
/** Per parent row fetched through its key index. */
const INDEX_ROW_MS = 0.0005;
/**
 * Above this many keys the semi-join's test is `coalesce(key = ANY(keys), false)`, which
 * Postgres neither estimates per element nor drives an index with: planning stays O(1)
 * and the array is a hashed filter. Measured: `key = ANY(keys)` is 5–50× faster up to a
 * few thousand keys (index), 3× slower at 10^5 (planning).
 */
export const PLANNED_KEY_TEST_MAX = 10_000;

export type KeyTest = 'planned' | 'hashed';

export interface FilterCost {
  /** Estimated rows of the target that match, and their distinct keys. */
  readonly targetRows: number;
  readonly keys: number;
  readonly semiJoin: { readonly ms: number; readonly keyTest: KeyTest };
  /** Absent without a usable fdw link. */
  readonly fdw?: { readonly ms: number };
  /** The estimates in words, for explain. */
  readonly summary: string;
}

/**
 * `pushdown`: how the target would be read in the parent's statement — through postgres_fdw
 * in batches of `fetchSize` rows, or (Infinity) as a table of the same database; absent
 * when it cannot be. Without `scan` (a filter outside a query's own `where`) the parent is
 * read whole.
 */
export function filterCost(node: RemoteExists, scan: ScanHint | undefined, pushdown: { readonly fetchSize: number } | undefined): FilterCost {
  const target = tableRows(node.target);
  const first = node.mapping[0];
  invariant(first, 'a remote filter has key columns');
  const targetKey = keyColumn(node.target, first.to);
  const parentKey = keyColumn(node.parent, first.from);
  invariant(targetKey && parentKey, 'remote filter key columns exist');
  const targetRows = Math.max(1, target.rows * selectivity(node.target, node.where));
  const keys = Math.max(1, distinctAmong(node.target, targetKey, targetRows));

  const parent = tableRows(node.parent);
  // Rows the parent's own conditions leave (other remote filters counted as passing all).
  const candidates = Math.max(1, parent.rows * selectivity(node.parent, scan?.where, { remote: 1 }));
  const parentPerKey = parent.rows / distinctValues(node.parent, parentKey);
  const matchShare = Math.min(1, (keys * parentPerKey) / parent.rows);
  const early = scan?.limit !== undefined && scan.stopsEarly;
  const scanned = early ? Math.min(candidates, scan.limit! / Math.max(matchShare, 1 / parent.rows)) : candidates;
  const scanMs = scanned * (early && scan.ordered ? ORDERED_SCAN_ROW_MS : SCAN_ROW_MS);

  const keyTest: KeyTest = keys <= PLANNED_KEY_TEST_MAX ? 'planned' : 'hashed';
  const viaIndex = keyTest === 'planned' && leadsIndex(node.parent.catalog, first.from) ? keys * parentPerKey * INDEX_ROW_MS : Infinity;
  const semiMs = STATEMENT_MS + keys * KEY_THROUGH_FARJOIN_MS + (keyTest === 'planned' ? keys * KEY_PLANNED_MS : 0) + Math.min(viaIndex, scanMs);
  const fdwMs = pushdown ? FDW_SCAN_MS + targetRows * (FDW_ROW_MS + FDW_BATCH_MS / Math.max(1, pushdown.fetchSize)) + scanMs : undefined;

  const rows = (e: { rows: number; analysed: boolean }, t: TableModel): string =>
    e.analysed ? `${t.typeName}: ${round(e.rows)} rows` : `${t.typeName}: never analysed, ${round(e.rows)} rows assumed`;
  const summary = `estimated ${round(keys)} matching key(s) from ${round(targetRows)} row(s) of ${rows(target, node.target)}; ${rows(parent, node.parent)}`
    + `${scanned < parent.rows ? `, about ${round(scanned)} to test${early && scanned < candidates ? ' before the limit' : ''}` : ''}`
    + `; cost ≈ semi-join ${ms(semiMs)}${fdwMs !== undefined ? `, fdw ${ms(fdwMs)}` : ''}`;
  return {
    targetRows, keys,
    semiJoin: { ms: semiMs, keyTest },
    ...(fdwMs !== undefined ? { fdw: { ms: fdwMs } } : {}),
    summary,
  };
}

function round(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n >= 10 ? n.toFixed(0) : n.toFixed(1).replace(/\.0$/, '');
}

function ms(n: number): string {
  return n >= 10 ? `${n.toFixed(0)} ms` : `${n.toFixed(2)} ms`;
}

/**
 * What routing a selection's rows through the parent's database (`from`) adds over
 * two-phase, in words for explain: both ship the same keys and read the same target rows
 * (`rowsPerKey` from statistics); fdw adds its remote scan and each row crossing one more
 * connection.
 */
export function fdwSelectionOverhead(target: TableModel, targetKey: string, where: RemoteExists['where'], from: string): string {
  const key = keyColumn(target, targetKey);
  invariant(key, 'remote join key column exists');
  const rowsPerKey = (tableRows(target).rows * selectivity(target, where)) / distinctValues(target, key);
  return `≈ ${round(rowsPerKey)} target row(s) per key by statistics; fdw would add its remote scan (≈ ${ms(FDW_SCAN_MS)}) and ≈ ${round(FDW_ROW_MS * 1000)} µs per row routed through ${from}`;
}


/** What ordering by a remote field costs each way (plan/remote-order.ts against planFdwOrder). */
export interface OrderCost {
  /** (key, rank) pairs the prefetch would ship: every key of the target rows that pass its filter. */
  readonly pairs: number;
  readonly prefetchMs: number;
  /** Absent without a usable fdw link. */
  readonly fdwMs?: number;
  readonly summary: string;
}

/**
 * The prefetch ships one pair per key of the target (the parent's keys are not known
 * before its statement runs); fdw reads only the target rows of the parent's keys, in
 * batches of `fetchSize`. Both join the values by hash in the parent's database.
 */
export function orderCost(target: RemoteOrderTarget, pushdown: { readonly fetchSize: number } | undefined): OrderCost {
  const first = target.mapping[0];
  invariant(first, 'a remote order has key columns');
  const targetKey = keyColumn(target.table, first.to);
  const parentKey = keyColumn(target.parent, first.from);
  invariant(targetKey && parentKey, 'remote order key columns exist');
  const rows = Math.max(1, tableRows(target.table).rows * selectivity(target.table, target.where));
  const pairs = Math.max(1, distinctAmong(target.table, targetKey, rows));
  const parentKeys = distinctValues(target.parent, parentKey);
  const prefetchMs = STATEMENT_MS + pairs * KEY_THROUGH_FARJOIN_MS;
  const read = Math.min(rows, (rows / pairs) * parentKeys);
  // fdw also reads the parent's keys first (an init plan over the parent table).
  const fdwMs = pushdown ? FDW_SCAN_MS + tableRows(target.parent).rows * SCAN_ROW_MS + read * (FDW_ROW_MS + FDW_BATCH_MS / Math.max(1, pushdown.fetchSize)) : undefined;
  const summary = `estimated ${round(pairs)} key(s) of ${target.table.typeName} with a value to order by, ${round(parentKeys)} distinct key(s) in ${target.parent.typeName}; cost ≈ prefetch ${ms(prefetchMs)}${fdwMs !== undefined ? `, fdw ${ms(fdwMs)}` : ''}`;
  return { pairs, prefetchMs, ...(fdwMs !== undefined ? { fdwMs } : {}), summary };
}
