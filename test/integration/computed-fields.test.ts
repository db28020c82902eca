/**
 * Computed fields over SQL functions (issue 11 item 6), on the blog fixture against real
 * Postgres: scalar ones with and without `args`, json ones with `path`, table ones with
 * the list arguments and `_aggregate`, the session argument, and permissions (scalar ones
 * listed in the select permission, table ones under the returned table's permission).
 * Expected values come from the same SQL functions called directly.
 */
import { describe, expect, it } from 'vitest';
import { useBlog } from '../helpers/blog.js';
import { executeEach } from '../helpers/strategies.js';

const fixture = useBlog();
const reader = { 'x-hasura-role': 'reader', 'x-hasura-user-id': '10' };

async function run(query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>) {
  return fixture().engine.execute({ query, headers, variables: variables ?? null });
}
async function data(query: string, headers: Record<string, string> = {}) {
  const r = await run(query, headers);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data as Record<string, unknown>;
}
const sql = (text: string) => fixture().databases.dbs.blog!.query(text);

describe('scalar computed fields', () => {
  it('computes a field of the row, as the function does', async () => {
    const d = await data('{ author(order_by: {id: asc}) { id full_name } }');
    const expected = await sql('SELECT a.id, author_full_name(a) AS full_name FROM author a ORDER BY a.id');
    expect(d.author).toEqual(expected);
  });

  it('passes args, and uses the default of an omitted one', async () => {
    const d = await data('{ author(order_by: {id: asc}) { id c: title_count(args: {search: "comp"}) all: title_count } }');
    const expected = await sql(`SELECT a.id, author_title_count(a, 'comp')::int AS c, author_title_count(a)::int AS "all" FROM author a ORDER BY a.id`);
    expect(d.author).toEqual(expected);
    // bigint results: a JSON number here (stringify is off), the same values
    expect((d.author as { c: number }[]).map((a) => a.c)).toEqual([0, 2, 1]);
  });

  it('takes args from variables, and `path` into a json result', async () => {
    const r = await run('query($s: String) { author(where: {id: {_eq: 2}}) { title_count(args: {search: $s}) city(path: "city") } }', {}, { s: 'machinery' });
    expect(r.data).toEqual({ author: [{ title_count: 1, city: 'Wilmslow' }] });
  });

  it('passes the session variables as json (session_argument), not as a GraphQL argument', async () => {
    const d = await data('{ article(order_by: {id: asc}) { id liked_by_me } }', { 'x-hasura-user-id': '11' });
    expect(d.article).toEqual([1, 2, 3, 4, 5, 6].map((id) => ({ id, liked_by_me: id === 3 || id === 4 })));
    const bad = await run('{ article { liked_by_me(args: {hasura_session: "{}"}) } }');
    expect(bad.errors?.[0]?.extensions.code).toBe('validation-failed');
  });
});

describe('table computed fields', () => {
  it('returns the rows of the SETOF function per parent, with where, order_by, limit and offset', async () => {
    const d = await data(`{ author(order_by: {id: asc}) { id
      articles_search(args: {search: "o"}, where: {rating: {_gte: 4}}, order_by: {rating: desc}, limit: 2) { id rating }
      skipped: articles_search(args: {search: ""}, order_by: {id: asc}, offset: 1) { id } } }`);
    expect(d.author).toEqual([
      { id: 1, articles_search: [{ id: 1, rating: 4.5 }], skipped: [{ id: 2 }] },
      { id: 2, articles_search: [{ id: 3, rating: 5 }, { id: 4, rating: 4 }], skipped: [{ id: 4 }] },
      { id: 3, articles_search: [{ id: 6, rating: 4.25 }], skipped: [{ id: 6 }] },
    ]);
  });

  it('aggregates over the function rows (<name>_aggregate), nodes included', async () => {
    const d = await data('{ author(order_by: {id: asc}) { id articles_search_aggregate(args: {search: "n"}) { aggregate { count max { rating } } nodes { id } } } }');
    const expected = await sql(`SELECT a.id, count(s.id)::int AS count, max(s.rating)::float AS max, coalesce(json_agg(s.id ORDER BY s.id) FILTER (WHERE s.id IS NOT NULL), '[]') AS ids
      FROM author a LEFT JOIN LATERAL author_articles_search('n', a) s ON true GROUP BY a.id ORDER BY a.id`);
    expect(d.author).toEqual(expected.map((e) => ({ id: e.id, articles_search_aggregate: { aggregate: { count: e.count, max: { rating: e.max } }, nodes: (e.ids as number[]).sort().map((id) => ({ id })) } })));
  });

  it('requires args when an argument has no default', async () => {
    const r = await run('{ author { articles_search { id } } }');
    expect(r.errors?.[0]?.extensions.code).toBe('validation-failed');
    expect(r.errors?.[0]?.message).toContain('args');
  });

  it('nests: relationships and computed fields of the function rows', async () => {
    const d = await data('{ author(where: {id: {_eq: 1}}) { articles_search(args: {search: "notes"}) { title author { full_name } liked_by_me } } }', { 'x-hasura-user-id': '10' });
    expect(d.author).toEqual([{ articles_search: [{ title: 'Notes on the Engine', author: { full_name: 'Ada Lovelace' }, liked_by_me: true }] }]);
  });
});

