/**
 * Permissions in Hasura's full syntax (issue 11 item 2): implicit `_eq`, `$`-operators,
 * column comparisons (`_ceq … _clte`, `["$", col]`), `_exists`, `_in` with a session
 * variable holding a Postgres array literal, filters through local relationships and
 * through remote relationships at any depth (the target's own permission applies). Every
 * answer is checked against plain SQL under the same filter, under every strategy; session
 * variables keep failing closed.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { useFixture } from '../helpers/lifecycle.js';
import { executeEach, linkAllSources } from '../helpers/strategies.js';

const APP = `
CREATE TABLE org (id int PRIMARY KEY, name text NOT NULL, tier text NOT NULL);
CREATE TABLE author (id int PRIMARY KEY, name text NOT NULL, is_published boolean NOT NULL, manager_id int, org_id int);
CREATE TABLE article (id int PRIMARY KEY, author_id int REFERENCES author(id), title text NOT NULL, is_published boolean NOT NULL,
                      editor_id int, created_year int NOT NULL, updated_year int NOT NULL);
INSERT INTO org VALUES (1, 'Acme', 'gold'), (2, 'Bits', 'silver'), (3, 'Core', 'gold');
INSERT INTO author VALUES (1, 'Ann', true, NULL, 1), (2, 'Bob', false, 1, 1), (3, 'Cyd', true, 1, 2), (4, 'Dee', true, 3, 3);
INSERT INTO article VALUES
  (10, 1, 'a10', true, 1, 2019, 2019), (11, 1, 'a11', false, 2, 2019, 2021), (12, 2, 'a12', true, 1, 2020, 2020),
  (13, 2, 'a13', false, 2, 2018, 2022), (14, 3, 'a14', true, 1, 2021, 2023), (15, 3, 'a15', true, 3, 2022, 2022),
  (16, 4, 'a16', false, 3, 2020, 2024), (17, 4, 'a17', true, 4, 2023, 2023), (18, NULL, 'a18', true, NULL, 2017, 2017);
CREATE TABLE profile (id int PRIMARY KEY, traits jsonb NOT NULL);
INSERT INTO profile VALUES (1, '{"age": 7, "name": "x"}'), (2, '{"name": "y"}'), (3, '{"age": 3, "city": "z"}'), (4, '{"city": "w"}');
`;
const CRM = `
CREATE TABLE account (id int PRIMARY KEY, author_id int, org_id int, plan text NOT NULL, active boolean NOT NULL);
INSERT INTO account VALUES (100, 1, 1, 'pro', true), (101, 2, 1, 'pro', false), (102, 3, 2, 'free', true), (103, 3, 3, 'pro', true),
  (104, 4, 2, 'pro', true), (105, NULL, 1, 'pro', true);
`;

type Filter = Record<string, unknown>;
const ALL = ['id', 'author_id', 'title', 'is_published', 'editor_id', 'created_year', 'updated_year'];

/** Each role's article filter, with the SQL that selects the same rows (app database; `$crm` rows come from the other one). */
const ARTICLE_ROLES: Record<string, Filter> = {
  implicit: { author_id: 'X-Hasura-User-Id', is_published: true },
  dollar: { $or: [{ author_id: { $eq: 'X-Hasura-User-Id' } }, { $and: [{ is_published: { $eq: true } }, { created_year: { $gte: 2021 } }] }], $not: { id: { $in: [17] } } },
  columns: { _or: [{ updated_year: { _cgt: 'created_year' } }, { editor_id: { _ceq: ['author_id'] } }] },
  rooted: { author: { manager_id: { _ceq: ['$', 'editor_id'] } } },
  rooted_both: { updated_year: { $cgte: 'created_year' }, author: { _or: [{ id: { _cne: ['$', 'editor_id'] } }, { manager_id: { _clte: ['$', 'author_id'] } }] } },
  exists: { _exists: { _table: { schema: 'public', name: 'author' }, _where: { id: { _eq: 'X-Hasura-User-Id' }, is_published: true } }, is_published: true },
  exists_named: { $exists: { _table: 'org', _where: { tier: 'X-Hasura-Tier' } }, author_id: { _lt: 3 } },
  in_array: { id: { _in: 'X-Hasura-Article-Ids' } },
  nin_array: { author_id: { _nin: 'X-Hasura-Author-Ids' } },
  local: { author: { org_id: { _eq: 'X-Hasura-Org-Id' }, is_published: true } },
  remote: { author: { accounts: { plan: { _eq: 'pro' } } } },
  remote_deep: { author: { accounts: { org: { tier: { _eq: 'gold' } } } } },
};

