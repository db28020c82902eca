/**
 * `returning` with local and remote relationships (issue 12): remote ones are joined after
 * the commit by the join core, so they read committed data — also rows the same request
 * wrote to the other database — and the role's select permission applies to them.
 */
import { describe, expect, it } from 'vitest';
import { useMutationFixture } from '../helpers/mutations.js';

const fixture = useMutationFixture({
  app: { article: { select_permissions: [{ role: 'reader', permission: { columns: ['id', 'title', 'user_id'], filter: {} } }],
    insert_permissions: [{ role: 'reader', permission: { columns: ['title', 'author_id', 'user_id'], check: {} } }] } },
  accounts: { user: { select_permissions: [{ role: 'reader', permission: { columns: ['id', 'name'], filter: { id: { _neq: 2 } } } }] } },
});

describe('returning', () => {
  it('selects a remote object relationship, joined after the commit', async () => {
    const statements: string[] = [];
    const r = await fixture().engine.execute({
      query: 'mutation { insert_article(objects: [{title: "r1", author_id: 1, user_id: 3}, {title: "r2", author_id: 2, user_id: null}, {title: "r3", author_id: 2, user_id: 42}]) { affected_rows returning { title author { name } user { id name } } } }',
    });
    void statements;
    expect(r).toEqual({ data: { insert_article: { affected_rows: 3, returning: [
      { title: 'r1', author: { name: 'Ann' }, user: { id: 3, name: 'Carol' } },
      { title: 'r2', author: { name: 'Bob' }, user: null },
      { title: 'r3', author: { name: 'Bob' }, user: null },
    ] } } });
  });

  it('reads a row the same request wrote to the other database (committed before the join)', async () => {
    const r = await fixture().engine.execute({
      query: `mutation { u: insert_user_one(object: {id: 50, name: "Nia"}) { id }
        a: insert_article_one(object: {title: "for Nia", author_id: 1, user_id: 50}) { title user { name articles { title } } } }`,
    });
    expect(r).toEqual({ data: { u: { id: 50 }, a: { title: 'for Nia', user: { name: 'Nia', articles: [{ title: 'for Nia' }] } } } });
  });

  it('update_T_many: one remote join serves every response', async () => {
    const r = await fixture().engine.execute({
      query: 'mutation { update_article_many(updates: [{where: {title: {_eq: "First"}}, _set: {views: 1}}, {where: {title: {_eq: "Second"}}, _set: {views: 2}}]) { returning { title user { name } } } }',
    });
    expect(r).toEqual({ data: { update_article_many: [{ returning: [{ title: 'First', user: { name: 'Alice' } }] }, { returning: [{ title: 'Second', user: { name: 'Bob' } }] }] } });
    const explained = await fixture().engine.explain({ query: 'mutation { update_article_many(updates: [{where: {id: {_eq: 1}}, _set: {views: 1}}, {where: {id: {_eq: 2}}, _set: {views: 2}}]) { returning { user { name } } } }' });
    expect('steps' in explained && explained.steps.map((s) => [s.kind, s.source])).toEqual([['mutation', 'app'], ['remote-join', 'accounts']]);
  });

  it('the role\'s select permission applies to returning, remote rows included', async () => {
    const headers = { 'x-hasura-role': 'reader' };
    const r = await fixture().engine.execute({
      query: 'mutation { insert_article(objects: [{title: "p1", author_id: 1, user_id: 1}, {title: "p2", author_id: 1, user_id: 2}]) { returning { title user { name } } } }', headers,
    });
    // User 2 is outside the reader's filter on "user".
    expect(r).toEqual({ data: { insert_article: { returning: [{ title: 'p1', user: { name: 'Alice' } }, { title: 'p2', user: null }] } } });
    const hidden = await fixture().engine.execute({ query: 'mutation { insert_article_one(object: {title: "p3", author_id: 1}) { views } }', headers });
    expect(hidden.errors?.[0]).toMatchObject({ message: "field 'views' not found in type: 'article'", extensions: { code: 'validation-failed' } });
  });
});
