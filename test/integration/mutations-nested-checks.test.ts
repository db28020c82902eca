/**
 * Insert checks of nested rows see the rows inserted before them (issue 11; Hasura inserts a
 * nested insert's rows statement by statement, in its order: object relationships' rows, the
 * row, then array relationships' rows). A shop's front end places an order with its lines in
 * one nested insert, and the line's check goes through the new order to the customer; farjoin
 * writes every row in one statement, whose subqueries see the tables as they were before it,
 * so that check failed. The checks still refuse what they should.
 */
import { describe, expect, it } from 'vitest';
import { useMutationFixture } from '../helpers/mutations.js';

const tenantFilter = { tenant: { _eq: 'X-Hasura-Tenant-Id' } };
const fixture = useMutationFixture({
  app: {
    author: {
      select_permissions: [{ role: 'writer', permission: { columns: ['id', 'name', 'tenant'], filter: tenantFilter } }],
      insert_permissions: [{ role: 'writer', permission: { columns: ['name', 'tenant'], check: tenantFilter } }],
    },
    article: {
      select_permissions: [{ role: 'writer', permission: { columns: ['id', 'title', 'author_id'], filter: { author: tenantFilter } } }],
      insert_permissions: [{ role: 'writer', permission: { columns: ['title', 'author_id'], check: { author: tenantFilter } } }],
    },
  },
});

const writer = (tenant: number) => ({ 'x-hasura-role': 'writer', 'x-hasura-tenant-id': String(tenant) });

describe("nested rows' insert checks", () => {
  it("an array relationship's rows pass a check through their new parent", async () => {
    const r = await fixture().engine.execute({
      query: 'mutation { insert_author_one(object: {name: "Nina", tenant: 7, articles: {data: [{title: "n-1"}, {title: "n-2"}]}}) { name articles(order_by: {title: asc}) { title } } }',
      headers: writer(7),
    });
    expect(r).toEqual({ data: { insert_author_one: { name: 'Nina', articles: [{ title: 'n-1' }, { title: 'n-2' }] } } });
    expect(await fixture().sql('app', "SELECT ar.title FROM article ar JOIN author au ON au.id = ar.author_id WHERE au.name = 'Nina' ORDER BY 1"))
      .toEqual([{ title: 'n-1' }, { title: 'n-2' }]);
  });

  it("an object relationship's row is seen by the row's own check", async () => {
    const r = await fixture().engine.execute({
      query: 'mutation { insert_article_one(object: {title: "o-1", author: {data: {name: "Omar", tenant: 7}}}) { title } }',
      headers: writer(7),
    });
    expect(r).toEqual({ data: { insert_article_one: { title: 'o-1' } } });
  });

  it('still refuses a row whose parent is not the role\'s, new or existing, and writes nothing', async () => {
    const before = await fixture().sql('app', 'SELECT (SELECT count(*) FROM author)::int AS authors, (SELECT count(*) FROM article)::int AS articles');
    const nested = await fixture().engine.execute({
      query: 'mutation { insert_author_one(object: {name: "Xena", tenant: 8, articles: {data: [{title: "x-1"}]}}) { name } }',
      headers: writer(7),
    });
    expect(nested.errors?.[0]).toMatchObject({ message: 'check constraint of an insert/update permission has failed', extensions: { code: 'permission-error' } });
    // Author 3 belongs to tenant 2.
    const existing = await fixture().engine.execute({ query: 'mutation { insert_article_one(object: {title: "x-2", author_id: 3}) { title } }', headers: writer(7) });
    expect(existing.errors?.[0]?.extensions?.code).toBe('permission-error');
    expect(await fixture().sql('app', 'SELECT (SELECT count(*) FROM author)::int AS authors, (SELECT count(*) FROM article)::int AS articles')).toEqual(before);
  });
});
