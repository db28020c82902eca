/**
 * Crash tests of the two-phase commit (issue 12): `farjoin serve` is killed (SIGKILL, by the
 * test-only hook FARJOIN_TEST_2PC_CRASH) between PREPARE and the first COMMIT PREPARED, and
 * between the first and the second COMMIT PREPARED; both databases are read with SQL, the
 * server is started again on the same state directory, and recovery leaves the request
 * either applied on both databases or on none.
 *
 * Faults after the decision: the last database's connection is lost just before its
 * COMMIT PREPARED (hook `lose-last-commit`). The request answers success (the outcome is
 * commit) and the commit is retried in the background — at once through `farjoin serve`,
 * and with the database unreachable for a while (a TCP proxy in front of it closed) until
 * it is back; when the retries give up, the next metadata reload commits it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageFile } from '../../runtime/paths.js';
import { createEngine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { CapturedLog } from '../helpers/log-capture.js';
import { ACCOUNTS_SQL, APP_SQL, mutationMetadata } from '../helpers/mutations.js';
import { freePort, proxyTo, viaPort } from '../helpers/proxy.js';
import { until } from '../helpers/until.js';

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

const records = (state: string): string[] => {
  try {
    return readdirSync(join(state, '2pc')).filter((f) => f.endsWith('.commit'));
  } catch {
    return [];
  }
};

describe('a COMMIT PREPARED that fails after the decision', () => {
  it('answers success and commits in the background (farjoin serve)', async () => {
    const s = await serve('lose-last-commit');
    try {
      // accounts is written (and committed) first; app's connection is lost before its COMMIT PREPARED.
      expect(await post(s.url, mutation(903))).toEqual({ data: { u: { id: 903 }, a: { id: expect.any(Number) } } });
      expect(await until(async () => (await applied(903)).article, 10_000)).toBe(true);
      expect(await applied(903)).toEqual({ user: true, article: true });
      expect([await prepared('app'), await prepared('accounts')]).toEqual([0, 0]);
      expect(await until(async () => records(join(dir, 'state')).length === 0, 5_000)).toBe(true);
      const logged = s.lines.map((l) => JSON.parse(l) as { msg?: string; twoPhaseCommit?: { source?: string } });
      expect(logged.filter((l) => l.msg === 'COMMIT PREPARED failed after the commit decision; retrying in the background' || l.msg === 'COMMIT PREPARED succeeded on retry').length).toBeGreaterThan(0);
      expect(logged.find((l) => l.msg === 'COMMIT PREPARED succeeded on retry')?.twoPhaseCommit?.source).toBe('app');
    } finally {
      s.child.kill('SIGTERM');
      await s.exited;
    }
  }, 60_000);

  describe('with the database unreachable for a while', () => {
    const hook = process.env.FARJOIN_TEST_2PC_CRASH;
    afterAll(() => {
      if (hook === undefined) delete process.env.FARJOIN_TEST_2PC_CRASH;
      else process.env.FARJOIN_TEST_2PC_CRASH = hook;
    });

    /**
     * Runs mutation `id` on an engine whose app database is reached through a proxy, with
     * app's connection lost before its COMMIT PREPARED and the proxy closed as soon as the
     * request answered (before the first retry); then `body`, then cleans up.
     */
    async function lostCommit(
      id: number, retry: { firstDelayMs: number; maxDelayMs: number; maxAttempts: number },
      body: (t: { proxy: ReturnType<typeof proxyTo>; log: CapturedLog; state: string; engine: Awaited<ReturnType<typeof createEngine>> }) => Promise<void>,
    ): Promise<void> {
      const port = await freePort();
      const proxy = proxyTo(port, new URL(databases.dbs.app!.url));
      await proxy.open();
      const md = mutationMetadata({ ...databases, dbs: { ...databases.dbs, app: { ...databases.dbs.app!, url: viaPort(databases.dbs.app!.url, port) } } });
      const log = new CapturedLog();
      const state = join(dir, `state-${id}`);
      const engine = await createEngine({ metadata: md, stateDir: state, logger: log, twoPhaseCommitRetry: retry });
      try {
        process.env.FARJOIN_TEST_2PC_CRASH = 'lose-last-commit';
        const r = await engine.execute({ query: mutation(id) });
        await proxy.close();
        delete process.env.FARJOIN_TEST_2PC_CRASH;
        expect(r).toEqual({ data: { u: { id }, a: { id: expect.any(Number) } } });
        // The decision stands: accounts committed, app still prepared, the record kept.
        expect(await applied(id)).toEqual({ user: true, article: false });
        expect(await prepared('app')).toBe(1);
        expect(records(state)).toHaveLength(1);
        await body({ proxy, log, state, engine });
      } finally {
        delete process.env.FARJOIN_TEST_2PC_CRASH;
        await proxy.open();
        await engine.close();
        await proxy.close();
      }
    }

    it('keeps retrying until the database is back, then commits and drops the record', async () => {
      await lostCommit(904, { firstDelayMs: 1500, maxDelayMs: 1500, maxAttempts: 40 }, async ({ proxy, log, state }) => {
        expect(await until(async () => log.lines.some((l) => l.level === 'warn' && (l.obj.twoPhaseCommit as { attempt?: number } | undefined)?.attempt === 1), 10_000)).toBe(true);
        expect(await applied(904)).toEqual({ user: true, article: false });
        await proxy.open();
        expect(await until(async () => (await applied(904)).article, 10_000)).toBe(true);
        expect(await prepared('app')).toBe(0);
        expect(await until(async () => records(state).length === 0, 5_000)).toBe(true);
        expect(log.lines.some((l) => l.level === 'info' && l.msg === 'COMMIT PREPARED succeeded on retry')).toBe(true);
      });
    }, 60_000);

    it('when the retries give up, the record stays and the next reload commits', async () => {
      await lostCommit(905, { firstDelayMs: 300, maxDelayMs: 300, maxAttempts: 2 }, async ({ proxy, log, state, engine }) => {
        expect(await until(async () => log.lines.some((l) => l.level === 'error' && /giving up retrying/.test(l.msg ?? '')), 10_000)).toBe(true);
        expect(await applied(905)).toEqual({ user: true, article: false });
        expect(records(state)).toHaveLength(1);
        await proxy.open();
        await engine.reload(); // recovery: the record says commit
        expect(await applied(905)).toEqual({ user: true, article: true });
        expect(await prepared('app')).toBe(0);
        expect(records(state)).toEqual([]);
      });
    }, 60_000);
  });
});