const EXPECTED_SQL: Record<string, string> = {
  implicit: 'SELECT id FROM article WHERE author_id = 1 AND is_published',
  dollar: 'SELECT id FROM article WHERE (author_id = 1 OR (is_published AND created_year >= 2021)) AND NOT id IN (17)',
  columns: 'SELECT id FROM article WHERE updated_year > created_year OR editor_id = author_id',
  rooted: 'SELECT a.id FROM article a WHERE EXISTS (SELECT 1 FROM author w WHERE w.id = a.author_id AND w.manager_id = a.editor_id)',
  rooted_both: 'SELECT a.id FROM article a WHERE a.updated_year >= a.created_year AND EXISTS (SELECT 1 FROM author w WHERE w.id = a.author_id AND (w.id <> a.editor_id OR w.manager_id <= a.author_id))',
  exists: 'SELECT id FROM article WHERE is_published AND EXISTS (SELECT 1 FROM author WHERE id = 1 AND is_published)',
  exists_named: "SELECT id FROM article WHERE author_id < 3 AND EXISTS (SELECT 1 FROM org WHERE tier = 'gold')",
  in_array: 'SELECT id FROM article WHERE id = ANY(\'{10,12,16,99}\'::int[])',
  nin_array: 'SELECT id FROM article WHERE author_id <> ALL(\'{1,3}\'::int[])',
  local: 'SELECT a.id FROM article a JOIN author w ON w.id = a.author_id WHERE w.org_id = 1 AND w.is_published',
};

const session = { 'x-hasura-user-id': '1', 'x-hasura-org-id': '1', 'x-hasura-tier': 'gold', 'x-hasura-article-ids': '{10,12,16,99}', 'x-hasura-author-ids': '{1,3}' };
const as = (role: string, vars: Record<string, string> = {}) => ({ 'x-hasura-role': role, ...session, ...vars });

const fixture = useFixture<{ databases: TestDatabases; engine: Engine }>(async () => {
  const databases = await createDatabases({ app: { server: 'a', sql: APP }, crm: { server: 'b', sql: CRM } });
  const roles = Object.keys(ARTICLE_ROLES);
  const everyRole = (filter: Filter, columns: string[] | '*' = '*') => roles.map((role) => ({ role, permission: { columns, filter } }));
  const metadata = {
    version: 3,
    sources: [
      { name: 'app', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.app!.url } }, tables: [
        { table: { schema: 'public', name: 'org' }, select_permissions: everyRole({}) },
        { table: { schema: 'public', name: 'author' },
          array_relationships: [{ name: 'articles', using: { foreign_key_constraint_on: { table: { schema: 'public', name: 'article' }, column: 'author_id' } } }],
          remote_relationships: [{ name: 'accounts', definition: { to_source: { relationship_type: 'array', source: 'crm', table: { schema: 'public', name: 'account' }, field_mapping: { id: 'author_id' } } } }],
          select_permissions: everyRole({}) },
        // jsonb key operators with the whole key list in one session variable (an array literal).
        { table: { schema: 'public', name: 'profile' }, select_permissions: [
          { role: 'keys_any', permission: { columns: ['id'], filter: { traits: { _has_keys_any: 'X-Hasura-Trait-Keys' } } } },
          { role: 'keys_all', permission: { columns: ['id'], filter: { traits: { $has_keys_all: 'X-Hasura-Trait-Keys' } } } },
        ] },
        { table: { schema: 'public', name: 'article' },
          object_relationships: [{ name: 'author', using: { foreign_key_constraint_on: 'author_id' } }],
          select_permissions: roles.map((role) => ({ role, permission: { columns: ALL, filter: ARTICLE_ROLES[role] } })) },
      ] },
      { name: 'crm', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.crm!.url } }, tables: [
        { table: { schema: 'public', name: 'account' },
          remote_relationships: [
            { name: 'org', definition: { to_source: { relationship_type: 'object', source: 'app', table: { schema: 'public', name: 'org' }, field_mapping: { org_id: 'id' } } } },
            { name: 'owner', definition: { to_source: { relationship_type: 'object', source: 'app', table: { schema: 'public', name: 'author' }, field_mapping: { author_id: 'id' } } } },
          ],
          // The target's own permission applies through remote relationships: inactive accounts never count.
          select_permissions: everyRole({ active: true }) },
      ] },
    ],
  };
  await linkAllSources(metadata);
  const engine = await createEngine({ metadata });
  return { databases, engine };
}, async ({ databases, engine }) => {
  await engine.close();
  await databases.drop();
});

