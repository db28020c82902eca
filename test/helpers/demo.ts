/** The DESIGN.md §2 demo fixture on the test servers: source_db on `a`, target_db on `b`. */
import { readFileSync } from 'node:fs';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { readMetadataFile } from '../../runtime/metadata-file.js';
import { packageFile } from '../../runtime/paths.js';
import { createDatabases, type TestDatabases } from './databases.js';
import { useFixture } from './lifecycle.js';
import { linkAllSources } from './strategies.js';

/** DESIGN.md §2's first example and its documented answer. */
export const EXAMPLE_QUERY = '{ orders(order_by: {id: asc}) { id user_id user { id name } } }';

export const EXAMPLE_ANSWER = {
  data: {
    orders: [
      { id: 1, user_id: 1, user: { id: 1, name: 'Alice' } },
      { id: 2, user_id: 1, user: { id: 1, name: 'Alice' } },
      { id: 3, user_id: 2, user: { id: 2, name: 'Bob' } },
      { id: 4, user_id: 3, user: { id: 3, name: 'Carol' } },
      { id: 5, user_id: null, user: null },
      { id: 6, user_id: 99, user: null },
    ],
  },
};

export interface DemoContext {
  readonly engine: Engine;
  readonly databases: TestDatabases;
  readonly env: Record<string, string>;
  readonly metadataPath: string;
  close(): Promise<void>;
}

export async function startDemo(options: Parameters<typeof createEngine>[0] = {}): Promise<DemoContext> {
  const databases = await createDatabases({
    source_db: { server: 'a', sql: readFileSync(packageFile('fixtures', 'demo', 'source_db.sql'), 'utf8') },
    target_db: { server: 'b', sql: readFileSync(packageFile('fixtures', 'demo', 'target_db.sql'), 'utf8') },
  });
  const env = { SOURCE_DB_URL: databases.dbs.source_db!.url, TARGET_DB_URL: databases.dbs.target_db!.url };
  const metadataPath = packageFile('fixtures', 'demo', 'metadata.yaml');
  const engine = await createEngine({ metadataPath, ...options, env: { ...process.env, ...env } });
  return {
    engine, databases, env, metadataPath,
    close: async () => {
      await engine.close();
      await databases.drop();
    },
  };
}

/**
 * Links the demo databases both ways by postgres_fdw and starts a second engine, which
 * finds the links (`demo.engine` started before them and keeps planning without).
 */
export async function linkedEngine(demo: DemoContext): Promise<Engine> {
  const env = { ...process.env, ...demo.env };
  await linkAllSources(await readMetadataFile(demo.metadataPath), env);
  return createEngine({ metadataPath: demo.metadataPath, env });
}

export interface LinkedDemo {
  readonly demo: DemoContext;
  /** An engine started after the postgres_fdw links (linkedEngine). */
  readonly linked: Engine;
}

/** The demo with a linked engine for one test file: started before its tests, closed after. */
export function useLinkedDemo(timeoutMs?: number): () => LinkedDemo {
  return useFixture(async () => {
    const demo = await startDemo();
    try {
      return { demo, linked: await linkedEngine(demo) };
    } catch (e) {
      await demo.close();
      throw e;
    }
  }, async ({ demo, linked }) => {
    await linked.close();
    await demo.close();
  }, timeoutMs);
}

