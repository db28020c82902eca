/**
 * Planner statistics in the catalog (runtime/sources/introspect.ts → compiler/plan/
 * estimate.ts): after ANALYZE, a real table's pg_stats reach the columns the cost model
 * compares, and the estimates made from them match what the table holds.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoolExpIR } from '../../compiler/ir/types.js';
import type { ColumnModel, TableModel } from '../../compiler/metadata/model.js';
import { selectivity } from '../../compiler/plan/estimate.js';
import type { SourceCatalog, TableCatalog } from '../../compiler/catalog/types.js';
import { introspect } from '../../runtime/sources/introspect.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';

const SETUP = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE item (
  id int PRIMARY KEY, kind text, price numeric, made date, feeling mood, tags text[], doc jsonb
);
INSERT INTO item
SELECT g, CASE WHEN g % 10 = 0 THEN NULL WHEN g % 2 = 0 THEN 'even' ELSE 'k' || (g % 97) END,
       g / 10.0, DATE '2020-01-01' + g % 365, (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::mood,
       ARRAY['t' || g % 5], jsonb_build_object('g', g)
FROM generate_series(1, 20000) g;
ANALYZE item;
CREATE TABLE never_analysed (id int);
`;

let dbs: TestDatabases;
let catalog: SourceCatalog;
beforeAll(async () => {
  dbs = await createDatabases({ stats: { server: 'a', sql: SETUP } });
  const client = new pg.Client({ connectionString: dbs.dbs.stats!.url });
  await client.connect();
  try {
    catalog = await introspect(client);
  } finally {
    await client.end();
  }
}, 60_000);
afterAll(async () => {
  await dbs?.drop();
});

function tableModel(t: TableCatalog): TableModel {
  return {
    source: 'stats', schema: t.schema, name: t.name, typeName: t.name, catalog: t, path: '$',
    rootFields: { select: t.name, selectByPk: `${t.name}_by_pk`, selectAggregate: `${t.name}_aggregate` },
    columns: t.columns.map((c) => ({ name: c.name, fieldName: c.name, catalog: c })), relationships: [], permissions: [],
  };
}

describe('pg_stats in the catalog', () => {
  it('reads statistics for the scalar columns the cost model compares, not for arrays or json', () => {
    const item = catalog.tables.find((t) => t.name === 'item')!;
    expect(item.estimatedRows).toBe(20000);
    const stats = Object.fromEntries(item.columns.map((c) => [c.name, c.stats]));
    expect(stats.id).toMatchObject({ nullFrac: 0, nDistinct: -1 });
    expect(stats.id!.histogram!.length).toBeGreaterThan(10);
    expect(stats.kind!.nullFrac).toBeCloseTo(0.1, 1);
    expect(stats.kind!.mostCommon!.values[0]).toBe('even');
    expect(stats.made!.histogram ?? stats.made!.mostCommon).toBeDefined();
    expect(stats.feeling!.mostCommon!.values.slice().sort()).toEqual(['happy', 'ok', 'sad']);
    expect(stats.tags).toBeUndefined();
    expect(stats.doc).toBeUndefined();
    expect(catalog.tables.find((t) => t.name === 'never_analysed')!.estimatedRows).toBe(-1);
  });

  it('estimates from them what the table holds', async () => {
    const item = tableModel(catalog.tables.find((t) => t.name === 'item')!);
    const column = (name: string): ColumnModel => item.columns.find((c) => c.name === name)!;
    const cases: { where: BoolExpIR; sql: string }[] = [
      { where: { kind: 'compare', column: column('id'), op: '_lte', value: 5000 }, sql: 'id <= 5000' },
      { where: { kind: 'compare', column: column('kind'), op: '_eq', value: 'even' }, sql: "kind = 'even'" },
      { where: { kind: 'compare', column: column('kind'), op: '_is_null', value: true }, sql: 'kind IS NULL' },
      { where: { kind: 'compare', column: column('price'), op: '_gt', value: 1500 }, sql: 'price > 1500' },
      { where: { kind: 'compare', column: column('made'), op: '_lt', value: '2020-03-01' }, sql: "made < DATE '2020-03-01'" },
      { where: { kind: 'compare', column: column('feeling'), op: '_eq', value: 'ok' }, sql: "feeling = 'ok'" },
    ];
    for (const c of cases) {
      const [row] = await dbs.dbs.stats!.query<{ n: string }>(`SELECT count(*) AS n FROM item WHERE ${c.sql}`);
      const actual = Number(row!.n) / 20000;
      expect(Math.abs(selectivity(item, c.where) - actual), c.sql).toBeLessThan(0.03);
    }
  });
});
