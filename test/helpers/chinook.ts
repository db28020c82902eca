/**
 * The Chinook-like store (fixtures/chinook/) on the test servers: `catalog` on `a`,
 * `sales` on `b`, and the `single` layout (both SQL files in one database) on `a` as the
 * differential oracle. The engine serves split.yaml; tests compute expectations with plain
 * SQL on `single`, never with farjoin. `catalog` and `sales` are linked both ways by
 * postgres_fdw, so every query runs under each strategy (helpers/strategies.ts).
 */
import { readFileSync } from 'node:fs';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { readMetadataFile } from '../../runtime/metadata-file.js';
import { packageFile } from '../../runtime/paths.js';
import { createDatabases, type TestDatabase, type TestDatabases } from './databases.js';
import { useFixture } from './lifecycle.js';
import { executeEach, linkAllSources, type StrategyOptions, type StrategyResults } from './strategies.js';

export interface ChinookContext {
  /** farjoin over the split layout (fixtures/chinook/split.yaml). */
  readonly engine: Engine;
  /** The single-database layout: the oracle for plain SQL. */
  readonly single: TestDatabase;
  readonly databases: TestDatabases;
  close(): Promise<void>;
}

export function chinookSql(name: 'catalog' | 'sales'): string {
  return readFileSync(packageFile('fixtures', 'chinook', `${name}.sql`), 'utf8');
}

export async function startChinook(options: Omit<Parameters<typeof createEngine>[0], 'metadata' | 'metadataPath' | 'env'> = {}): Promise<ChinookContext> {
  const catalog = chinookSql('catalog');
  const sales = chinookSql('sales');
  const databases = await createDatabases({
    catalog: { server: 'a', sql: catalog },
    sales: { server: 'b', sql: sales },
    single: { server: 'a', sql: `${catalog}\n${sales}` },
  });
  const env = { ...process.env, CHINOOK_CATALOG_URL: databases.dbs.catalog!.url, CHINOOK_SALES_URL: databases.dbs.sales!.url };
  const metadataPath = packageFile('fixtures', 'chinook', 'split.yaml');
  let engine: Engine;
  try {
    await linkAllSources(await readMetadataFile(metadataPath), env);
    engine = await createEngine({ ...options, metadataPath, env });
  } catch (e) {
    await databases.drop();
    throw e;
  }
  return {
    engine, single: databases.dbs.single!, databases,
    close: async () => {
      await engine.close();
      await databases.drop();
    },
  };
}

/**
 * farjoin on the split layout under every strategy; GraphQL errors fail the case with
 * their message. Compare with `expectSameData`, which checks each strategy's answer.
 */
function farjoinData(ctx: ChinookContext, query: string, variables?: Record<string, unknown>, operationName?: string, options?: StrategyOptions): Promise<StrategyResults> {
  return executeEach(ctx.engine, { query, variables: variables ?? null, ...(operationName ? { operationName } : {}) }, options);
}

type Row = Record<string, any>; // rows from the oracle, checked by comparison

/**
 * The store for one test file (started before its tests, dropped after): `sql` asks the
 * oracle (plain SQL on the single layout), `farjoin` runs a query on the split layout under
 * every strategy.
 */
export function useChinook(): {
  sql(text: string, values?: unknown[]): Promise<Row[]>;
  farjoin(query: string, variables?: Record<string, unknown>, operationName?: string, options?: StrategyOptions): Promise<StrategyResults>;
} {
  const ctx = useFixture(() => startChinook(), (c) => c.close());
  return {
    sql: (text, values) => ctx().single.query(text, values),
    farjoin: (query, variables, operationName, options) => farjoinData(ctx(), query, variables, operationName, options),
  };
}
