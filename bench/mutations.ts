/**
 * The `mutations` family (issue 12, DESIGN.md §7 "mutations ≤ 1.2× hand-written pg in one
 * transaction"), in a bench child: `insert_T(objects)` of 1, 100 and 10,000 rows through
 * `engine.execute`, against hand-written `pg` doing BEGIN; one INSERT … unnest; COMMIT on a
 * pooled client; and the two-phase commit's overhead: one request inserting N rows into
 * each of two databases, against the same two inserts as two one-database requests.
 * Medians over `rounds` (after a warm-up); the tables are emptied between sizes.
 */
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../runtime/engine.js';
import { BENCH_LIMITS, type BenchUrls } from './schema.js';
import { median } from './stats.js';

export interface MutationsTask {
  readonly kind: 'mutations';
  readonly urls: BenchUrls;
  readonly sizes: readonly number[];
  readonly rounds: number;
}

export interface MutationSizeResult {
  readonly rows: number;
  readonly farjoinMs: number;
  readonly handwrittenMs: number;
  /** farjoin / hand-written. */
  readonly ratio: number;
  /** One request writing `rows` rows to each of two databases (two-phase commit). */
  readonly twoDatabasesMs: number;
  /** The same writes as two one-database requests, one after the other. */
  readonly twoRequestsMs: number;
}

export interface MutationsResult {
  readonly sizes: readonly MutationSizeResult[];
}

const TABLE = 'CREATE TABLE IF NOT EXISTS bench_mutation (id int PRIMARY KEY, user_id int, note text NOT NULL)';

export async function runMutations(task: MutationsTask, progress: (m: string) => void): Promise<MutationsResult> {
  const pools = { source: new pg.Pool({ connectionString: task.urls.source, max: 4 }), target: new pg.Pool({ connectionString: task.urls.target, max: 4 }) };
  await Promise.all([pools.source.query(TABLE), pools.target.query(TABLE)]);
  const stateDir = mkdtempSync(join(tmpdir(), 'farjoin-bench-2pc-'));
  const table = { table: { schema: 'public', name: 'bench_mutation' } };
  const engine = await createEngine({
    stateDir, limits: BENCH_LIMITS,
    metadata: { version: 3, sources: [
      { name: 'source_db', kind: 'postgres', configuration: { connection_info: { database_url: task.urls.source } }, tables: [table] },
      { name: 'target_db', kind: 'postgres', configuration: { connection_info: { database_url: task.urls.target } }, tables: [{ ...table, configuration: { custom_name: 'bench_mutation_t' } }] },
    ] },
  });
  let next = 0;
  const rowsOf = (n: number): { id: number; user_id: number; note: string }[] => Array.from({ length: n }, () => { next++; return { id: next, user_id: next % 1000, note: `note ${next}` }; });
  const one = 'mutation($o: [bench_mutation_insert_input!]!) { insert_bench_mutation(objects: $o) { affected_rows } }';
  const two = 'mutation($o: [bench_mutation_insert_input!]!, $t: [bench_mutation_t_insert_input!]!) { a: insert_bench_mutation(objects: $o) { affected_rows } b: insert_bench_mutation_t(objects: $t) { affected_rows } }';
  const oneT = 'mutation($t: [bench_mutation_t_insert_input!]!) { insert_bench_mutation_t(objects: $t) { affected_rows } }';
  const execute = async (query: string, variables: Record<string, unknown>): Promise<void> => {
    const r = await engine.execute({ query, variables });
    if (r.errors) throw new Error(`bench mutation failed: ${JSON.stringify(r.errors)}`);
  };
  const handwritten = async (rows: { id: number; user_id: number; note: string }[]): Promise<void> => {
    const c = await pools.source.connect();
    try {
      await c.query('BEGIN');
      await c.query('INSERT INTO bench_mutation (id, user_id, note) SELECT * FROM unnest($1::int[], $2::int[], $3::text[])', [rows.map((r) => r.id), rows.map((r) => r.user_id), rows.map((r) => r.note)]);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
  };
  const time = async (fn: () => Promise<void>): Promise<number> => {
    const s = performance.now();
    await fn();
    return performance.now() - s;
  };
  const sizes: MutationSizeResult[] = [];
  try {
    for (const n of task.sizes) {
      const rounds = n >= 10_000 ? Math.max(3, Math.ceil(task.rounds / 4)) : task.rounds;
      const samples = { farjoin: [] as number[], handwritten: [] as number[], two: [] as number[], twoRequests: [] as number[] };
      for (let i = 0; i < rounds + 1; i++) {
        // Interleaved, so drift on a shared machine hits every system alike; round 0 warms up.
        const a = rowsOf(n), b = rowsOf(n), c = rowsOf(n), d = rowsOf(n), e = rowsOf(n);
        const f = await time(() => execute(one, { o: a }));
        const h = await time(() => handwritten(b));
        const t = await time(() => execute(two, { o: c, t: d }));
        const r = await time(async () => {
          await execute(one, { o: e });
          await execute(oneT, { t: rowsOf(n) });
        });
        if (i === 0) continue;
        samples.farjoin.push(f);
        samples.handwritten.push(h);
        samples.two.push(t);
        samples.twoRequests.push(r);
      }
      const result: MutationSizeResult = {
        rows: n,
        farjoinMs: median(samples.farjoin),
        handwrittenMs: median(samples.handwritten),
        ratio: median(samples.farjoin) / median(samples.handwritten),
        twoDatabasesMs: median(samples.two),
        twoRequestsMs: median(samples.twoRequests),
      };
      progress(`mutations ${n} rows: farjoin ${result.farjoinMs.toFixed(2)} ms, hand-written ${result.handwrittenMs.toFixed(2)} ms (${result.ratio.toFixed(2)}×); two databases in one request (2PC) ${result.twoDatabasesMs.toFixed(2)} ms, as two requests ${result.twoRequestsMs.toFixed(2)} ms`);
      sizes.push(result);
      await Promise.all([pools.source.query('TRUNCATE bench_mutation'), pools.target.query('TRUNCATE bench_mutation')]);
    }
  } finally {
    await engine.close();
    await Promise.all([pools.source.query('DROP TABLE IF EXISTS bench_mutation'), pools.target.query('DROP TABLE IF EXISTS bench_mutation')]).catch(() => undefined);
    await Promise.all([pools.source.end(), pools.target.end()]);
    rmSync(stateDir, { recursive: true, force: true });
  }
  return { sizes };
}