const app = (text: string) => fixture().databases.dbs.app!.query(text);
const crm = (text: string) => fixture().databases.dbs.crm!.query(text);

async function articleIds(role: string, vars: Record<string, string> = {}): Promise<number[]> {
  const data = (await executeEach(fixture().engine, { query: '{ article(order_by: {id: asc}) { id } }', headers: as(role, vars) })).same() as { article: { id: number }[] };
  return data.article.map((a) => a.id);
}
const ids = (rows: Record<string, unknown>[]) => rows.map((r) => r.id as number).sort((a, b) => a - b);

describe('Hasura permission syntax, checked against plain SQL', () => {
  for (const [role, text] of Object.entries(EXPECTED_SQL)) {
    it(`${role}: ${JSON.stringify(ARTICLE_ROLES[role])}`, async () => {
      const expected = ids(await app(text));
      expect(expected.length).toBeGreaterThan(0);
      expect(await articleIds(role)).toEqual(expected);
    });
  }
});

describe('filters through remote relationships, with the target\'s own permission', () => {
  /** Authors with an active account (the account permission) matching `accept`. */
  async function authorsWith(accept: (a: Record<string, unknown>) => Promise<boolean> | boolean): Promise<Set<number>> {
    const out = new Set<number>();
    for (const a of await crm('SELECT * FROM account WHERE active')) if (a.author_id !== null && await accept(a)) out.add(a.author_id as number);
    return out;
  }

  it('one remote level behind a local relationship (article → author → accounts)', async () => {
    const authors = await authorsWith((a) => a.plan === 'pro');
    const expected = ids((await app('SELECT id, author_id FROM article')).filter((r) => authors.has(r.author_id as number)));
    expect(expected).not.toEqual(ids(await app('SELECT id FROM article WHERE author_id IN (1, 2, 3, 4)'))); // the permission on account matters
    expect(await articleIds('remote')).toEqual(expected);
  });

  it('two remote levels, back into the first database (article → author → accounts → org)', async () => {
    const gold = new Set(ids(await app("SELECT id FROM org WHERE tier = 'gold'")));
    const authors = await authorsWith((a) => gold.has(a.org_id as number));
    const expected = ids((await app('SELECT id, author_id FROM article')).filter((r) => authors.has(r.author_id as number)));
    expect(await articleIds('remote_deep')).toEqual(expected);
  });

  it('a where through two remote levels, as admin (no permission, inactive accounts count)', async () => {
    const gold = new Set(ids(await app("SELECT id FROM org WHERE tier = 'gold'")));
    const authors = new Set((await crm('SELECT * FROM account')).filter((a) => a.author_id !== null && gold.has(a.org_id as number)).map((a) => a.author_id as number));
    const expected = ids((await app('SELECT id, author_id FROM article')).filter((r) => authors.has(r.author_id as number)));
    const data = (await executeEach(fixture().engine, { query: '{ article(order_by: {id: asc}, where: {author: {accounts: {org: {tier: {_eq: "gold"}}}}}) { id } }' })).same() as { article: { id: number }[] };
    expect(data.article.map((a) => a.id)).toEqual(expected);
  });

  it('a permission through remote relationships applies inside a remote join and a local relationship', async () => {
    const authors = await authorsWith((a) => a.plan === 'pro');
    const articles = await app('SELECT id, author_id FROM article ORDER BY id');
    const visible = (authorId: unknown) => articles.filter((r) => r.author_id === authorId && authors.has(r.author_id as number)).map((r) => ({ id: r.id }));
    const accounts = await crm('SELECT id, author_id FROM account WHERE active ORDER BY id');
    const data = (await executeEach(fixture().engine, {
      query: '{ account(order_by: {id: asc}) { id owner { id articles(order_by: {id: asc}) { id } } } }', headers: as('remote'),
    })).same();
    expect(data).toEqual({ account: accounts.map((a) => ({ id: a.id, owner: a.author_id === null ? null : { id: a.author_id, articles: visible(a.author_id) } })) });
  });
});

