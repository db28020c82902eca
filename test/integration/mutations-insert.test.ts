/** insert_T / insert_T_one (issue 12): rows written, returning columns and local relationships, against plain SQL. */
import { describe, expect, it } from 'vitest';
import { useMutationFixture } from '../helpers/mutations.js';

const fixture = useMutationFixture();

describe('insert mutations', () => {
  it('inserts rows with defaults and returns them with a local relationship', async () => {
    const r = await fixture().engine.execute({
      query: `mutation { insert_article(objects: [{author_id: 2, title: "Fourth"}, {author_id: 1, title: "Fifth", views: 3}]) {
        affected_rows returning { id title views published author { name } } } }`,
    });
    expect(r.errors).toBeUndefined();
    const rows = await fixture().sql('app', `SELECT a.id, a.title, a.views, a.published, au.name FROM article a JOIN author au ON au.id = a.author_id WHERE a.title IN ('Fourth', 'Fifth') ORDER BY a.id`);
    expect(r.data).toEqual({ insert_article: { affected_rows: 2, returning: rows.map((x) => ({ id: x.id, title: x.title, views: x.views, published: x.published, author: { name: x.name } })) } });
    expect(rows.map((x) => x.title)).toEqual(['Fourth', 'Fifth']);
  });

  it('insert_T_one returns the row; jsonb and numeric values go through as values', async () => {
    const r = await fixture().engine.execute({
      query: 'mutation($info: jsonb) { insert_author_one(object: {name: "Dee", email: "dee@x", info: $info, score: "12.50"}) { id name info score rating } }',
      variables: { info: { tags: ['x', 'y'], n: [1, 2] } },
    });
    expect(r.errors).toBeUndefined();
    const [row] = await fixture().sql('app', "SELECT id, name, info, score::text AS score, rating FROM author WHERE email = 'dee@x'");
    expect(r.data).toEqual({ insert_author_one: { id: row!.id, name: 'Dee', info: { tags: ['x', 'y'], n: [1, 2] }, score: 12.5, rating: 0 } });
    expect(row!.score).toBe('12.50');
  });

  it('an empty objects list writes nothing', async () => {
    const before = await fixture().sql('app', 'SELECT count(*)::int AS n FROM article');
    const r = await fixture().engine.execute({ query: 'mutation { insert_article(objects: []) { affected_rows returning { id } } }' });
    expect(r).toEqual({ data: { insert_article: { affected_rows: 0, returning: [] } } });
    expect(await fixture().sql('app', 'SELECT count(*)::int AS n FROM article')).toEqual(before);
  });

  it('many rows in one statement (array parameters), identical to plain SQL', async () => {
    const objects = Array.from({ length: 500 }, (_, i) => ({ author_id: 3, title: `bulk ${i}`, views: i }));
    const r = await fixture().engine.execute({ query: 'mutation($o: [article_insert_input!]!) { insert_article(objects: $o) { affected_rows } }', variables: { o: objects } });
    expect(r).toEqual({ data: { insert_article: { affected_rows: 500 } } });
    const rows = await fixture().sql('app', "SELECT title, views FROM article WHERE title LIKE 'bulk %' ORDER BY views");
    expect(rows).toEqual(objects.map((o) => ({ title: o.title, views: o.views })));
  });

  it('fields run in document order in one transaction: a later failure rolls back the earlier insert', async () => {
    const r = await fixture().engine.execute({
      query: `mutation { a: insert_author_one(object: {name: "Eve", email: "eve@x"}) { id }
        b: insert_author_one(object: {name: "Eve again", email: "eve@x"}) { id } }`,
    });
    expect(r.data).toBeUndefined();
    expect(r.errors?.[0]?.extensions.code).toBe('constraint-violation');
    expect(r.errors?.[0]?.message).toMatch(/^Uniqueness violation\. duplicate key value violates unique constraint "author_email_key"/);
    expect(await fixture().sql('app', "SELECT * FROM author WHERE email = 'eve@x'")).toEqual([]);
  });

  it('the mutation root has Hasura\'s fields and types', async () => {
    const r = await fixture().engine.execute({ query: '{ __type(name: "mutation_root") { fields { name } } }' });
    const names = (r.data as { __type: { fields: { name: string }[] } }).__type.fields.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['insert_article', 'insert_article_one', 'update_article', 'update_article_by_pk', 'update_article_many', 'delete_article', 'delete_article_by_pk', 'insert_user', 'delete_ledger_by_pk']));
    const input = await fixture().engine.execute({ query: '{ __type(name: "author_on_conflict") { inputFields { name type { kind name ofType { name } } } } }' });
    expect(input.data).toEqual({ __type: { inputFields: [
      { name: 'constraint', type: { kind: 'NON_NULL', name: null, ofType: { name: 'author_constraint' } } },
      { name: 'update_columns', type: { kind: 'NON_NULL', name: null, ofType: { name: null } } },
      { name: 'where', type: { kind: 'INPUT_OBJECT', name: 'author_bool_exp', ofType: null } },
    ] } });
    const constraints = await fixture().engine.execute({ query: '{ __type(name: "author_constraint") { enumValues { name } } }' });
    expect(constraints.data).toEqual({ __type: { enumValues: [{ name: 'author_email_key' }, { name: 'author_pkey' }] } });
  });
});
