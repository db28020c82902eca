/**
 * A blog with computed fields and tracked functions (issue 11 items 6): `blog` (author,
 * article, article_like, the view published_article, their SQL functions) on server a and
 * `engage` (comment) on server b, with remote relationships from articles and from the
 * view to comments. Role `reader` sees published articles only, `author_full_name` but not
 * `author_title_count`; `member` may call the VOLATILE `like_article` (a mutation), `liker`
 * may read its table but has no function permission; `fan` sees the articles it liked
 * (a permission filter on a computed field); the two sources are linked both ways by postgres_fdw, so queries run
 * under every strategy (helpers/strategies.ts).
 */
import { createEngine, type Engine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from './databases.js';
import { useFixture } from './lifecycle.js';
import { linkAllSources } from './strategies.js';

export const BLOG_SQL = `
CREATE TABLE author (id int PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL, bio jsonb);
CREATE TABLE article (id int PRIMARY KEY, author_id int REFERENCES author(id), title text NOT NULL, published boolean NOT NULL, rating numeric);
CREATE TABLE article_like (article_id int, user_id int, PRIMARY KEY (article_id, user_id));
CREATE VIEW published_article AS SELECT id, author_id, title FROM article WHERE published;
INSERT INTO author VALUES (1, 'Ada', 'Lovelace', '{"city": "London", "tags": ["math"]}'), (2, 'Alan', 'Turing', '{"city": "Wilmslow"}'), (3, 'Grace', 'Hopper', NULL);
INSERT INTO article VALUES
  (1, 1, 'Notes on the Engine', true, 4.5), (2, 1, 'Poetical Science', false, 3.0),
  (3, 2, 'Computing Machinery', true, 5.0), (4, 2, 'On Computable Numbers', true, 4.0),
  (5, 3, 'Compilers', false, NULL), (6, 3, 'Nanoseconds', true, 4.25);
INSERT INTO article_like VALUES (1, 10), (3, 10), (3, 11), (4, 11);

CREATE FUNCTION author_full_name(author_row author) RETURNS text LANGUAGE sql STABLE
  AS $$ SELECT author_row.first_name || ' ' || author_row.last_name $$;
COMMENT ON FUNCTION author_full_name(author) IS 'first and last name';
CREATE FUNCTION author_title_count(author_row author, search text DEFAULT '') RETURNS bigint LANGUAGE sql STABLE
  AS $$ SELECT count(*) FROM article a WHERE a.author_id = author_row.id AND a.title ILIKE '%' || search || '%' $$;
CREATE FUNCTION author_articles_search(search text, author_row author) RETURNS SETOF article LANGUAGE sql STABLE
  AS $$ SELECT * FROM article a WHERE a.author_id = author_row.id AND a.title ILIKE '%' || search || '%' $$;
CREATE FUNCTION author_published_articles(author_row author) RETURNS SETOF article LANGUAGE sql STABLE
  AS $$ SELECT * FROM article a WHERE a.author_id = author_row.id AND a.published $$;
CREATE FUNCTION author_city(author_row author) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$ SELECT author_row.bio $$;
CREATE FUNCTION article_liked_by_me(article_row article, hasura_session json) RETURNS boolean LANGUAGE sql STABLE
  AS $$ SELECT EXISTS (SELECT 1 FROM article_like l WHERE l.article_id = article_row.id AND l.user_id::text = hasura_session ->> 'x-hasura-user-id') $$;
CREATE FUNCTION article_bump(article_row article) RETURNS int LANGUAGE sql VOLATILE AS $$ SELECT 1 $$;

CREATE FUNCTION search_articles(search text) RETURNS SETOF article LANGUAGE sql STABLE
  AS $$ SELECT * FROM article WHERE title ILIKE '%' || search || '%' $$;
CREATE FUNCTION top_articles(min_rating numeric DEFAULT 4, max_rating numeric DEFAULT 10) RETURNS SETOF article LANGUAGE sql STABLE
  AS $$ SELECT * FROM article WHERE rating >= min_rating AND rating <= max_rating $$;
CREATE FUNCTION article_of_the_day() RETURNS article LANGUAGE sql STABLE AS $$ SELECT * FROM article WHERE id = 3 $$;
CREATE FUNCTION my_liked_articles(hasura_session json) RETURNS SETOF article LANGUAGE sql STABLE
  AS $$ SELECT a.* FROM article a JOIN article_like l ON l.article_id = a.id WHERE l.user_id::text = hasura_session ->> 'x-hasura-user-id' $$;
CREATE FUNCTION articles_by_ids(int[]) RETURNS SETOF article LANGUAGE sql STABLE AS $$ SELECT * FROM article WHERE id = ANY($1) $$;
CREATE FUNCTION like_article(article_id int, hasura_session json) RETURNS SETOF article_like LANGUAGE sql VOLATILE
  AS $$ INSERT INTO article_like VALUES (article_id, (hasura_session ->> 'x-hasura-user-id')::int) ON CONFLICT DO NOTHING RETURNING * $$;
CREATE FUNCTION log_search(search text) RETURNS SETOF article LANGUAGE sql VOLATILE
  AS $$ SELECT * FROM article WHERE title ILIKE '%' || search || '%' $$;
CREATE FUNCTION overloaded(a int) RETURNS SETOF article LANGUAGE sql STABLE AS $$ SELECT * FROM article $$;
CREATE FUNCTION overloaded(a text) RETURNS SETOF article LANGUAGE sql STABLE AS $$ SELECT * FROM article $$;
`;

export const ENGAGE_SQL = `
CREATE TABLE comment (id int PRIMARY KEY, article_id int, body text NOT NULL, user_id int);
INSERT INTO comment VALUES (1, 1, 'great', 10), (2, 1, 'wow', 11), (3, 3, 'classic', 10), (4, 5, 'draft?', 12), (5, 6, 'bugs!', 11);
`;

const fn = (name: string) => ({ schema: 'public', name });
const comments = { name: 'comments', definition: { to_source: { relationship_type: 'array', source: 'engage', table: { schema: 'public', name: 'comment' }, field_mapping: { id: 'article_id' } } } };

export function blogMetadata(urls: { blog: string; engage: string }) {
  return {
    version: 3,
    sources: [
      {
        name: 'blog', kind: 'postgres', configuration: { connection_info: { database_url: urls.blog } },
        tables: [
          {
            table: fn('author'),
            array_relationships: [{ name: 'articles', using: { foreign_key_constraint_on: { table: fn('article'), column: 'author_id' } } }],
            computed_fields: [
              { name: 'full_name', definition: { function: fn('author_full_name') } },
              { name: 'title_count', definition: { function: fn('author_title_count'), table_argument: 'author_row' } },
              { name: 'articles_search', definition: { function: fn('author_articles_search'), table_argument: 'author_row' }, comment: 'articles whose title matches' },
              { name: 'city', definition: { function: fn('author_city') } },
              { name: 'published_articles', definition: { function: fn('author_published_articles') } },
            ],
            select_permissions: [
              { role: 'reader', permission: { columns: ['id', 'first_name', 'last_name'], computed_fields: ['full_name'], filter: {} } },
              // No column at all, only a computed field (Hasura serves it: no select_column enum, no distinct_on, no stream).
              { role: 'byline', permission: { columns: [], computed_fields: ['full_name'], filter: {} } },
            ],
          },
          {
            table: fn('article'),
            object_relationships: [{ name: 'author', using: { foreign_key_constraint_on: 'author_id' } }],
            remote_relationships: [comments],
            computed_fields: [
              { name: 'liked_by_me', definition: { function: fn('article_liked_by_me'), session_argument: 'hasura_session' } },
            ],
            select_permissions: [
              { role: 'reader', permission: { columns: ['id', 'author_id', 'title', 'rating'], computed_fields: ['liked_by_me'], filter: { published: { _eq: true } }, allow_aggregations: true } },
              // a permission filter through a computed field with the session argument
              { role: 'fan', permission: { columns: ['id', 'title'], filter: { liked_by_me: true } } },
            ],
          },
          { table: fn('article_like'), select_permissions: [
            { role: 'member', permission: { columns: '*', filter: { user_id: { _eq: 'X-Hasura-User-Id' } } } },
            { role: 'liker', permission: { columns: '*', filter: {} } },
          ] },
          { table: fn('published_article'), remote_relationships: [comments], select_permissions: [{ role: 'reader', permission: { columns: '*', filter: {} } }] },
        ],
        functions: [
          { function: fn('search_articles') },
          { function: fn('top_articles'), configuration: { custom_root_fields: { function: 'best_articles', function_aggregate: 'best_articles_stats' } } },
          { function: fn('article_of_the_day') },
          { function: fn('my_liked_articles'), configuration: { session_argument: 'hasura_session' } },
          { function: fn('articles_by_ids'), configuration: { custom_name: 'articles_with_ids' } },
          { function: fn('like_article'), configuration: { session_argument: 'hasura_session' }, permissions: [{ role: 'reader' }, { role: 'member' }] },
          { function: fn('log_search'), configuration: { exposed_as: 'query' } },
        ],
      },
      {
        name: 'engage', kind: 'postgres', configuration: { connection_info: { database_url: urls.engage } },
        tables: [
          {
            table: fn('comment'),
            remote_relationships: [{ name: 'article', definition: { to_source: { relationship_type: 'object', source: 'blog', table: fn('article'), field_mapping: { article_id: 'id' } } } }],
            select_permissions: [{ role: 'reader', permission: { columns: ['id', 'article_id', 'body'], filter: {} } }],
          },
        ],
      },
    ],
  };
}

export async function startBlog(): Promise<{ databases: TestDatabases; engine: Engine }> {
  const databases = await createDatabases({ blog: { server: 'a', sql: BLOG_SQL }, engage: { server: 'b', sql: ENGAGE_SQL } });
  const metadata = blogMetadata({ blog: databases.dbs.blog!.url, engage: databases.dbs.engage!.url });
  await linkAllSources(metadata);
  const engine = await createEngine({ metadata });
  return { databases, engine };
}

/** The blog for one test file: started before its tests, closed and dropped after them. */
export function useBlog(): () => { databases: TestDatabases; engine: Engine } {
  return useFixture(() => startBlog(), async ({ databases, engine }) => {
    await engine.close();
    await databases.drop();
  });
}