describe('in where and order_by', () => {
  it('filters and orders by a scalar computed field without input arguments', async () => {
    const d = await data('{ author(where: {full_name: {_ilike: "%e%"}}, order_by: {full_name: desc}) { id full_name } }');
    expect(d.author).toEqual(await sql(`SELECT a.id, author_full_name(a) AS full_name FROM author a WHERE author_full_name(a) ILIKE '%e%' ORDER BY 2 DESC`));
    expect((d.author as unknown[]).length).toBe(2);
  });

  it('orders through an object relationship by its computed field, and filters by a session one', async () => {
    const d = await data('{ article(where: {liked_by_me: {_eq: true}}, order_by: [{author: {full_name: desc}}, {id: asc}]) { id } }', { 'x-hasura-user-id': '11' });
    expect(d.article).toEqual([{ id: 3 }, { id: 4 }]);
    const all = await data('{ article(order_by: [{author: {full_name: asc}}, {id: desc}]) { id } }');
    expect(all.article).toEqual(await sql('SELECT r.id FROM article r JOIN author a ON a.id = r.author_id ORDER BY author_full_name(a), r.id DESC'));
  });

  it('filters by a table computed field without input arguments (some row of it matches)', async () => {
    const d = await data('{ author(where: {published_articles: {rating: {_gte: 4.5}}}, order_by: {id: asc}) { id } }');
    expect(d.author).toEqual(await sql('SELECT DISTINCT a.id FROM author a, author_published_articles(a) p WHERE p.rating >= 4.5 ORDER BY a.id'));
    expect(d.author).toEqual([{ id: 1 }, { id: 2 }]);
    const withArgs = await run('{ author(where: {articles_search: {}}) { id } }');
    expect(withArgs.errors?.[0]?.extensions.code).toBe('validation-failed'); // it takes an input argument
    const negated = await data('{ author(where: {_not: {published_articles: {rating: {_lt: 4.3}}}}, order_by: {id: asc}) { id } }', reader);
    expect(negated.author).toEqual(await sql('SELECT a.id FROM author a WHERE NOT EXISTS (SELECT 1 FROM author_published_articles(a) p WHERE p.rating < 4.3) ORDER BY a.id'));
    expect(negated.author).toEqual([{ id: 1 }]);
  });

  it('orders by an aggregate of a table computed field without input arguments', async () => {
    const d = await data('{ author(order_by: [{published_articles_aggregate: {count: desc}}, {published_articles_aggregate: {max: {rating: asc}}}, {id: asc}]) { id } }');
    expect(d.author).toEqual(await sql('SELECT a.id FROM author a ORDER BY (SELECT count(*) FROM author_published_articles(a)) DESC, (SELECT max(rating) FROM author_published_articles(a)) ASC, a.id'));
    expect(d.author).toEqual([{ id: 2 }, { id: 3 }, { id: 1 }]);
  });

  it('only those without input arguments, and only those the role may select', async () => {
    const withArgs = await run('{ author(where: {title_count: {_eq: 1}}) { id } }');
    expect(withArgs.errors?.[0]?.extensions.code).toBe('validation-failed');
    const hidden = await run('{ author(order_by: {city: asc}) { id } }', reader);
    expect(hidden.errors?.[0]?.extensions.code).toBe('validation-failed');
    const ok = await data('{ author(where: {full_name: {_eq: "Grace Hopper"}}) { id } }', reader);
    expect(ok.author).toEqual([{ id: 3 }]);
  });

  it('a remote filter on a computed field runs as a semi-join (its function exists only in its own database)', async () => {
    const { engine } = fixture();
    const q = { query: '{ comment(where: {article: {liked_by_me: {_eq: true}}}, order_by: {id: asc}) { id } }', headers: { 'x-hasura-user-id': '10' } };
    for (const strategy of ['auto', 'semi-join'] as const) {
      const r = await engine.execute({ ...q, strategy });
      expect(r, strategy).toEqual({ data: { comment: [{ id: 1 }, { id: 2 }, { id: 3 }] } });
    }
  });
});

