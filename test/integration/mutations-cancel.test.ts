/**
 * A request cancelled before its mutations commit (issue 12): the client went away, the
 * time limit, shutdown. The statement running then is cancelled on its server and every
 * transaction rolls back; after the commit has started nothing is undone. Each case reads
 * the databases back with SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../helpers/http.js';
import { trackFunctions, useMutationFixture } from '../helpers/mutations.js';
import { until } from '../helpers/until.js';

/** Called with every statement the engine sends (source, text) — the tests abort from it. */
let onStatement: ((source: string, text: string) => void) | undefined;
const fixture = useMutationFixture({}, { onStatement: (source, text) => onStatement?.(source, text) }, { metadata: trackFunctions });
let http: Listening;
beforeAll(async () => {
  http = await listen(fixture().engine.handler);
});
afterAll(async () => {
  await http?.close();
});

const count = async (db: 'app' | 'accounts', text: string): Promise<number> => (await fixture().sql(db, `SELECT count(*)::int AS n FROM ${text}`))[0]!.n as number;
const prepared = async (): Promise<number> => (await count('app', 'pg_prepared_xacts')) + (await count('accounts', 'pg_prepared_xacts'));
const sleeping = (): Promise<number> => count('app', "pg_stat_activity WHERE state = 'active' AND query LIKE '%slow_bump%' AND pid <> pg_backend_pid()");

/** Runs `query` in-process with a signal that aborts when the statement matching `at` is sent. */
async function abortedAt(query: string, at: (source: string, text: string) => boolean) {
  const controller = new AbortController();
  onStatement = (source, text) => {
    if (at(source, text)) controller.abort();
  };
  try {
    return await fixture().engine.run({ query }, { signal: controller.signal });
  } finally {
    onStatement = undefined;
  }
}

describe('cancelled before the commit', () => {
  it('rolls back every field on one database', async () => {
    const r = await abortedAt(`mutation { a: insert_author_one(object: {name: "cancel one"}) { id }
      b: update_article(where: {id: {_eq: 1}}, _inc: {views: 100}) { affected_rows } }`, (_, text) => /UPDATE/i.test(text));
    expect(r.response.errors?.[0]?.message).toBe('the request was cancelled');
    expect(await count('app', "author WHERE name = 'cancel one'")).toBe(0);
    expect(await fixture().sql('app', 'SELECT views FROM article WHERE id = 1')).toEqual([{ views: 10 }]);
  });

  it('rolls back both databases and prepares nothing', async () => {
    const r = await abortedAt(`mutation { u: insert_user_one(object: {id: 90, name: "cancel two"}) { id }
      a: insert_article_one(object: {title: "cancel two", author_id: 1, user_id: 90}) { id } }`, (source) => source === 'app');
    expect(r.response.errors?.[0]?.message).toBe('the request was cancelled');
    expect(await count('accounts', '"user" WHERE id = 90')).toBe(0);
    expect(await count('app', "article WHERE title = 'cancel two'")).toBe(0);
    expect(await prepared()).toBe(0);
  });

  it('a client that disconnects cancels the running statement on its server and rolls back', async () => {
    const controller = new AbortController();
    const request = fetch(`${http.url}/v1/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, signal: controller.signal,
      body: JSON.stringify({ query: 'mutation { a: insert_author_one(object: {name: "gone"}) { id } b: slow_bump(args: {p_article: 3, p_seconds: 20}) { views } }' }),
    });
    request.catch(() => undefined);
    expect(await until(async () => (await sleeping()) === 1, 10_000)).toBe(true);
    controller.abort();
    // Cancelled on the server well before the 20 s sleep ends, and nothing committed.
    expect(await until(async () => (await sleeping()) === 0, 5_000)).toBe(true);
    expect(await count('app', "author WHERE name = 'gone'")).toBe(0);
    expect(await fixture().sql('app', 'SELECT views FROM article WHERE id = 3')).toEqual([{ views: 7 }]);
    // The engine serves the next request (its connections were not left broken in the pool).
    const next = await fixture().engine.execute({ query: 'mutation { bump_article(args: {p_article: 3}) { views } }' });
    expect(next).toEqual({ data: { bump_article: [{ views: 8 }] } });
  }, 30_000);
});

describe('cancelled after the commit', () => {
  it('keeps what was committed (two databases); only the read after the commit is cancelled', async () => {
    // The remote join under `returning` runs after the commit, on accounts.
    let writes = 0;
    const r = await abortedAt(`mutation { u: insert_user_one(object: {id: 91, name: "kept"}) { id }
      a: insert_article_one(object: {title: "kept", author_id: 1, user_id: 91}) { user { name } } }`, (source, text) => {
      if (/^INSERT|^WITH/i.test(text.trim())) writes++;
      return writes >= 2 && source === 'accounts' && /SELECT/i.test(text) && !/INSERT/i.test(text);
    });
    expect(r.response.errors?.[0]?.message).toBe('the request was cancelled');
    expect(await count('accounts', '"user" WHERE id = 91')).toBe(1);
    expect(await count('app', "article WHERE title = 'kept'")).toBe(1);
    expect(await prepared()).toBe(0);
  });
});
