/**
 * The Chinook-like store (fixtures/chinook/) on the test servers: `catalog` on `a`,
 * `sales` on `b`, and the `single` layout (both SQL files in one database) on `a` as the
 * differential oracle. The engine serves split.yaml; tests compute expectations with plain
 * SQL on `single`, never with farjoin.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { packageFile } from '../../runtime/paths.js';
import { createDatabases, type TestDatabase, type TestDatabases } from './databases.js';

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
  const env = { CHINOOK_CATALOG_URL: databases.dbs.catalog!.url, CHINOOK_SALES_URL: databases.dbs.sales!.url };
  let engine: Engine;
  try {
    engine = await createEngine({ ...options, metadataPath: packageFile('fixtures', 'chinook', 'split.yaml'), env: { ...process.env, ...env } });
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

/** farjoin on the split layout; GraphQL errors fail the case with their message. */
export async function farjoinData(ctx: ChinookContext, query: string, variables?: Record<string, unknown>, operationName?: string): Promise<unknown> {
  const r = await ctx.engine.execute({ query, variables: variables ?? null, ...(operationName ? { operationName } : {}) });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data;
}
