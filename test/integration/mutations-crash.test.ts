/**
 * Crash tests of the two-phase commit (issue 12): `farjoin serve` is killed (SIGKILL, by the
 * test-only hook FARJOIN_TEST_2PC_CRASH) between PREPARE and the first COMMIT PREPARED, and
 * between the first and the second COMMIT PREPARED; both databases are read with SQL, the
 * server is started again on the same state directory, and recovery leaves the request
 * either applied on both databases or on none.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageFile } from '../../runtime/paths.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { ACCOUNTS_SQL, APP_SQL, mutationMetadata } from '../helpers/mutations.js';

let databases: TestDatabases;
let dir: string;
let metadataFile: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  databases = await createDatabases({ app: { server: 'a', sql: APP_SQL }, accounts: { server: 'b', sql: ACCOUNTS_SQL } });
  dir = mkdtempSync(join(tmpdir(), 'farjoin-crash-'));
  metadataFile = join(dir, 'metadata.json');
  writeFileSync(metadataFile, JSON.stringify(mutationMetadata(databases)));
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
  await databases?.drop();
});

/** Starts `farjoin serve` on the shared state directory; resolves with its GraphQL URL and its exit. */
async function serve(crash?: string): Promise<{ url: string; child: ChildProcess; exited: Promise<unknown>; lines: string[] }> {
  const env = { ...process.env, FARJOIN_STATE_DIR: join(dir, 'state'), FARJOIN_TEST_2PC_CRASH: crash ?? '' };
  const child = spawn(process.execPath, [packageFile('bin', 'farjoin.js'), 'serve', '--metadata', metadataFile, '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'], env });
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000);
    void exited.then(() => reject(new Error(`serve exited: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'listening' && entry.port) {
        clearTimeout(timer);
        resolve(entry.port);
      }
    });
  });
  return { url: `http://127.0.0.1:${port}/v1/graphql`, child, exited, lines };
}

async function post(url: string, query: string): Promise<unknown> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return r.json();
}

const q = (db: 'app' | 'accounts', text: string): Promise<Record<string, unknown>[]> => databases.dbs[db]!.query(text);
const prepared = async (db: 'app' | 'accounts'): Promise<number> => (await q(db, 'SELECT count(*)::int AS n FROM pg_prepared_xacts WHERE database = current_database()'))[0]!.n as number;

/** Writes user `id` (accounts, first) and an article for it (app, second) in one request. */
const mutation = (id: number): string => `mutation { u: insert_user_one(object: {id: ${id}, name: "crash ${id}"}) { id } a: insert_article_one(object: {title: "crash ${id}", author_id: 1, user_id: ${id}}) { id } }`;

async function applied(id: number): Promise<{ user: boolean; article: boolean }> {
  return {
    user: (await q('accounts', `SELECT 1 FROM "user" WHERE id = ${id}`)).length === 1,
    article: (await q('app', `SELECT 1 FROM article WHERE user_id = ${id}`)).length === 1,
  };
}

describe('two-phase commit survives a crash', () => {
  it('between PREPARE and the first COMMIT PREPARED: rolled back on both at restart', async () => {
    const s = await serve('after-prepare');
    await expect(post(s.url, mutation(901))).rejects.toThrow();
    expect(await s.exited).toBe('SIGKILL');
    // Both transactions are prepared, neither is visible.
    expect([await prepared('app'), await prepared('accounts')]).toEqual([1, 1]);
    expect(await applied(901)).toEqual({ user: false, article: false });
    const again = await serve();
    try {
      expect([await prepared('app'), await prepared('accounts')]).toEqual([0, 0]);
      expect(await applied(901)).toEqual({ user: false, article: false });
      // The restarted server takes the same request.
      expect(await post(again.url, mutation(901))).toEqual({ data: { u: { id: 901 }, a: { id: expect.any(Number) } } });
      expect(await applied(901)).toEqual({ user: true, article: true });
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  }, 60_000);

  it('between the first and the second COMMIT PREPARED: committed on both at restart', async () => {
    const s = await serve('after-first-commit');
    await expect(post(s.url, mutation(902))).rejects.toThrow();
    expect(await s.exited).toBe('SIGKILL');
    // accounts (first written) committed; app still prepared; the decision is on record.
    expect(await applied(902)).toEqual({ user: true, article: false });
    expect([await prepared('app'), await prepared('accounts')]).toEqual([1, 0]);
    expect(readdirSync(join(dir, 'state', '2pc')).filter((f) => f.endsWith('.commit'))).toHaveLength(1);
    const again = await serve();
    try {
      expect(await applied(902)).toEqual({ user: true, article: true });
      expect([await prepared('app'), await prepared('accounts')]).toEqual([0, 0]);
      expect(readdirSync(join(dir, 'state', '2pc')).filter((f) => f.endsWith('.commit'))).toEqual([]);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  }, 60_000);
});
