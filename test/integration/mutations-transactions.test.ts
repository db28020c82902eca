/**
 * Transactions (issue 12): every mutation field of a request on one database in one
 * transaction, in document order; a request that writes to several databases commits on
 * all of them or on none (two-phase commit), and is refused where a server cannot prepare
 * transactions. Each case reads both databases back with plain SQL.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../runtime/embedded/cluster.js';
import { createEngine } from '../../runtime/engine.js';
import { ACCOUNTS_SQL, mutationMetadata, trackFunctions, useMutationFixture } from '../helpers/mutations.js';
import type { TestDatabases } from '../helpers/databases.js';

const stateDir = mkdtempSync(join(tmpdir(), 'farjoin-2pc-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));
const statements: { source: string; text: string }[] = [];
const fixture = useMutationFixture({}, { stateDir, onStatement: (source, text) => statements.push({ source, text }) }, { metadata: trackFunctions });

const snapshot = async (): Promise<unknown> => ({
  authors: await fixture().sql('app', 'SELECT * FROM author ORDER BY id'),
  articles: await fixture().sql('app', 'SELECT * FROM article ORDER BY id'),
  users: await fixture().sql('accounts', 'SELECT * FROM "user" ORDER BY id'),
  ledger: await fixture().sql('accounts', 'SELECT * FROM ledger ORDER BY id'),
});
const prepared = async (): Promise<unknown[]> => [
  ...await fixture().sql('app', 'SELECT gid FROM pg_prepared_xacts WHERE database = current_database()'),
  ...await fixture().sql('accounts', 'SELECT gid FROM pg_prepared_xacts WHERE database = current_database()'),
];

describe('one database', () => {
  it('a later field sees what an earlier one wrote', async () => {
    const r = await fixture().engine.execute({ query: `mutation {
      a: insert_author_one(object: {name: "Tx", email: "tx@x"}) { id }
      b: update_author(where: {email: {_eq: "tx@x"}}, _inc: {rating: 2}) { returning { rating } } }` });
    expect(r).toMatchObject({ data: { b: { returning: [{ rating: 2 }] } } });
  });

  it('a failing field rolls back every field before it, on the same database', async () => {
    const before = await snapshot();
    const r = await fixture().engine.execute({ query: `mutation {
      a: update_article(where: {}, _set: {views: 99}) { affected_rows }
      b: delete_author(where: {}) { affected_rows } }` });
    expect(r.errors?.[0]?.extensions.code).toBe('constraint-violation');
    expect(await snapshot()).toEqual(before);
  });

  it('runs VOLATILE function mutations in the same transaction as table mutations, in document order', async () => {
    statements.length = 0;
    const r = await fixture().engine.execute({ query: `mutation {
      a: insert_article_one(object: {id: 50, title: "fn", author_id: 1}) { views }
      b: bump_article(args: {p_article: 50}) { views }
      c: update_article_by_pk(pk_columns: {id: 50}, _inc: {views: 10}) { views }
      d: bump_article(args: {p_article: 50}) { views } }` });
    // Each field sees what the ones before it wrote.
    expect(r).toEqual({ data: { a: { views: 0 }, b: [{ views: 1 }], c: { views: 11 }, d: [{ views: 12 }] } });
    expect(await fixture().sql('app', 'SELECT views FROM article WHERE id = 50')).toEqual([{ views: 12 }]);
    // One transaction: one BEGIN … COMMIT around the four statements, in document order.
    expect(statements.map((s) => s.source)).toEqual(['app', 'app', 'app', 'app']);
    expect(statements.map((s) => /bump_article/.test(s.text))).toEqual([false, true, false, true]);
    // A field failing after the function rolls the function's write back, and the table mutation's before it.
    const before = await snapshot();
    const failing = await fixture().engine.execute({ query: `mutation {
      a: insert_article_one(object: {id: 51, title: "fn2", author_id: 1}) { id }
      b: bump_article(args: {p_article: 1}) { views }
      c: insert_author_one(object: {name: "dup", email: "ann@x"}) { id } }` });
    expect(failing.errors?.[0]?.extensions.code).toBe('constraint-violation');
    expect(await snapshot()).toEqual(before);
  });
});

describe('several databases', () => {
  it('commits on both with two-phase commit, leaving no prepared transaction and no decision record', async () => {
    statements.length = 0;
    const r = await fixture().engine.execute({ query: `mutation {
      u: insert_user_one(object: {id: 70, name: "Two"}) { id }
      l: insert_ledger_one(object: {user_id: 70, amount: 5}) { amount }
      a: insert_article_one(object: {title: "two dbs", author_id: 1, user_id: 70}) { user { name } } }` });
    expect(r).toEqual({ data: { u: { id: 70 }, l: { amount: 5 }, a: { user: { name: 'Two' } } } });
    expect(await fixture().sql('accounts', 'SELECT name FROM "user" WHERE id = 70')).toEqual([{ name: 'Two' }]);
    expect(await fixture().sql('app', "SELECT user_id FROM article WHERE title = 'two dbs'")).toEqual([{ user_id: 70 }]);
    expect(await prepared()).toEqual([]);
    expect(readdirSync(join(stateDir, '2pc')).filter((f) => f.endsWith('.commit'))).toEqual([]);
    // Statements: the writes, then the remote join after the commit.
    expect(statements.map((s) => s.source)).toEqual(['accounts', 'accounts', 'app', 'accounts']);
  });

  it('a failure on the second database rolls back the first', async () => {
    const before = await snapshot();
    const r = await fixture().engine.execute({ query: `mutation {
      a: insert_article_one(object: {title: "never", author_id: 1}) { id }
      l: insert_ledger_one(object: {user_id: 1, amount: -5}) { id } }` });
    expect(r.errors?.[0]).toMatchObject({ message: expect.stringMatching(/^Check constraint violation\. new row for relation "ledger" violates check constraint/), extensions: { code: 'constraint-violation' } });
    expect(await snapshot()).toEqual(before);
    expect(await prepared()).toEqual([]);
  });

  it('commits a function mutation on one database and table mutations on the other atomically', async () => {
    const r = await fixture().engine.execute({ query: `mutation {
      u: insert_user_one(object: {id: 72, name: "Fn"}) { id }
      a: bump_article(args: {p_article: 2}) { views }
      l: credit(args: {p_user: 72, p_amount: 3}) { user_id amount } }` });
    expect(r).toEqual({ data: { u: { id: 72 }, a: [{ views: 1 }], l: [{ user_id: 72, amount: 3 }] } });
    expect(await fixture().sql('accounts', 'SELECT user_id, amount FROM ledger WHERE user_id = 72')).toEqual([{ user_id: 72, amount: 3 }]);
    expect(await fixture().sql('app', 'SELECT views FROM article WHERE id = 2')).toEqual([{ views: 1 }]);
    expect(await prepared()).toEqual([]);
    // The function failing on one database (ledger's CHECK) rolls back both.
    const before = await snapshot();
    const failing = await fixture().engine.execute({ query: `mutation {
      a: bump_article(args: {p_article: 2}) { views }
      u: insert_user_one(object: {id: 73, name: "Gone"}) { id }
      l: credit(args: {p_user: 73, p_amount: 0}) { id } }` });
    expect(failing.errors?.[0]?.extensions.code).toBe('constraint-violation');
    expect(await snapshot()).toEqual(before);
    expect(await prepared()).toEqual([]);
  });

  it('a failed permission check on one database rolls back both', async () => {
    const before = await snapshot();
    const r = await fixture().engine.execute({ query: `mutation {
      u: insert_user_one(object: {id: 71, name: "Gone"}) { id }
      a: insert_article_one(object: {title: "x", author_id: 999}) { id } }` });
    expect(r.errors?.[0]?.extensions.code).toBe('constraint-violation');
    expect(await snapshot()).toEqual(before);
  });
});

describe('a server that cannot prepare transactions', () => {
  let cluster: EmbeddedCluster | undefined;
  let dbs: TestDatabases | undefined;
  afterAll(async () => {
    await cluster?.stop();
  });

  it('refuses a request that writes to it and another database, before writing anything', async () => {
    cluster = await EmbeddedCluster.start(['noprep'], { maxPreparedTransactions: 0 });
    const url = await cluster.createDatabase('noprep', 'accounts_noprep');
    const pg = (await import('pg')).default;
    const c2 = new pg.Client({ connectionString: url });
    await c2.connect();
    await c2.query(ACCOUNTS_SQL);
    dbs = { dbs: { app: fixture().databases.dbs.app!, accounts: { name: 'accounts_noprep', url, query: async (t, v) => (await c2.query(t, v)).rows } }, drop: async () => undefined };
    const engine = await createEngine({ metadata: mutationMetadata(dbs), stateDir });
    try {
      const before = await fixture().sql('app', 'SELECT count(*)::int AS n FROM article');
      const r = await engine.execute({ query: 'mutation { a: insert_article_one(object: {title: "np", author_id: 1}) { id } u: insert_user_one(object: {id: 80, name: "np"}) { id } }' });
      expect(r.errors?.[0]?.extensions.code).toBe('not-supported');
      expect(r.errors?.[0]?.message).toMatch(/"accounts" cannot prepare transactions \(max_prepared_transactions = 0\); set max_prepared_transactions/);
      expect(await fixture().sql('app', 'SELECT count(*)::int AS n FROM article')).toEqual(before);
      expect((await c2.query('SELECT count(*)::int AS n FROM "user" WHERE id = 80')).rows).toEqual([{ n: 0 }]);
      // One database alone needs no two-phase commit.
      const one = await engine.execute({ query: 'mutation { insert_user_one(object: {id: 81, name: "one"}) { id } }' });
      expect(one).toEqual({ data: { insert_user_one: { id: 81 } } });
    } finally {
      await engine.close();
      await c2.end();
    }
  }, 60_000);
});
