/**
 * Nested inserts through local relationships (issue 12, Hasura's order): an object
 * relationship's row first (its key fills the parent's column), then the row, then the
 * array relationship's rows (the parent's key fills theirs). Checked against plain SQL.
 */
import { describe, expect, it } from 'vitest';
import { useMutationFixture } from '../helpers/mutations.js';

const fixture = useMutationFixture();

describe('nested inserts', () => {
  it('an array relationship: the parent first, its key in every child; affected_rows counts all', async () => {
    const r = await fixture().engine.execute({
      query: 'mutation { insert_author(objects: [{name: "Nest", articles: {data: [{title: "n1"}, {title: "n2", views: 4}]}}, {name: "Bare"}]) { affected_rows returning { name articles(order_by: {title: asc}) { title views } } } }',
    });
    expect(r).toEqual({ data: { insert_author: { affected_rows: 4, returning: [
      { name: 'Nest', articles: [{ title: 'n1', views: 0 }, { title: 'n2', views: 4 }] },
      { name: 'Bare', articles: [] },
    ] } } });
    const rows = await fixture().sql('app', "SELECT ar.title, au.name FROM article ar JOIN author au ON au.id = ar.author_id WHERE ar.title IN ('n1', 'n2') ORDER BY ar.title");
    expect(rows).toEqual([{ title: 'n1', name: 'Nest' }, { title: 'n2', name: 'Nest' }]);
  });

  it('an object relationship: its row first, the parent takes its key; rows without it keep theirs', async () => {
    const r = await fixture().engine.execute({
      query: 'mutation { insert_article(objects: [{title: "o1", author: {data: {name: "Obj"}}}, {title: "o2", author_id: 2}]) { affected_rows returning { title author { name } } } }',
    });
    expect(r).toEqual({ data: { insert_article: { affected_rows: 3, returning: [
      { title: 'o1', author: { name: 'Obj' } },
      { title: 'o2', author: { name: 'Bob' } },
    ] } } });
    expect(await fixture().sql('app', "SELECT au.name FROM article ar JOIN author au ON au.id = ar.author_id WHERE ar.title = 'o1'")).toEqual([{ name: 'Obj' }]);
  });

  it('two levels: object relationship with its own array relationship', async () => {
    const r = await fixture().engine.execute({
      query: 'mutation { insert_article_one(object: {title: "deep", author: {data: {name: "Deep", articles: {data: [{title: "deep sibling"}]}}}}) { title author { name articles(order_by: {title: asc}) { title } } } }',
    });
    expect(r).toEqual({ data: { insert_article_one: { title: 'deep', author: { name: 'Deep', articles: [{ title: 'deep' }, { title: 'deep sibling' }] } } } });
  });

  it('a nested upsert: on_conflict inside the relationship', async () => {
    const r = await fixture().engine.execute({
      query: 'mutation { insert_article_one(object: {title: "up", author: {data: {name: "Ann again", email: "ann@x"}, on_conflict: {constraint: author_email_key, update_columns: [name]}}}) { author { id name } } }',
    });
    expect(r).toEqual({ data: { insert_article_one: { author: { id: 1, name: 'Ann again' } } } });
    expect(await fixture().sql('app', "SELECT count(*)::int AS n FROM author WHERE email = 'ann@x'")).toEqual([{ n: 1 }]);
  });

  it('a failing nested row rolls back the parent', async () => {
    const before = await fixture().sql('app', 'SELECT count(*)::int AS n FROM author');
    const r = await fixture().engine.execute({ query: 'mutation { insert_author_one(object: {name: "Rollback", articles: {data: [{title: null}]}}) { id } }' });
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'constraint-violation' }, message: expect.stringMatching(/^Not-NULL violation\./) });
    expect(await fixture().sql('app', 'SELECT count(*)::int AS n FROM author')).toEqual(before);
  });

  it('the child key of an array relationship cannot be given', async () => {
    const r = await fixture().engine.execute({ query: 'mutation { insert_author_one(object: {name: "K", articles: {data: [{title: "k", author_id: 2}]}}) { id } }' });
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'validation-failed' }, message: expect.stringContaining('author_id') });
  });
});
