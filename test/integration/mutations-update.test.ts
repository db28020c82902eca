/** update_T operators, update_T_by_pk and update_T_many (issue 12), against plain SQL. */
import { describe, expect, it } from 'vitest';
import { useMutationFixture } from '../helpers/mutations.js';

const fixture = useMutationFixture();

describe('update mutations', () => {
  it('_set and _inc on the rows of where; returning shows the new values', async () => {
    const r = await fixture().engine.execute({
      query: 'mutation { update_article(where: {author_id: {_eq: 1}}, _set: {published: true}, _inc: {views: 5}) { affected_rows returning { id views published } } }',
    });
    expect(r.errors).toBeUndefined();
    const rows = await fixture().sql('app', 'SELECT id, views, published FROM article WHERE author_id = 1 ORDER BY id');
    expect(r.data).toEqual({ update_article: { affected_rows: 2, returning: rows } });
    expect(rows).toEqual([{ id: 1, views: 15, published: true }, { id: 2, views: 5, published: true }]);
    expect(await fixture().sql('app', 'SELECT views, published FROM article WHERE id = 3')).toEqual([{ views: 7, published: false }]);
  });

  it('jsonb operators: _append, _prepend, _delete_key, _delete_elem, _delete_at_path', async () => {
    const run = async (args: string): Promise<unknown> => {
      const r = await fixture().engine.execute({ query: `mutation { update_author_by_pk(pk_columns: {id: 1}, ${args}) { info } }` });
      expect(r.errors).toBeUndefined();
      const [row] = await fixture().sql('app', 'SELECT info FROM author WHERE id = 1');
      expect((r.data as { update_author_by_pk: { info: unknown } }).update_author_by_pk.info).toEqual(row!.info);
      return row!.info;
    };
    await fixture().sql('app', `UPDATE author SET info = '{"tags": ["a"], "k": 1, "arr": [1, 2, 3]}' WHERE id = 1`);
    expect(await run('_append: {info: {extra: true}}')).toEqual({ tags: ['a'], k: 1, arr: [1, 2, 3], extra: true });
    expect(await run('_delete_key: {info: "k"}')).toEqual({ tags: ['a'], arr: [1, 2, 3], extra: true });
    expect(await run('_delete_at_path: {info: ["arr", "0"]}')).toEqual({ tags: ['a'], arr: [2, 3], extra: true });
    await fixture().sql('app', `UPDATE author SET info = '[1, 2, 3]' WHERE id = 1`);
    expect(await run('_delete_elem: {info: -1}')).toEqual([1, 2]);
    expect(await run('_prepend: {info: [0]}')).toEqual([0, 1, 2]);
  });

  it('update_T_by_pk answers null for a missing row and writes nothing', async () => {
    const before = await fixture().sql('app', 'SELECT * FROM author ORDER BY id');
    const r = await fixture().engine.execute({ query: 'mutation { update_author_by_pk(pk_columns: {id: 999}, _set: {name: "X"}) { id } }' });
    expect(r).toEqual({ data: { update_author_by_pk: null } });
    expect(await fixture().sql('app', 'SELECT * FROM author ORDER BY id')).toEqual(before);
  });

  it('update_T_many runs its updates in order; each sees the one before', async () => {
    const r = await fixture().engine.execute({
      query: `mutation { update_article_many(updates: [
        {where: {id: {_eq: 3}}, _set: {views: 100}},
        {where: {views: {_gte: 100}}, _inc: {views: 1}},
        {where: {id: {_eq: -1}}, _set: {title: "none"}}
      ]) { affected_rows returning { id views } } }`,
    });
    expect(r).toEqual({ data: { update_article_many: [
      { affected_rows: 1, returning: [{ id: 3, views: 100 }] },
      { affected_rows: 1, returning: [{ id: 3, views: 101 }] },
      { affected_rows: 0, returning: [] },
    ] } });
    expect(await fixture().sql('app', 'SELECT views FROM article WHERE id = 3')).toEqual([{ views: 101 }]);
  });

  it('an update without any operator is refused', async () => {
    const r = await fixture().engine.execute({ query: 'mutation { update_article(where: {}) { affected_rows } }' });
    expect(r.errors?.[0]).toMatchObject({ message: expect.stringMatching(/at least any one of _set, _inc/), extensions: { code: 'validation-failed' } });
  });
});

describe('delete mutations', () => {
  it('delete_T(where) and delete_T_by_pk remove exactly those rows', async () => {
    const r = await fixture().engine.execute({
      query: 'mutation { d: delete_article(where: {title: {_like: "S%"}}) { affected_rows returning { id title author { name } } } one: delete_article_by_pk(id: 3) { id title } none: delete_article_by_pk(id: 3) { id } }',
    });
    expect(r).toEqual({ data: {
      d: { affected_rows: 1, returning: [{ id: 2, title: 'Second', author: { name: 'Ann' } }] },
      one: { id: 3, title: 'Third' },
      none: null,
    } });
    expect(await fixture().sql('app', 'SELECT id FROM article WHERE id IN (2, 3)')).toEqual([]);
    expect((await fixture().sql('app', 'SELECT id FROM article ORDER BY id')).map((x) => x.id)).toContain(1);
  });
});
