/**
 * Computed fields, tracked functions and remote relationships from function rows end to
 * end through `farjoin serve` (issue 11 item 6): the blog metadata in a file, the built CLI
 * (`npm test` builds first), requests over HTTP with Hasura's role headers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageFile } from '../../runtime/paths.js';
import { BLOG_SQL, ENGAGE_SQL, blogMetadata } from '../helpers/blog.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';

let databases: TestDatabases;
let dir: string;
let child: ChildProcess | undefined;
let url = '';

beforeAll(async () => {
  databases = await createDatabases({ blog: { server: 'a', sql: BLOG_SQL }, engage: { server: 'b', sql: ENGAGE_SQL } });
  dir = mkdtempSync(join(tmpdir(), 'farjoin-functions-'));
  const file = join(dir, 'metadata.json');
  writeFileSync(file, JSON.stringify(blogMetadata({ blog: databases.dbs.blog!.url, engage: databases.dbs.engage!.url })));
  child = spawn(process.execPath, [packageFile('bin', 'farjoin.js'), 'serve', '--metadata', file, '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000);
    child!.once('exit', () => reject(new Error(`serve exited: ${stderr}`)));
    createInterface({ input: child!.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'listening' && entry.port) {
        clearTimeout(timer);
        resolve(entry.port);
      }
    });
  });
  url = `http://127.0.0.1:${port}/v1/graphql`;
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  await databases?.drop();
});

async function post(query: string, headers: Record<string, string> = {}): Promise<unknown> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return r.json();
}

describe('farjoin serve with computed fields and functions', () => {
  it('answers a function with computed fields and a remote relationship, as a role', async () => {
    const r = await post('{ search_articles(args: {search: "comp"}, order_by: {id: asc}) { id liked_by_me author { full_name } comments { body } } }', { 'x-hasura-role': 'reader', 'x-hasura-user-id': '11' });
    // reader sees published articles only (5 "Compilers" is not)
    expect(r).toEqual({ data: { search_articles: [
      { id: 3, liked_by_me: true, author: { full_name: 'Alan Turing' }, comments: [{ body: 'classic' }] },
      { id: 4, liked_by_me: true, author: { full_name: 'Alan Turing' }, comments: [] },
    ] } });
  });

  it('runs a VOLATILE function as a mutation', async () => {
    const r = await post('mutation { like_article(args: {article_id: 1}) { article_id user_id } }', { 'x-hasura-role': 'member', 'x-hasura-user-id': '13' });
    expect(r).toEqual({ data: { like_article: [{ article_id: 1, user_id: 13 }] } });
    expect(await databases.dbs.blog!.query('SELECT count(*)::int AS n FROM article_like WHERE user_id = 13')).toEqual([{ n: 1 }]);
  });
});
