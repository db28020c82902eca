/**
 * Graceful shutdown of `farjoin serve` (issue 6): on SIGTERM the server stops accepting,
 * the request in flight completes, the pools close (no farjoin backend is left on the
 * database) and the process exits 0. Runs the built CLI (`npm test` builds first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageFile } from '../../runtime/paths.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';

const SQL = `
CREATE TABLE items (id int PRIMARY KEY);
INSERT INTO items VALUES (1), (2);
CREATE TABLE extra (id int PRIMARY KEY);
INSERT INTO extra VALUES (5);
CREATE FUNCTION nap(seconds float8, v int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(seconds); RETURN v; END $$;
CREATE VIEW napping AS SELECT nap(0.45, 7) AS id;
`;

let databases: TestDatabases;
let dir: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  databases = await createDatabases({ app: { server: 'a', sql: SQL } });
  dir = mkdtempSync(join(tmpdir(), 'farjoin-shutdown-'));
  writeMetadata(['items', 'napping']);
});

function writeMetadata(tables: string[]): void {
  writeFileSync(join(dir, 'metadata.json'), JSON.stringify({
    version: 3,
    sources: [{
      name: 'app', kind: 'postgres',
      configuration: { connection_info: { database_url: { from_env: 'APP_DB_URL' } } },
      tables: tables.map((name) => ({ table: { schema: 'public', name } })),
    }],
  }));
}
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  await databases?.drop();
});

describe('farjoin serve: SIGHUP reloads, SIGTERM shuts down gracefully', () => {
  it('reloads on SIGHUP; on SIGTERM drains the request in flight, closes the pools and exits 0', async () => {
    child = spawn(process.execPath, [packageFile('bin', 'farjoin.js'), 'serve', '--metadata', join(dir, 'metadata.json'), '--port', '0', '--host', '127.0.0.1'], {
      env: { ...process.env, APP_DB_URL: databases.dbs.app!.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const logLines: Record<string, unknown>[] = [];
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const waiters: { msg: string; resolve: (e: Record<string, unknown>) => void }[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logLines.push(entry);
      for (const w of waiters.filter((x) => x.msg === entry.msg)) w.resolve(entry);
    });
    const logged = (msg: string): Promise<Record<string, unknown>> => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${msg}" log line: ${stderr}`)), 20_000);
      waiters.push({ msg, resolve: (e) => { clearTimeout(timer); resolve(e); } });
      void exited.then(() => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const port = (await logged('listening')).port as number;
    const url = `http://127.0.0.1:${port}/v1/graphql`;
    const extra = (): Promise<unknown> =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ extra { id } }"}' }).then((r) => r.json());
    expect(((await extra()) as { errors?: unknown[] }).errors).toBeDefined();
    writeMetadata(['items', 'napping', 'extra']);
    const reloaded = logged('reloaded metadata');
    child.kill('SIGHUP');
    await reloaded;
    expect(await extra()).toEqual({ data: { extra: [{ id: 5 }] } });
    const inFlight = fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ napping { id } }' }) });
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { napping: [{ id: 7 }] } });
    expect(await exited).toBe(0);
    await expect(fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ items { id } }"}' })).rejects.toThrow();
    const request = logLines.find((l) => l.msg === 'request' && Array.isArray(l.steps));
    expect(request).toMatchObject({ method: 'POST', path: '/v1/graphql', status: 200, steps: [expect.objectContaining({ kind: 'fetch', source: 'app' })] });
    // The drain itself is shown above (the in-flight request got its 200 before exit 0); the
    // request's own log line is written when its response finishes, so it may follow this one.
    expect(logLines.slice(-2).map((l) => l.msg)).toContain('stopped: requests drained, pools closed');
    const left = await databases.dbs.app!.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'farjoin'`);
    expect(left[0]!.n).toBe(0);
  });
});
