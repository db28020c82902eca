/**
 * Named prepared statements (issue 17, runtime/sources/prepared.ts): a statement sent again
 * is parsed once per connection, each connection keeps at most MAX_PER_CONNECTION of them
 * (the least recently used is deallocated first), and plans stay custom.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { guardedQuery } from '../../runtime/sources/guarded-query.js';
import { CUSTOM_PLANS_OPTION, MAX_PER_CONNECTION, statementName } from '../../runtime/sources/prepared.js';
import { createDatabases } from '../helpers/databases.js';

describe('prepared statements', () => {
  it('prepares each text once per connection, bounded, with custom plans', async () => {
    const databases = await createDatabases({ p: { server: 'a', sql: 'CREATE TABLE t (id int primary key); INSERT INTO t SELECT generate_series(1, 10);' } });
    const { url } = databases.dbs.p!;
    // One connection, so every statement below runs on it.
    const pool = new pg.Pool({ connectionString: url, max: 1, options: CUSTOM_PLANS_OPTION });
    const run = (text: string, values: unknown[]) => guardedQuery<{ n: number }>(pool, url, text, values, { prepare: true });
    const statements = async (): Promise<{ name: string; statement: string }[]> =>
      (await pool.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements ORDER BY prepare_time')).rows;
    try {
      const text = 'SELECT count(*)::int AS n FROM t WHERE id <= $1';
      expect((await run(text, [3])).rows).toEqual([{ n: 3 }]);
      expect((await run(text, [7])).rows).toEqual([{ n: 7 }]);
      expect(await statements()).toEqual([{ name: statementName(text), statement: text }]);
      expect((await pool.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode')).rows[0]!.plan_cache_mode).toBe('force_custom_plan');
      // Past the bound, the least recently used are deallocated: `text` was used last of all, so it stays.
      for (let k = 0; k < MAX_PER_CONNECTION + 5; k++) {
        expect((await run(`SELECT count(*)::int + ${k} AS n FROM t WHERE id <= $1`, [2])).rows).toEqual([{ n: 2 + k }]);
        if (k % 50 === 0) await run(text, [1]);
      }
      const kept = await statements();
      expect(kept).toHaveLength(MAX_PER_CONNECTION);
      expect(kept.map((s) => s.name)).toContain(statementName(text));
      expect(kept.map((s) => s.statement)).not.toContain('SELECT count(*)::int + 0 AS n FROM t WHERE id <= $1');
      expect((await run('SELECT count(*)::int + 0 AS n FROM t WHERE id <= $1', [4])).rows).toEqual([{ n: 4 }]);
    } finally {
      await pool.end();
      await databases.drop();
    }
  });
});
