/**
 * The cost model for filters through remote relationships (compiler/plan/estimate.ts,
 * cost.ts), without a database: selectivity from pg_stats-shaped statistics, and the
 * strategy it picks as the number of matching keys grows — semi-join with an index-driven
 * `= ANY(keys)` for few keys, fdw for many, a hashed key test when there is no fdw link.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { Catalog, ColumnStats, TableCatalog } from '../../compiler/catalog/types.js';
import { createCompiler } from '../../compiler/index.js';
import type { BoolExpIR } from '../../compiler/ir/types.js';
import { resolveMetadata } from '../../compiler/metadata/resolve.js';
import { parseMetadata } from '../../compiler/metadata/parse.js';
import type { TableModel } from '../../compiler/metadata/model.js';
import { distinctAmong, selectivity, tableRows } from '../../compiler/plan/estimate.js';
import { packageFile } from '../../runtime/paths.js';
import { demoCatalog } from '../helpers/catalog.js';

const metadata = parseYaml(readFileSync(packageFile('fixtures', 'demo', 'metadata.yaml'), 'utf8')) as unknown;

/** 101 histogram bounds 1 … 100,001: an evenly spread id. */
const evenIds: ColumnStats = { nullFrac: 0, nDistinct: -1, histogram: Array.from({ length: 101 }, (_, i) => String(1 + i * 1000)) };
const names: ColumnStats = { nullFrac: 0.1, nDistinct: 5000, mostCommon: { values: ['Alice', 'Bob'], freqs: [0.2, 0.05] } };
/** orders.user_id: 10 orders per user, 1% null. */
const userIds: ColumnStats = { nullFrac: 0.01, nDistinct: 100_000, histogram: Array.from({ length: 101 }, (_, i) => String(1 + i * 1000)) };

function withStats(t: TableCatalog, rows: number, stats: Record<string, ColumnStats>, indexed: string[][]): TableCatalog {
  return { ...t, estimatedRows: rows, indexedColumns: indexed, columns: t.columns.map((c) => (stats[c.name] ? { ...c, stats: stats[c.name] } : c)) };
}

/** The demo layout at bench scale: 10^6 orders over 10^5 users, analysed; with or without fdw links. */
function scaled(links: boolean, users = 1e5): Catalog {
  const c = demoCatalog();
  const source = c.sources.source_db!;
  const target = c.sources.target_db!;
  const link = (to: string, name: string) => ({
    target: to, server: `farjoin_${to}`, targetServerVersion: 170010, fetchSize: 10000,
    tables: [{ schema: 'public', name, localSchema: `farjoin_fdw_${to}`, localName: name }],
  });
  return {
    sources: {
      source_db: { ...source, tables: source.tables.map((t) => withStats(t, 1e6, { id: evenIds, user_id: userIds }, [['id'], ['user_id']])), ...(links ? { fdwLinks: [link('target_db', 'user')] } : {}) },
      target_db: { ...target, tables: target.tables.map((t) => withStats(t, users, { id: evenIds, name: names }, [['id']])), ...(links ? { fdwLinks: [link('source_db', 'orders')] } : {}) },
    },
  };
}

function userTable(catalog: Catalog): TableModel {
  const { model } = resolveMetadata(parseMetadata(metadata), catalog);
  const t = model.tables.find((x) => x.name === 'user');
  if (!t) throw new Error('user table');
  return t;
}

const cmp = (t: TableModel, column: string, op: Extract<BoolExpIR, { kind: 'compare' }>['op'], value: unknown): BoolExpIR => {
  const c = t.columns.find((x) => x.name === column);
  if (!c) throw new Error(column);
  return { kind: 'compare', column: c, op, value };
};