describe('session variables keep failing closed', () => {
  it('a missing variable is an error, never an unfiltered answer', async () => {
    const r = await fixture().engine.execute({ query: '{ article { id } }', headers: { 'x-hasura-role': 'implicit' } });
    expect(r.data ?? null).toBeNull();
    expect(r.errors?.[0]?.message).toContain('x-hasura-user-id');
  });

  it('an array literal that does not cast names the variable; a JSON array is not an array literal', async () => {
    for (const bad of ['{10,x}', '[10,12]', '10) OR (true']) {
      const r = await fixture().engine.execute({ query: '{ article { id } }', headers: as('in_array', { 'x-hasura-article-ids': bad }) });
      expect(r.data?.article ?? null).toBeNull();
      expect(r.errors?.[0]?.extensions.code, bad).toMatch(/invalid-session-value|data-exception/);
    }
  });

  it('_has_keys_any and _has_keys_all read a session variable holding a Postgres array literal', async () => {
    const profiles = async (role: string, keys: string) => {
      const data = (await executeEach(fixture().engine, { query: '{ profile(order_by: {id: asc}) { id } }', headers: as(role, { 'x-hasura-trait-keys': keys }) })).same() as { profile: { id: number }[] };
      return data.profile.map((p) => p.id);
    };
    for (const keys of ['{age}', '{age,city}', '{}']) {
      const any = ids(await fixture().databases.dbs.app!.query('SELECT id FROM profile WHERE traits ?| $1::text[]', [keys]));
      const all = ids(await fixture().databases.dbs.app!.query('SELECT id FROM profile WHERE traits ?& $1::text[]', [keys]));
      expect(await profiles('keys_any', keys), keys).toEqual(any);
      expect(await profiles('keys_all', keys), keys).toEqual(all);
    }
    // Not the one key "{age}": the literal is a list.
    expect(await profiles('keys_any', '{age}')).toEqual([1, 3]);
    expect(await profiles('keys_all', '{age,city}')).toEqual([3]);
  });

  it('an empty array literal matches nothing with _in and everything with _nin', async () => {
    expect(await articleIds('in_array', { 'x-hasura-article-ids': '{}' })).toEqual([]);
    // `<> ALL('{}')` is true for every row, a null author_id too (as Hasura's NOT IN).
    expect(await articleIds('nin_array', { 'x-hasura-author-ids': '{}' })).toEqual(ids(await app("SELECT id FROM article WHERE author_id <> ALL('{}'::int[])")));
  });
});
