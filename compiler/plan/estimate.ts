/**
 * Row estimates for the cost model (strategy.ts), from the catalog's statistics: the
 * table's `reltuples` and its columns' `pg_stats` (null fraction, distinct count, most
 * common values, histogram). The rules are Postgres's own, simplified (selfuncs.c):
 * equality from the most common values or an even share of the rest, ranges from the
 * histogram, independence between conditions, and Postgres's defaults where a table was
 * never analysed. Values are the request's own (plans are compiled per value).
 */
import { coversUniqueKey, type ColumnStats } from '../catalog/types.js';
import type { BoolExpIR, CompareOp } from '../ir/types.js';
import type { ColumnModel, TableModel } from '../metadata/model.js';

/** Rows assumed for a table never analysed (`reltuples` = -1). */
export const UNKNOWN_TABLE_ROWS = 1000;
/** Postgres's defaults (selfuncs.h): equality, inequality/range, pattern match. */
const DEFAULT_EQ_SEL = 0.005;
const DEFAULT_INEQ_SEL = 1 / 3;
const DEFAULT_MATCH_SEL = 0.005;
/** Conditions the estimator does not model (relationship filters, jsonb operators). */
const DEFAULT_OTHER_SEL = 0.5;

export interface TableEstimate {
  /** Rows in the table. */
  readonly rows: number;
  /** Whether `rows` comes from statistics (false: the table was never analysed). */
  readonly analysed: boolean;
}

export function tableRows(table: TableModel): TableEstimate {
  const r = table.catalog.estimatedRows;
  return r >= 0 ? { rows: Math.max(1, r), analysed: true } : { rows: UNKNOWN_TABLE_ROWS, analysed: false };
}

/**
 * The fraction of `table`'s rows that satisfy `where` (1 without a filter). `remote`
 * overrides the share of rows a filter through a remote relationship keeps.
 */
export function selectivity(table: TableModel, where: BoolExpIR | undefined, options: { readonly remote?: number } = {}): number {
  if (!where) return 1;
  const sel = (b: BoolExpIR): number => {
    switch (b.kind) {
      case 'and':
        return b.items.reduce((s, item) => s * sel(item), 1);
      case 'or':
        return 1 - b.items.reduce((s, item) => s * (1 - sel(item)), 1);
      case 'not':
        return 1 - sel(b.item);
      case 'root':
        return sel(b.item);
      case 'compare':
        return compareSelectivity(table, b.column, b.op, b.value);
      case 'remote-exists':
        return options.remote ?? DEFAULT_OTHER_SEL;
      default:
        return DEFAULT_OTHER_SEL;
    }
  };
  return clamp(sel(where));
}

function clamp(s: number): number {
  return Number.isFinite(s) ? Math.min(1, Math.max(0, s)) : DEFAULT_OTHER_SEL;
}

/** Distinct values of `column` in the table (Postgres: n_distinct, or a unique key). */
export function distinctValues(table: TableModel, column: ColumnModel): number {
  const { rows } = tableRows(table);
  if (coversUniqueKey(table.catalog, [column.name])) return rows;
  const nd = column.catalog.stats?.nDistinct;
  if (nd === undefined || nd === 0) return Math.max(1, Math.min(rows, 200)); // Postgres's DEFAULT_NUM_DISTINCT
  return Math.max(1, nd > 0 ? nd : -nd * rows);
}

/**
 * Expected distinct values of `column` among `rows` rows drawn from the table (the
 * Cardenas formula Postgres also uses for grouped row counts).
 */
export function distinctAmong(table: TableModel, column: ColumnModel, rows: number): number {
  const total = tableRows(table).rows;
  const d = distinctValues(table, column);
  if (rows >= total) return d;
  if (d >= total) return rows;
  return Math.max(Math.min(rows, 1), d * (1 - (1 - rows / total) ** (total / d)));
}

