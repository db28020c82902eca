/**
 * Bad mutation input (issue 12): each gets a clear GraphQL error, and nothing is written —
 * the tables are compared with plain SQL before and after.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { useMutationFixture } from '../helpers/mutations.js';

const fixture = useMutationFixture({}, { limits: { maxMutationRows: 1000 } });
let before: unknown;
const snapshot = async (): Promise<unknown> => [await fixture().sql('app', 'SELECT * FROM author ORDER BY id'), await fixture().sql('app', 'SELECT * FROM article ORDER BY id')];
beforeEach(async () => {
  before = await snapshot();
});

async function fails(query: string, variables?: Record<string, unknown>): Promise<{ message: string; extensions: { code: string; path: string } }> {
  const r = await fixture().engine.execute({ query, ...(variables ? { variables } : {}) });
  expect(r.data ?? undefined).toBeUndefined();
  expect(await snapshot()).toEqual(before);
  return r.errors![0]! as { message: string; extensions: { code: string; path: string } };
}

describe('bad mutation input', () => {
  it('a wrong column', async () => {
    expect(await fails('mutation { insert_article(objects: [{title: "t", author_id: 1, nope: 1}]) { affected_rows } }'))
      .toMatchObject({ message: "field 'nope' not found in type: 'article_insert_input'", extensions: { code: 'validation-failed' } });
  });

  it('a wrong type, in a literal, in a variable, and one only Postgres can tell', async () => {
    expect((await fails('mutation { insert_article(objects: [{title: "t", author_id: "one"}]) { affected_rows } }')).extensions.code).toBe('validation-failed');
    expect((await fails('mutation($o: [article_insert_input!]!) { insert_article(objects: $o) { affected_rows } }', { o: [{ title: 't', author_id: 1.5 }] })).extensions.code).toBe('validation-failed');
    expect(await fails('mutation { insert_author_one(object: {name: "n", score: "lots"}) { id } }'))
      .toMatchObject({ message: expect.stringMatching(/invalid input syntax for type numeric: "lots"/), extensions: { code: 'data-exception' } });
  });

  it('a missing required column', async () => {
    expect(await fails('mutation { insert_article(objects: [{author_id: 1}]) { affected_rows } }'))
      .toMatchObject({ message: expect.stringMatching(/^Not-NULL violation\. null value in column "title"/), extensions: { code: 'constraint-violation' } });
  });

  it('a violated unique key in the middle of a batch writes none of it', async () => {
    expect(await fails('mutation { insert_author(objects: [{name: "a", email: "new@x"}, {name: "b", email: "ann@x"}, {name: "c", email: "new2@x"}]) { affected_rows } }'))
      .toMatchObject({ message: expect.stringMatching(/^Uniqueness violation\. duplicate key value violates unique constraint "author_email_key"/), extensions: { code: 'constraint-violation' } });
  });

  it('an unknown constraint or update column', async () => {
    expect((await fails('mutation { insert_author(objects: [{name: "x"}], on_conflict: {constraint: no_such, update_columns: []}) { affected_rows } }')).extensions.code).toBe('validation-failed');
    expect((await fails('mutation { insert_author(objects: [{name: "x"}], on_conflict: {constraint: author_pkey, update_columns: [nope]}) { affected_rows } }')).extensions.code).toBe('validation-failed');
  });

  it('a huge objects list is refused with the limit named, before any SQL', async () => {
    const objects = Array.from({ length: 1001 }, (_, i) => ({ title: `h${i}`, author_id: 1 }));
    expect(await fails('mutation($o: [article_insert_input!]!) { insert_article(objects: $o) { affected_rows } }', { o: objects }))
      .toMatchObject({ message: expect.stringMatching(/at most 1000 rows \(limits\.maxMutationRows\), this one has 1001/), extensions: { code: 'validation-failed' } });
  });

  it('a filter through a remote relationship, without a postgres_fdw link, is refused before any SQL', async () => {
    expect(await fails('mutation { delete_article(where: {user: {name: {_eq: "Alice"}}}) { affected_rows } }'))
      .toMatchObject({ message: expect.stringMatching(/filters through a remote relationship, which needs a postgres_fdw link/), extensions: { code: 'not-supported' } });
  });

  it('hostile strings are values, stored as given', async () => {
    const title = `'); DROP TABLE article; -- "quoted" \\ $1`;
    const r = await fixture().engine.execute({ query: 'mutation($t: String!) { insert_article_one(object: {title: $t, author_id: 1}) { title } }', variables: { t: title } });
    expect(r).toEqual({ data: { insert_article_one: { title } } });
    expect(await fixture().sql('app', 'SELECT title FROM article WHERE title = $1', [title])).toEqual([{ title }]);
  });
});
