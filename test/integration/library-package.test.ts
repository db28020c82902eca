/**
 * `import { createEngine } from 'farjoin'` from ANOTHER package (DESIGN.md §6 "library"):
 * a temporary package whose node_modules/farjoin links to this checkout imports only
 * through the `exports` map — the built JavaScript for Node, the `.d.ts` files for
 * TypeScript — and `farjoin/compiler` compiles a query with no database at all.
 * Uses dist/ (`npm test` builds first).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageFile } from '../../runtime/paths.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';

const run = promisify(execFile);

let databases: TestDatabases;
let dir: string;

const CONSUMER_JS = `
import { createServer } from 'node:http';
import { createEngine, FarjoinError } from 'farjoin';
import { createCompiler, explainText } from 'farjoin/compiler';

const out = {};
const engine = await createEngine({ metadata: JSON.parse(process.env.METADATA), limits: { maxDepth: 5 } });
out.execute = await engine.execute({ query: '{ items(order_by: {id: asc}) { id } }' });

// engine.handler mounted on a plain node:http server
const server = createServer(engine.handler);
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const res = await fetch('http://127.0.0.1:' + server.address().port + '/v1/graphql', {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ items(limit: 1) { id } }' }),
});
out.http = { status: res.status, body: await res.json() };
server.close();
await engine.close();

// the pure compiler alone: a hand-written catalog, no database
const catalog = { sources: { app: { serverVersion: 170000, foreignServers: [], tables: [{
  schema: 'public', name: 'items', kind: 'table', primaryKey: ['id'], uniqueKeys: [], foreignKeys: [], estimatedRows: 2, indexedColumns: [],
  columns: [{ name: 'id', type: { schema: 'pg_catalog', name: 'int4', category: 'N' }, nullable: false, position: 1 }] }] } } };
const metadata = { version: 3, sources: [{ name: 'app', kind: 'postgres', configuration: { connection_info: { database_url: 'postgres://unused' } }, tables: [{ table: { schema: 'public', name: 'items' } }] }] };
const compiled = createCompiler(metadata, catalog).explain({ query: '{ items { id } }' });
out.compiler = compiled.ok ? explainText(compiled.explain) : compiled.errors;
out.errorClass = typeof FarjoinError;
try {
  await import('farjoin/runtime/engine.js');
  out.deepImport = 'allowed';
} catch (e) {
  out.deepImport = e.code;
}
console.log(JSON.stringify(out));
`;

const CONSUMER_TS = `
import { createEngine, type Engine, type EngineOptions, type GraphQLResponse } from 'farjoin';
import { createCompiler, type Plan } from 'farjoin/compiler';

const options: EngineOptions = { metadataPath: 'metadata.yaml', limits: { maxRows: 100, statementTimeoutMs: 1000 } };
export async function main(): Promise<GraphQLResponse> {
  const engine: Engine = await createEngine(options);
  const r = await engine.execute({ query: '{ items { id } }', variables: { a: 1 }, operationName: null, headers: { 'x-hasura-role': 'admin' } });
  await engine.reload();
  await engine.close();
  return r;
}
export type P = Plan;
export const c: typeof createCompiler = createCompiler;
`;

beforeAll(async () => {
  databases = await createDatabases({ app: { server: 'a', sql: 'CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1), (2);' } });
  dir = mkdtempSync(join(tmpdir(), 'farjoin-consumer-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(packageFile(), join(dir, 'node_modules', 'farjoin'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { farjoin: `file:${packageFile()}` } }));
  writeFileSync(join(dir, 'consumer.mjs'), CONSUMER_JS);
  writeFileSync(join(dir, 'consumer.ts'), CONSUMER_TS);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', lib: ['ES2022'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: [] },
    files: ['consumer.ts'],
  }));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await databases?.drop();
});

describe('farjoin as a dependency of another package', () => {
  it('imports createEngine and farjoin/compiler through the exports map and serves queries', async () => {
    const metadata = {
      version: 3,
      sources: [{ name: 'app', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.app!.url } }, tables: [{ table: { schema: 'public', name: 'items' } }] }],
    };
    const { stdout } = await run(process.execPath, ['consumer.mjs'], { cwd: dir, env: { ...process.env, METADATA: JSON.stringify(metadata) } });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out.execute).toEqual({ data: { items: [{ id: 1 }, { id: 2 }] } });
    expect(out.http).toEqual({ status: 200, body: { data: { items: [{ id: 1 }] } } });
    expect(out.compiler).toContain('"public"."items"');
    expect(out.errorClass).toBe('function');
    expect(out.deepImport).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('type-checks against the published .d.ts files', async () => {
    const tsc = packageFile('node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir }).catch((e: { stdout: string; stderr: string }) => e);
    expect(`${result.stdout}${result.stderr}`).toBe('');
  });
});
