/**
 * Tracked SQL functions as root fields (issue 11 item 6), on the blog fixture against real
 * Postgres, following Hasura's rules: `fn(args, where, order_by, limit, offset,
 * distinct_on)` and `fn_aggregate`; STABLE/IMMUTABLE in the query root, VOLATILE in the
 * mutation root unless `exposed_as: query`; SETOF a table is a list, one row an object;
 * defaults, unnamed arguments (`arg_1`), the session argument, custom names; the returned
 * table's select permission applies to the rows. Expected rows come from the same
 * functions called in SQL.
 */
import { getIntrospectionQuery, type IntrospectionObjectType, type IntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { parseMetadata } from '../../compiler/metadata/parse.js';
import { resolveMetadata } from '../../compiler/metadata/resolve.js';
import { introspect } from '../../runtime/sources/introspect.js';
import pg from 'pg';
import { blogMetadata, useBlog } from '../helpers/blog.js';
import { createEngine, type GraphQLResponse } from '../../runtime/engine.js';
import { Collected } from '../helpers/live.js';

const fixture = useBlog();
const reader = { 'x-hasura-role': 'reader', 'x-hasura-user-id': '10' };

async function run(query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>) {
  return fixture().engine.execute({ query, headers, variables: variables ?? null });
}
async function data(query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>) {
  const r = await run(query, headers, variables);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data as Record<string, unknown>;
}
const sql = (text: string) => fixture().databases.dbs.blog!.query(text);
const ids = (rows: unknown) => (rows as { id: number }[]).map((r) => r.id);

describe('query root functions', () => {
  it('returns the SETOF rows, with where, order_by, limit, offset', async () => {
    const d = await data('{ search_articles(args: {search: "o"}, where: {rating: {_gt: 3}}, order_by: {rating: desc}, limit: 2, offset: 1) { id title rating } }');
    const expected = await sql(`SELECT id, title, rating::float AS rating FROM search_articles('o') WHERE rating > 3 ORDER BY rating DESC LIMIT 2 OFFSET 1`);
    expect(d.search_articles).toEqual(expected);
    expect(expected.length).toBe(2);
  });

  it('takes args from variables, and distinct_on', async () => {
    const d = await data('query($s: String!) { search_articles(args: {search: $s}, distinct_on: author_id, order_by: [{author_id: asc}, {id: desc}]) { id author_id } }', {}, { s: 'n' });
    const expected = await sql(`SELECT DISTINCT ON (author_id) id, author_id FROM search_articles('n') ORDER BY author_id, id DESC`);
    expect(d.search_articles).toEqual(expected);
  });

  it('aggregates the rows (fn_aggregate)', async () => {
    const d = await data('{ search_articles_aggregate(args: {search: "o"}, where: {published: {_eq: true}}) { aggregate { count avg { rating } } nodes { id } } }');
    const [e] = await sql(`SELECT count(*)::int AS count, avg(rating)::float AS avg, array_agg(id ORDER BY id) AS ids FROM search_articles('o') WHERE published`);
    expect(d.search_articles_aggregate).toEqual({ aggregate: { count: e!.count, avg: { rating: e!.avg } }, nodes: (e!.ids as number[]).map((id) => ({ id })) });
  });

  it('uses argument defaults when args are omitted, and custom root field names', async () => {
    const all = await data('{ best_articles(order_by: {id: asc}) { id } best_articles_stats { aggregate { count } } }');
    expect(ids(all.best_articles)).toEqual(ids(await sql('SELECT id FROM top_articles() ORDER BY id')));
    expect(all.best_articles_stats).toEqual({ aggregate: { count: 4 } });
    // the first argument omitted: the second goes by name
    const capped = await data('{ best_articles(args: {max_rating: 4.5}, order_by: {id: asc}) { id } }');
    expect(ids(capped.best_articles)).toEqual(ids(await sql('SELECT id FROM top_articles(max_rating => 4.5) ORDER BY id')));
    expect(ids(capped.best_articles)).toEqual([1, 4, 6]);
  });

  it('names unnamed arguments arg_1 … and honours custom_name', async () => {
    const d = await data('{ articles_with_ids(args: {arg_1: "{4,2,9}"}, order_by: {id: asc}) { id } }');
    expect(ids(d.articles_with_ids)).toEqual([2, 4]);
  });

  it('a function returning one row is an object field', async () => {
    const d = await data('{ article_of_the_day { id title author { full_name } } }');
    expect(d.article_of_the_day).toEqual({ id: 3, title: 'Computing Machinery', author: { full_name: 'Alan Turing' } });
  });

  it('passes the session as json to the session argument, which is not a GraphQL argument', async () => {
    const d = await data('{ my_liked_articles(order_by: {id: asc}) { id } }', { 'x-hasura-user-id': '11' });
    expect(ids(d.my_liked_articles)).toEqual([3, 4]);
    const schema = await run(getIntrospectionQuery());
    const types = (schema.data as unknown as IntrospectionQuery).__schema.types;
    const root = types.find((t) => t.name === 'query_root') as IntrospectionObjectType;
    expect(root.fields.find((f) => f.name === 'my_liked_articles')!.args.map((a) => a.name)).toEqual(['distinct_on', 'limit', 'offset', 'order_by', 'where']);
    const search = root.fields.find((f) => f.name === 'search_articles')!;
    expect(search.args[0]).toMatchObject({ name: 'args', type: { kind: 'NON_NULL', ofType: { name: 'search_articles_args' } } });
    expect(root.fields.find((f) => f.name === 'best_articles')!.args[0]).toMatchObject({ name: 'args', type: { kind: 'INPUT_OBJECT', name: 'top_articles_args' } });
    expect(search.type).toMatchObject({ kind: 'NON_NULL', ofType: { kind: 'LIST', ofType: { kind: 'NON_NULL', ofType: { name: 'article' } } } });
  });

  it('refuses a missing required argument', async () => {
    const r = await run('{ search_articles { id } }');
    expect(r.errors?.[0]?.extensions.code).toBe('validation-failed');
  });
});

describe('live queries over functions', () => {
  it('pushes a function\'s rows again when they change, per subscriber session', async () => {
    const { engine } = fixture();
    const rows = (r: GraphQLResponse) => (r.data as { my_liked_articles?: { id: number }[] } | undefined)?.my_liked_articles?.map((a) => a.id);
    const q = 'subscription { my_liked_articles(order_by: {id: asc}) { id } }';
    const ten = new Collected(engine.subscribe({ query: q, headers: { 'x-hasura-user-id': '10' } }));
    const eleven = new Collected(engine.subscribe({ query: q, headers: { 'x-hasura-user-id': '11' } }));
    expect(rows(await ten.waitFor((r) => rows(r) !== undefined))).toEqual([1, 3]);
    expect(rows(await eleven.waitFor((r) => rows(r) !== undefined))).toEqual([3, 4]);
    await sql('INSERT INTO article_like VALUES (6, 10)');
    try {
      expect(rows(await ten.waitFor((r) => rows(r)?.length === 3, 1))).toEqual([1, 3, 6]);
      expect(eleven.items).toHaveLength(1); // nothing changed for user 11
    } finally {
      await ten.stop();
      await eleven.stop();
      await sql('DELETE FROM article_like WHERE article_id = 6 AND user_id = 10');
    }
  });
});

describe('volatility and exposed_as', () => {
  it('puts VOLATILE functions in the mutation root, and exposed_as: query ones in the query root', async () => {
    const schema = await run(getIntrospectionQuery());
    const s = (schema.data as unknown as IntrospectionQuery).__schema;
    const fieldsOf = (name: string) => (s.types.find((t) => t.name === name) as IntrospectionObjectType | undefined)?.fields.map((f) => f.name) ?? [];
    expect(s.mutationType?.name).toBe('mutation_root');
    expect(fieldsOf('mutation_root')).toContain('like_article');
    expect(fieldsOf('mutation_root')).not.toContain('like_article_aggregate');
    expect(fieldsOf('query_root')).not.toContain('like_article');
    expect(fieldsOf('query_root')).toEqual(expect.arrayContaining(['log_search', 'log_search_aggregate', 'search_articles', 'search_articles_aggregate']));
    const d = await data('{ log_search(args: {search: "numbers"}) { id } }');
    expect(ids(d.log_search)).toEqual([4]);
  });
});

describe('mutation functions', () => {
  it('runs a VOLATILE function as a mutation, once, and returns its rows', async () => {
    const member = { 'x-hasura-role': 'member', 'x-hasura-user-id': '12' };
    const r = await run('mutation { like_article(args: {article_id: 6}) { article_id user_id } }', member);
    expect(r).toEqual({ data: { like_article: [{ article_id: 6, user_id: 12 }] } });
    expect(await sql('SELECT * FROM article_like WHERE user_id = 12')).toEqual([{ article_id: 6, user_id: 12 }]);
    // the second time the function inserts nothing (ON CONFLICT DO NOTHING) and returns no row
    const again = await run('mutation { like_article(args: {article_id: 6}) { article_id } }', member);
    expect(again).toEqual({ data: { like_article: [] } });
    await sql('DELETE FROM article_like WHERE user_id = 12');
  });

  it('runs in document order with table mutations, in one transaction', async () => {
    const q = `mutation { a: insert_article_like_one(object: {article_id: 2, user_id: 20}) { article_id }
      b: like_article(args: {article_id: 5}) { article_id user_id } c: delete_article_like(where: {user_id: {_eq: 20}}) { affected_rows } }`;
    const r = await run(q, { 'x-hasura-user-id': '20' });
    // the delete, last, sees both rows: the one inserted and the one the function inserted
    expect(r).toEqual({ data: { a: { article_id: 2 }, b: [{ article_id: 5, user_id: 20 }], c: { affected_rows: 2 } } });
    expect(await sql('SELECT * FROM article_like WHERE user_id = 20')).toEqual([]);
    // a failing field after the function rolls the function's insert back
    const failing = await run('mutation { like_article(args: {article_id: 6}) { article_id } insert_article_like_one(object: {article_id: 1, user_id: 10}) { article_id } }', { 'x-hasura-user-id': '21' });
    expect(failing.errors?.length).toBe(1);
    expect(await sql('SELECT * FROM article_like WHERE user_id = 21')).toEqual([]);
  });

  it('needs a function permission and select on the returned table', async () => {
    const schemaOf = async (role: string) => ((await run(getIntrospectionQuery(), { 'x-hasura-role': role })).data as unknown as IntrospectionQuery).__schema;
    expect((await schemaOf('member')).mutationType?.name).toBe('mutation_root');
    expect((await schemaOf('liker')).mutationType).toBeNull(); // may read article_like, no function permission
    expect((await schemaOf('reader')).mutationType).toBeNull(); // function permission, but no select on article_like
    const r = await run('mutation { like_article(args: {article_id: 1}) { article_id } }', { 'x-hasura-role': 'liker' });
    expect(r.errors?.[0]?.message).toBe('no mutations exist');
  });
});

describe('permissions', () => {
  it('applies the returned table’s row filter and columns to the function rows', async () => {
    const d = await data('{ search_articles(args: {search: "o"}, order_by: {id: asc}) { id title } }', reader);
    expect(ids(d.search_articles)).toEqual(ids(await sql(`SELECT id FROM search_articles('o') WHERE published ORDER BY id`)));
    const hidden = await run('{ search_articles(args: {search: "o"}) { published } }', reader);
    expect(hidden.errors?.[0]?.message).toBe("field 'published' not found in type: 'article'");
    const agg = await data('{ search_articles_aggregate(args: {search: ""}) { aggregate { count } } }', reader);
    expect(agg.search_articles_aggregate).toEqual({ aggregate: { count: 4 } });
  });

  it('shows a function only where the role may select its table; mutations need a function permission', async () => {
    const r = await run(getIntrospectionQuery(), { 'x-hasura-role': 'reader' });
    const s = (r.data as unknown as IntrospectionQuery).__schema;
    const fieldsOf = (name: string) => (s.types.find((t) => t.name === name) as IntrospectionObjectType | undefined)?.fields.map((f) => f.name) ?? [];
    expect(fieldsOf('query_root')).toContain('search_articles');
    const nobody = await run('{ search_articles(args: {search: ""}) { id } }', { 'x-hasura-role': 'stranger' });
    expect(nobody.errors?.[0]?.extensions.code).toBe('validation-failed');
  });
});

describe('naming conventions', () => {
  // As for tables (schema/naming.ts): camelCase under the prefix, whose next letter is upper-cased; custom names kept.
  it('names function root fields and args types under graphql-default, with root prefixes', async () => {
    const { blog, engage } = fixture().databases.dbs;
    const md = blogMetadata({ blog: blog!.url, engage: engage!.url });
    const custom = { ...md, sources: [{ ...md.sources[0]!, customization: { naming_convention: 'graphql-default', root_fields: { prefix: 'b_' } } }, md.sources[1]!] };
    const engine = await createEngine({ metadata: custom });
    try {
      const r = await engine.execute({ query: `{ q: __type(name: "query_root") { fields { name args { name type { name ofType { name } } } } }
        c: __type(name: "Author") { fields { name args { name type { name } } } } }` });
      const fields = (r.data as { q: { fields: { name: string; args: { name: string; type: { name: string | null; ofType: { name: string } | null } }[] }[] } }).q.fields;
      const names = fields.map((f) => f.name);
      expect(names).toEqual(expect.arrayContaining(['b_SearchArticles', 'b_SearchArticlesAggregate', 'b_Best_articles', 'b_Best_articles_stats', 'b_Articles_with_ids', 'b_ArticleOfTheDay']));
      expect(fields.find((f) => f.name === 'b_SearchArticles')!.args.find((a) => a.name === 'args')!.type.ofType!.name).toBe('SearchArticlesArgs');
      const author = (r.data as { c: { fields: { name: string; args: { name: string; type: { name: string | null } }[] }[] } }).c.fields;
      expect(author.find((f) => f.name === 'title_count')!.args.find((a) => a.name === 'args')!.type.name).toBe('TitleCountAuthorArgs');
      const d = await engine.execute({ query: '{ b_SearchArticles(args: {search: "numbers"}) { id } }' });
      expect(d).toEqual({ data: { b_SearchArticles: [{ id: 4 }] } });
      const listed = await engine.execute({ query: '{ b_SearchArticles(args: {search: "o"}, orderBy: {id: DESC}, limit: 2) { id } b_SearchArticlesAggregate(args: {search: "o"}) { aggregate { count } } }' });
      expect(listed).toEqual({ data: { b_SearchArticles: [{ id: 6 }, { id: 5 }], b_SearchArticlesAggregate: { aggregate: { count: 6 } } } });
      const computed = await engine.execute({ query: '{ b_Author(orderBy: {full_name: DESC}, limit: 1) { full_name articles_search(args: {search: ""}, orderBy: {id: DESC}) { id } } }' });
      expect(computed).toEqual({ data: { b_Author: [{ full_name: 'Grace Hopper', articles_search: [{ id: 6 }, { id: 5 }] }] } });
      const byAggregate = await engine.execute({ query: '{ b_Author(orderBy: [{publishedArticlesAggregate: {count: DESC}}, {id: ASC}]) { id } }' });
      expect(byAggregate).toEqual({ data: { b_Author: [{ id: 2 }, { id: 1 }, { id: 3 }] } });
    } finally {
      await engine.close();
    }
  });
});

describe('metadata checks (Hasura rules)', () => {
  it('reports functions and computed fields that cannot be tracked, with their paths', async () => {
    const url = fixture().databases.dbs.blog!.url;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const catalog = await introspect(client).finally(() => client.end());
    const md = blogMetadata({ blog: url, engage: url });
    const blog = md.sources[0]!;
    const broken = {
      ...md,
      sources: [{
        ...blog,
        tables: blog.tables.map((t) => (t.table.name === 'article' ? { ...t, computed_fields: [
          { name: 'bump', definition: { function: { schema: 'public', name: 'article_bump' } } },
          { name: 'full', definition: { function: { schema: 'public', name: 'author_full_name' } } },
        ] } : t)),
        functions: [
          { function: { schema: 'public', name: 'overloaded' } },
          { function: { schema: 'public', name: 'author_full_name' } },
          { function: { schema: 'public', name: 'search_articles' }, configuration: { exposed_as: 'mutation' } },
          { function: { schema: 'public', name: 'missing_fn' } },
        ],
      }],
    };
    const { inconsistent, model } = resolveMetadata(parseMetadata(broken), { sources: { blog: catalog } });
    // (the engage source is left out here: its relationships are reported too, not checked)
    const found = inconsistent.filter((e) => /\.(computed_fields|functions)\[/.test(e.path))
      .map((e) => [e.path, e.reason.replace(/^Inconsistent object: (in table "[^"]+": in computed field "[^"]+": )?/, '')]);
    expect(found).toEqual([
      ['$.sources[0].tables[1].computed_fields[0].definition', 'the computed field "bump" cannot be added to table "article" because the function "article_bump" is of type VOLATILE; cannot be added as a computed field'],
      ['$.sources[0].tables[1].computed_fields[1].definition', 'the computed field "full" cannot be added to table "article" because first argument of the function "author_full_name" of type "author" is not the table to which the computed field is being added'],
      ['$.sources[0].functions[0].function', 'in function "overloaded": function "overloaded" is overloaded. Overloaded functions are not supported'],
      ['$.sources[0].functions[1].function', 'in function "author_full_name": the function "author_full_name" cannot be tracked because the function does not return a table'],
      ['$.sources[0].functions[2].configuration.exposed_as', 'in function "search_articles": the function "search_articles" cannot be tracked because the function was requested to be exposed as a mutation, but is not marked VOLATILE. Maybe the function was given the wrong volatility when it was defined?'],
      ['$.sources[0].functions[3].function', 'in function "missing_fn": no such function exists in postgres : "missing_fn"'],
    ]);
    expect(model.functions).toEqual([]);
  });

  it('names a function of another schema <schema>_<function>, and its messages print the schema (not "public.")', async () => {
    await sql(`CREATE SCHEMA IF NOT EXISTS reports;
      CREATE OR REPLACE FUNCTION reports.top_articles(min_rating numeric) RETURNS SETOF article LANGUAGE sql STABLE AS $$ SELECT * FROM article WHERE rating >= min_rating $$`);
    const { blog, engage } = fixture().databases.dbs;
    const md = blogMetadata({ blog: blog!.url, engage: engage!.url });
    md.sources[0]!.functions = [
      { function: { schema: 'reports', name: 'top_articles' } },
      { function: { schema: 'reports', name: 'nope' } },
    ] as never;
    const engine = await createEngine({ metadata: md });
    try {
      const r = await engine.execute({ query: '{ reports_top_articles(args: {min_rating: 4}, order_by: {id: asc}) { id } t: __type(name: "reports_top_articles_args") { name } }' });
      const expected = await sql('SELECT id FROM reports.top_articles(4) ORDER BY id');
      expect(r).toEqual({ data: { reports_top_articles: expected, t: { name: 'reports_top_articles_args' } } });
      expect(expected.length).toBeGreaterThan(0);
      const fn = engine.inconsistencies().find((o) => o.type === 'function');
      expect(fn?.reason).toBe('Inconsistent object: in function "reports.nope": no such function exists in postgres : "reports.nope"');
      const schema = await engine.execute({ query: '{ __type(name: "query_root") { fields { name description } } }' });
      const field = (schema.data as { __type: { fields: { name: string; description: string }[] } }).__type.fields.find((f) => f.name === 'reports_top_articles');
      expect(field?.description).toBe('execute function "reports.top_articles" which returns "article"');
    } finally {
      await engine.close();
    }
  });
});