describe('row estimates from pg_stats', () => {
  const user = userTable(scaled(false));

  it('reads ranges from the histogram and equality from the most common values', () => {
    expect(tableRows(user)).toEqual({ rows: 1e5, analysed: true });
    expect(selectivity(user, cmp(user, 'id', '_lte', 1001))).toBeCloseTo(0.01, 3);
    expect(selectivity(user, cmp(user, 'id', '_gt', 50_001))).toBeCloseTo(0.5, 3);
    expect(selectivity(user, cmp(user, 'id', '_lt', 0))).toBe(0);
    expect(selectivity(user, cmp(user, 'name', '_eq', 'Alice'))).toBeCloseTo(0.2, 6);
    // The rest is shared evenly among the other distinct values: (1 - 0.1 - 0.25) / 4998.
    expect(selectivity(user, cmp(user, 'name', '_eq', 'Zed'))).toBeCloseTo(0.65 / 4998, 8);
    expect(selectivity(user, cmp(user, 'name', '_is_null', true))).toBeCloseTo(0.1, 6);
    expect(selectivity(user, cmp(user, 'name', '_in', ['Alice', 'Bob']))).toBeCloseTo(0.25, 6);
    // A unique key matches one row.
    expect(selectivity(user, cmp(user, 'id', '_eq', 7))).toBeCloseTo(1e-5, 8);
  });

  it('combines conditions as independent and falls back to Postgres defaults without statistics', () => {
    const both: BoolExpIR = { kind: 'and', items: [cmp(user, 'id', '_lte', 50_001), cmp(user, 'name', '_eq', 'Alice')] };
    expect(selectivity(user, both)).toBeCloseTo(0.1, 3);
    const either: BoolExpIR = { kind: 'or', items: [cmp(user, 'id', '_lte', 50_001), cmp(user, 'name', '_eq', 'Alice')] };
    expect(selectivity(user, either)).toBeCloseTo(0.6, 3);
    expect(selectivity(user, { kind: 'not', item: cmp(user, 'id', '_lte', 50_001) })).toBeCloseTo(0.5, 3);
    expect(selectivity(user, cmp(user, 'name', '_like', '%x%'))).toBe(0.005);

    const bare = userTable(demoCatalog());
    expect(selectivity(bare, cmp(bare, 'name', '_eq', 'Alice'))).toBe(0.005);
    expect(selectivity(bare, cmp(bare, 'name', '_gt', 'M'))).toBeCloseTo(1 / 3, 6);
  });

  it('counts distinct keys among the matching rows', () => {
    expect(distinctAmong(user, user.columns.find((c) => c.name === 'id')!, 500)).toBe(500);
  });
});

describe('cost-based choice between semi-join and fdw for filters by remote fields', () => {
  const linked = createCompiler(metadata, scaled(true));
  const unlinked = createCompiler(metadata, scaled(false));
  const query = (k: number, limit?: number) => `{ orders(where: {user: {id: {_lte: ${k}}}}, order_by: {id: asc}${limit ? `, limit: ${limit}` : ''}) { id } }`;

  function plan(compiler: typeof linked, q: string) {
    const r = compiler.explain({ query: q }, { strategy: 'auto' });
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
    const [join] = r.explain.remoteJoins;
    return { strategy: join!.strategy, reason: join!.reason, sql: r.explain.steps.map((s) => s.sql).join('\n') };
  }

  it('few matching keys: a semi-join whose = ANY(keys) Postgres can estimate and drive an index with', () => {
    const p = plan(linked, query(101, 10_000));
    expect(p.strategy).toBe('semi-join');
    expect(p.reason).toMatch(/estimated 100 matching key\(s\).*cost ≈ semi-join [\d.]+ ms, fdw [\d.]+ ms, so semi-join/);
    expect(p.sql).toContain('("_0"."user_id" IS NOT NULL) AND ("_0"."user_id" = ANY(');
    expect(p.sql).not.toContain('coalesce("_0"."user_id" = ANY(');
  });

  it('many matching keys: fdw, one statement with a hashed subplan', () => {
    const p = plan(linked, query(50_001));
    expect(p.strategy).toBe('fdw');
    expect(p.reason).toMatch(/estimated 50,000 matching key\(s\).*so fdw/);
    expect(p.sql).toContain('coalesce("_0"."user_id" IN (SELECT');
  });

  it('a limit that stops an index-ordered scan early favours fdw sooner', () => {
    expect(plan(linked, query(10_001, 10_000)).strategy).toBe('fdw');
    expect(plan(linked, query(1_001, 10_000)).strategy).toBe('semi-join');
  });

  it('more keys than a semi-join may carry: fdw, whatever else the costs say', () => {
    const big = createCompiler(metadata, scaled(true, 1e6));
    const p = plan(big, query(100_001));
    expect(p.strategy).toBe('fdw');
    expect(p.reason).toMatch(/estimated 1,000,000 matching key\(s\).*more keys than a semi-join may carry \(100,000\)/);
  });

  it('without a link: a semi-join, its key test hashed once the keys are too many to estimate one by one', () => {
    const few = plan(unlinked, query(101));
    expect(few.strategy).toBe('semi-join');
    expect(few.reason).toContain('no postgres_fdw link from source_db to target_db');
    expect(few.sql).toContain('= ANY(');
    expect(few.sql).not.toContain('coalesce("_0"."user_id" = ANY(');
    const many = plan(unlinked, query(50_001));
    expect(many.strategy).toBe('semi-join');
    expect(many.sql).toContain('coalesce("_0"."user_id" = ANY(');
    expect(many.reason).toContain('a hashed = ANY(keys) filter');
  });
});