function compareSelectivity(table: TableModel, column: ColumnModel, op: CompareOp, value: unknown): number {
  const stats = column.catalog.stats;
  const nullFrac = stats?.nullFrac ?? 0;
  switch (op) {
    case '_is_null':
      return value === true ? (stats ? nullFrac : DEFAULT_EQ_SEL) : 1 - nullFrac;
    case '_eq':
      return equality(table, column, value);
    case '_neq':
      return Math.max(0, 1 - nullFrac - equality(table, column, value));
    case '_in':
      return Math.min(1 - nullFrac, list(value).reduce<number>((s, v) => s + equality(table, column, v), 0));
    case '_nin':
      return Math.max(0, 1 - nullFrac - list(value).reduce<number>((s, v) => s + equality(table, column, v), 0));
    case '_gt':
    case '_gte':
      return range(column, value, 'above');
    case '_lt':
    case '_lte':
      return range(column, value, 'below');
    case '_like': case '_ilike': case '_similar': case '_regex': case '_iregex':
      return DEFAULT_MATCH_SEL;
    case '_nlike': case '_nilike': case '_nsimilar': case '_nregex': case '_niregex':
      return 1 - nullFrac - DEFAULT_MATCH_SEL;
    default:
      return DEFAULT_OTHER_SEL;
  }
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function equality(table: TableModel, column: ColumnModel, value: unknown): number {
  const stats = column.catalog.stats;
  const { rows } = tableRows(table);
  if (coversUniqueKey(table.catalog, [column.name])) return 1 / rows;
  if (!stats) return DEFAULT_EQ_SEL;
  const mcv = stats.mostCommon;
  const at = mcv ? mcv.values.findIndex((v) => sameValue(column, v, value)) : -1;
  if (mcv && at >= 0) return mcv.freqs[at] ?? 0;
  const mcvTotal = mcv ? mcv.freqs.reduce((a, b) => a + b, 0) : 0;
  const others = distinctValues(table, column) - (mcv?.values.length ?? 0);
  return Math.max(0, 1 - stats.nullFrac - mcvTotal) / Math.max(1, others);
}

/** A value as something ordered: a number for numbers and dates, else its text. */
function ordinal(column: ColumnModel, value: unknown): number | string | undefined {
  if (value === null || value === undefined || typeof value === 'object') return undefined;
  const category = column.catalog.type.category;
  if (category === 'N') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  if (category === 'D') {
    const t = Date.parse(String(value));
    return Number.isFinite(t) ? t : undefined;
  }
  return String(value);
}

function sameValue(column: ColumnModel, statsText: string, value: unknown): boolean {
  const a = ordinal(column, statsText);
  return a !== undefined && a === ordinal(column, value);
}

/**
 * The fraction of rows above or below `value`: most common values counted exactly, the
 * rest by where `value` falls in the histogram (interpolated within a bucket for numbers).
 */
function range(column: ColumnModel, value: unknown, side: 'above' | 'below'): number {
  const stats = column.catalog.stats;
  const v = ordinal(column, value);
  if (!stats || v === undefined) return DEFAULT_INEQ_SEL;
  const below = (x: number | string | undefined): boolean => x !== undefined && x < v;
  const mcv = stats.mostCommon;
  let mcvTotal = 0;
  let mcvBelow = 0;
  mcv?.values.forEach((text, i) => {
    const f = mcv.freqs[i] ?? 0;
    mcvTotal += f;
    if (below(ordinal(column, text))) mcvBelow += f;
  });
  const rest = Math.max(0, 1 - stats.nullFrac - mcvTotal);
  const bounds = (stats.histogram ?? []).map((t) => ordinal(column, t));
  let fractionBelow = 0.5;
  if (bounds.length >= 2 && bounds.every((b) => b !== undefined)) {
    const b = bounds as (number | string)[];
    const n = b.length - 1;
    if (v <= b[0]!) fractionBelow = 0;
    else if (v >= b[n]!) fractionBelow = 1;
    else {
      let i = 0;
      while (i < n - 1 && b[i + 1]! <= v) i++;
      const lo = b[i]!;
      const hi = b[i + 1]!;
      const within = typeof lo === 'number' && typeof hi === 'number' && typeof v === 'number' && hi > lo ? (v - lo) / (hi - lo) : 0.5;
      fractionBelow = (i + within) / n;
    }
  } else if (!mcv) {
    return DEFAULT_INEQ_SEL;
  }
  const belowAll = mcvBelow + rest * fractionBelow;
  const aboveAll = (mcvTotal - mcvBelow) + rest * (1 - fractionBelow);
  return side === 'below' ? belowAll : aboveAll;
}
