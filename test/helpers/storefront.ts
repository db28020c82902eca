/**
 * The storefront fixture (fixtures/storefront, issue 11): a catalog database on server a
 * and an orders database on server b, each with an enum table, joined by remote
 * relationships, exported with `naming_convention: graphql-default`. `edit` changes the
 * metadata before the engine starts (e.g. back to hasura-default, or a namespace), so each
 * test file serves the variant it is about.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { packageFile } from '../../runtime/paths.js';
import { createDatabases, type TestDatabases } from './databases.js';
import { useFixture } from './lifecycle.js';
import { linkAllSources } from './strategies.js';

export interface StorefrontMetadata {
  version: 3;
  sources: { name: string; customization?: Record<string, unknown>; tables: Record<string, unknown>[]; [key: string]: unknown }[];
}

export interface Storefront {
  readonly databases: TestDatabases;
  readonly engine: Engine;
  readonly metadata: StorefrontMetadata;
  readonly env: NodeJS.ProcessEnv;
}

export async function storefrontMetadata(): Promise<StorefrontMetadata> {
  return parseYaml(await readFile(packageFile('fixtures', 'storefront', 'metadata.yaml'), 'utf8')) as StorefrontMetadata;
}

export async function startStorefront(edit: (m: StorefrontMetadata) => void = () => {}, engineEnv: NodeJS.ProcessEnv = {}): Promise<Storefront> {
  const sql = (file: string) => readFile(packageFile('fixtures', 'storefront', file), 'utf8');
  const databases = await createDatabases({ catalog: { server: 'a', sql: await sql('catalog.sql') }, orders: { server: 'b', sql: await sql('orders.sql') } });
  const env = { ...process.env, ...engineEnv, CATALOG_DB_URL: databases.dbs.catalog!.url, ORDERS_DB_URL: databases.dbs.orders!.url };
  const metadata = await storefrontMetadata();
  edit(metadata);
  try {
    await linkAllSources(metadata, env);
    const engine = await createEngine({ metadata, env });
    return { databases, engine, metadata, env };
  } catch (e) {
    await databases.drop();
    throw e;
  }
}

/** The storefront for one test file, closed and dropped after it. */
export function useStorefront(edit?: (m: StorefrontMetadata) => void, engineEnv?: NodeJS.ProcessEnv): () => Storefront {
  return useFixture(() => startStorefront(edit, engineEnv), async ({ databases, engine }) => {
    await engine.close();
    await databases.drop();
  });
}

/** The metadata with hasura-default naming and no enum tables: the surface before issue 11 items 4 and 5. */
export function plainStorefront(m: StorefrontMetadata): void {
  for (const s of m.sources) {
    delete s.customization;
    for (const t of s.tables) delete t.is_enum;
  }
}
