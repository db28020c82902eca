/**
 * Remote relationships from the rows a tracked function returns, from the rows of a table
 * computed field, and from a tracked view (issue 11 item 6), under every strategy
 * (helpers/strategies.ts): selections, aggregates, filters and ordering through the remote
 * relationship `comments` (blog → engage). Expected answers join the two databases' own
 * answers in the test.
 */
import { describe, expect, it } from 'vitest';
import { useBlog } from '../helpers/blog.js';
import { executeEach } from '../helpers/strategies.js';

const fixture = useBlog();

async function each(query: string, headers: Record<string, string> = {}, options: { remoteOrder?: boolean } = {}) {
  const results = await executeEach(fixture().engine, { query, headers, variables: null }, options);
  expect(results.strategies).toEqual(expect.arrayContaining(options.remoteOrder ? ['auto', 'two-phase', 'fdw', 'semi-join'] : ['auto', 'two-phase', 'fdw']));
  return results.same() as Record<string, unknown>;
}
const blog = (text: string, values?: unknown[]) => fixture().databases.dbs.blog!.query(text, values);
const engage = (text: string, values?: unknown[]) => fixture().databases.dbs.engage!.query(text, values);

/** Comments by article id, ordered by comment id, as engage has them. */
async function commentsByArticle(): Promise<Map<number, { id: number; body: string }[]>> {
  const rows = await engage('SELECT id, article_id, body FROM comment ORDER BY id');
  const by = new Map<number, { id: number; body: string }[]>();
  for (const r of rows) by.set(r.article_id as number, [...(by.get(r.article_id as number) ?? []), { id: r.id as number, body: r.body as string }]);
  return by;
}

describe('remote relationships from function rows', () => {
  it('selects a remote array of every row a function returns', async () => {
    const d = await each('{ search_articles(args: {search: "n"}, order_by: {id: asc}) { id comments(order_by: {id: asc}) { id body } } }');
    const by = await commentsByArticle();
    const articles = await blog(`SELECT id FROM search_articles('n') ORDER BY id`);
    expect(d.search_articles).toEqual(articles.map((a) => ({ id: a.id, comments: by.get(a.id as number) ?? [] })));
    expect((d.search_articles as unknown[]).length).toBeGreaterThan(2);
  });

  it('inside fn_aggregate nodes and a one-row function', async () => {
    const d = await each('{ search_articles_aggregate(args: {search: "comp"}) { aggregate { count } nodes { id comments_aggregate { aggregate { count } } } } article_of_the_day { id comments { body } } }');
    const by = await commentsByArticle();
    const articles = await blog(`SELECT id FROM search_articles('comp')`);
    expect(d.search_articles_aggregate).toEqual({
      aggregate: { count: articles.length },
      nodes: articles.map((a) => ({ id: a.id, comments_aggregate: { aggregate: { count: by.get(a.id as number)?.length ?? 0 } } })),
    });
    expect(d.article_of_the_day).toEqual({ id: 3, comments: [{ body: 'classic' }] });
  });

  it('filters function rows through the remote relationship', async () => {
    const d = await each('{ search_articles(args: {search: ""}, where: {comments: {user_id: {_eq: 11}}}, order_by: {id: asc}) { id } }');
    const commented = new Set((await engage('SELECT article_id FROM comment WHERE user_id = 11')).map((r) => r.article_id));
    const articles = await blog(`SELECT id FROM search_articles('') ORDER BY id`);
    expect(d.search_articles).toEqual(articles.filter((a) => commented.has(a.id)).map((a) => ({ id: a.id })));
    expect((d.search_articles as unknown[]).length).toBe(2);
  });

  it('orders function rows by a remote aggregate (fdw)', async () => {
    const d = await each('{ search_articles(args: {search: ""}, order_by: [{comments_aggregate: {count: desc}}, {id: asc}], limit: 3) { id } }', {}, { remoteOrder: true });
    expect(d.search_articles).toEqual([{ id: 1 }, { id: 3 }, { id: 5 }]);
  });

  it('applies the target’s permission to the remote rows of a function', async () => {
    const reader = { 'x-hasura-role': 'reader', 'x-hasura-user-id': '10' };
    const d = await each('{ my_liked_articles(order_by: {id: asc}) { id comments(order_by: {id: asc}) { body } } }', reader);
    expect(d.my_liked_articles).toEqual([{ id: 1, comments: [{ body: 'great' }, { body: 'wow' }] }, { id: 3, comments: [{ body: 'classic' }] }]);
  });
});

describe('remote relationships from a table computed field', () => {
  it('selects remote rows of the rows a computed field returns', async () => {
    const d = await each('{ author(order_by: {id: asc}) { id articles_search(args: {search: ""}, order_by: {id: asc}) { id comments { body } } } }');
    const by = await commentsByArticle();
    const rows = await blog(`SELECT a.id AS author, s.id FROM author a, author_articles_search('', a) s ORDER BY a.id, s.id`);
    const authors = [...new Set(rows.map((r) => r.author as number))];
    expect(d.author).toEqual(authors.map((id) => ({
      id,
      articles_search: rows.filter((r) => r.author === id).map((r) => ({ id: r.id, comments: (by.get(r.id as number) ?? []).map((c) => ({ body: c.body })) })),
    })));
  });
});

describe('remote relationships from a view', () => {
  it('selects, aggregates and filters through a remote relationship of a tracked view', async () => {
    const d = await each(`{ published_article(order_by: {id: asc}) { id title comments(order_by: {id: asc}) { body } comments_aggregate { aggregate { count } } }
      discussed: published_article(where: {comments: {body: {_like: "%!"}}}) { id } }`);
    const by = await commentsByArticle();
    const view = await blog('SELECT id, title FROM published_article ORDER BY id');
    expect(d.published_article).toEqual(view.map((v) => ({
      id: v.id, title: v.title,
      comments: (by.get(v.id as number) ?? []).map((c) => ({ body: c.body })),
      comments_aggregate: { aggregate: { count: by.get(v.id as number)?.length ?? 0 } },
    })));
    expect(d.discussed).toEqual([{ id: 6 }]);
  });
});