describe('permissions', () => {
  it('shows a scalar computed field only where the select permission lists it', async () => {
    const ok = await data('{ author(order_by: {id: asc}, limit: 1) { full_name } }', reader);
    expect(ok.author).toEqual([{ full_name: 'Ada Lovelace' }]);
    const denied = await run('{ author { title_count } }', reader);
    expect(denied.errors?.[0]?.message).toBe("field 'title_count' not found in type: 'author'");
  });

  it('serves a role whose permission lists no column, only a computed field', async () => {
    const byline = { 'x-hasura-role': 'byline' };
    const d = await data('{ author(order_by: {full_name: asc}) { full_name } }', byline);
    expect(d.author).toEqual(await sql('SELECT author_full_name(a) AS full_name FROM author a ORDER BY 1'));
    // Nothing to pick distinct rows by or to stream on: those parts are left out, as Hasura does.
    const schema = await data('{ e: __type(name: "author_select_column") { name } q: __type(name: "query_root") { fields { name args { name } } } }', byline);
    expect(schema.e).toBeNull();
    const author = (schema.q as { fields: { name: string; args: { name: string }[] }[] }).fields.find((f) => f.name === 'author');
    expect(author?.args.map((a) => a.name)).toEqual(['limit', 'offset', 'order_by', 'where']);
    const stream = await run('subscription { author_stream(batch_size: 1, cursor: {initial_value: {}}) { full_name } }', byline);
    expect(stream.errors?.[0]?.message).toBe("field 'author_stream' not found in type: 'subscription_root'");
  });

  it('applies the returned table’s row filter to a table computed field', async () => {
    // reader sees published articles only: Ada's "Poetical Science" (unpublished) is filtered out
    const d = await data('{ author(order_by: {id: asc}) { id articles_search(args: {search: ""}, order_by: {id: asc}) { id } } }', reader);
    const expected = await sql(`SELECT a.id, array_agg(s.id ORDER BY s.id) AS ids FROM author a JOIN LATERAL author_articles_search('', a) s ON s.published GROUP BY a.id ORDER BY a.id`);
    expect(d.author).toEqual(expected.map((e) => ({ id: e.id, articles_search: (e.ids as number[]).map((id) => ({ id })) })));
  });

  it('filters rows by a computed field in the permission filter, with the role’s session', async () => {
    const d = await data('{ article(order_by: {id: asc}) { id title } search_articles(args: {search: ""}) { id } }', { 'x-hasura-role': 'fan', 'x-hasura-user-id': '11' });
    expect(d.article).toEqual(await sql(`SELECT a.id, a.title FROM article a JOIN article_like l ON l.article_id = a.id AND l.user_id = 11 ORDER BY a.id`));
    expect((d.search_articles as { id: number }[]).map((a) => a.id).sort()).toEqual([3, 4]);
    expect(fixture().engine.inconsistencies().filter((o) => o.type === 'select_permission')).toEqual([]);
  });

  it('the session argument sees the role’s own session', async () => {
    const d = await data('{ article(order_by: {id: asc}) { id liked_by_me } }', reader);
    expect(d.article).toEqual([{ id: 1, liked_by_me: true }, { id: 3, liked_by_me: true }, { id: 4, liked_by_me: false }, { id: 6, liked_by_me: false }]);
  });
});

describe('inside remote joins', () => {
  it('computed fields of a remote relationship target run in the target database, under every strategy', async () => {
    const results = await executeEach(fixture().engine, { query: '{ comment(order_by: {id: asc}) { id article { title liked_by_me author { full_name } } } }', headers: { 'x-hasura-user-id': '11' } });
    expect(results.strategies).toContain('fdw');
    expect(results.same()).toEqual({ comment: [
      { id: 1, article: { title: 'Notes on the Engine', liked_by_me: false, author: { full_name: 'Ada Lovelace' } } },
      { id: 2, article: { title: 'Notes on the Engine', liked_by_me: false, author: { full_name: 'Ada Lovelace' } } },
      { id: 3, article: { title: 'Computing Machinery', liked_by_me: true, author: { full_name: 'Alan Turing' } } },
      { id: 4, article: { title: 'Compilers', liked_by_me: false, author: { full_name: 'Grace Hopper' } } },
      { id: 5, article: { title: 'Nanoseconds', liked_by_me: false, author: { full_name: 'Grace Hopper' } } },
    ] });
  });
});
