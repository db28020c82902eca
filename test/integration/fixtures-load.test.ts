/**
 * The benchmark data generators (fixtures/scale.ts, fixtures/chinook-scale.ts) and their
 * COPY loader (fixtures/copy.ts): deterministic output, every generated row in the
 * database after a load, and values that need escaping in COPY's text format read back
 * unchanged.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinookScaleSpec, generateChinookScale, loadChinookScale } from '../../fixtures/chinook-scale.js';
import { copyColumns } from '../../fixtures/copy.js';
import { generateScaleData, loadScaleData, scaleSpec } from '../../fixtures/scale.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';

let dbs: TestDatabases;
beforeAll(async () => {
  dbs = await createDatabases({ demo: { server: 'a', sql: 'SELECT 1' }, catalog: { server: 'a', sql: 'SELECT 1' }, sales: { server: 'b', sql: 'SELECT 1' } });
}, 60_000);
afterAll(async () => {
  await dbs?.drop();
});

describe('data generators loaded with COPY', () => {
  it('the demo schema at scale: deterministic, every row loaded, both null cases present', async () => {
    const spec = scaleSpec(5000);
    const data = generateScaleData(spec);
    expect(generateScaleData(spec)).toEqual(data);
    await loadScaleData(dbs.dbs.demo!.url, data, ['orders', 'user']);
    const [orders] = await dbs.dbs.demo!.query<{ n: string; nulls: string; dangling: string; sum: string }>(
      'SELECT count(*) AS n, count(*) FILTER (WHERE user_id IS NULL) AS nulls, count(*) FILTER (WHERE user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "user" u WHERE u.id = o.user_id)) AS dangling, sum(user_id) AS sum FROM orders o');
    const generatedNulls = data.orderUserIds.filter((u) => u === null).length;
    expect(Number(orders!.n)).toBe(spec.orders);
    expect(Number(orders!.nulls)).toBe(generatedNulls);
    expect(generatedNulls).toBeGreaterThan(0);
    expect(Number(orders!.dangling)).toBeGreaterThan(0);
    expect(Number(orders!.sum)).toBe(data.orderUserIds.reduce<number>((a, b) => a + (b ?? 0), 0));
    const [users] = await dbs.dbs.demo!.query<{ n: string }>('SELECT count(*) AS n FROM "user"');
    expect(Number(users!.n)).toBe(data.users);
  });

  it('the split music store at scale: every generated row on its side', async () => {
    const data = generateChinookScale(chinookScaleSpec(2000));
    expect(generateChinookScale(chinookScaleSpec(2000))).toEqual(data);
    await loadChinookScale(dbs.dbs.catalog!.url, data, 'catalog');
    await loadChinookScale(dbs.dbs.sales!.url, data, 'sales');
    for (const [side, db] of [['catalog', dbs.dbs.catalog!], ['sales', dbs.dbs.sales!]] as const) {
      for (const table of data[side]) {
        const [row] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM public."${table.name}"`);
        expect(Number(row!.n), `${side}.${table.name}`).toBe(table.columns[0]!.values.length);
      }
    }
  });

  it('escapes what COPY text format would misread', async () => {
    const client = new pg.Client({ connectionString: dbs.dbs.demo!.url });
    await client.connect();
    try {
      await client.query('CREATE TABLE tricky (id int, t text, b boolean)');
      const texts = ['tab\there', 'line\nbreak', 'back\\slash', 'cr\rhere', '\\N', 'plain', null];
      await copyColumns(client, 'public', 'tricky', [
        { name: 'id', values: texts.map((_, i) => i) },
        { name: 't', values: texts },
        { name: 'b', values: texts.map((_, i) => i % 2 === 0) },
      ]);
      const rows = (await client.query<{ t: string | null; b: boolean }>('SELECT t, b FROM tricky ORDER BY id')).rows;
      expect(rows.map((r) => r.t)).toEqual(texts);
      expect(rows.map((r) => r.b)).toEqual(texts.map((_, i) => i % 2 === 0));
    } finally {
      await client.end();
    }
  });
});
