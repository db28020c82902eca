/**
 * The fixture of the mutation tests (issue 12): database `app` (server a) with author and
 * article, and `accounts` (server b) with "user" and ledger; article.user is a remote
 * relationship to accounts, user.articles the reverse. Roles: `user` (own rows through
 * X-Hasura-User-Id) and `editor`. `sql(db, text)` reads the tables back for the
 * differential checks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, type EngineOptions } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from './databases.js';
import { useFixture } from './lifecycle.js';

export const APP_SQL = `
CREATE TABLE author (id serial PRIMARY KEY, name text NOT NULL, email text CONSTRAINT author_email_key UNIQUE, rating int NOT NULL DEFAULT 0,
  info jsonb DEFAULT '{}', tenant int, score numeric(8,2) DEFAULT 0);
CREATE TABLE article (id serial PRIMARY KEY, author_id int NOT NULL REFERENCES author(id), title text NOT NULL, views int NOT NULL DEFAULT 0,
  user_id int, published bool NOT NULL DEFAULT false);
INSERT INTO author (name, email, rating, info, tenant) VALUES ('Ann', 'ann@x', 5, '{"tags": ["a"]}', 1), ('Bob', 'bob@x', 3, '{}', 1), ('Cyd', NULL, 1, NULL, 2);
INSERT INTO article (author_id, title, views, user_id) VALUES (1, 'First', 10, 1), (1, 'Second', 0, 2), (2, 'Third', 7, NULL);
CREATE FUNCTION bump_article(p_article int) RETURNS SETOF article LANGUAGE sql VOLATILE AS
  $$ UPDATE article SET views = views + 1 WHERE id = p_article RETURNING * $$;
CREATE FUNCTION slow_bump(p_article int, p_seconds float8) RETURNS SETOF article LANGUAGE sql VOLATILE AS
  $$ UPDATE article SET views = views + 1 WHERE id = p_article; SELECT pg_sleep(p_seconds); SELECT * FROM article WHERE id = p_article $$;
`;

export const ACCOUNTS_SQL = `
CREATE TABLE "user" (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE ledger (id serial PRIMARY KEY, user_id int NOT NULL, amount int NOT NULL CHECK (amount > 0));
INSERT INTO "user" VALUES (1, 'Alice'), (2, 'Bob'), (3, 'Carol');
CREATE FUNCTION credit(p_user int, p_amount int) RETURNS SETOF ledger LANGUAGE sql VOLATILE AS
  $$ INSERT INTO ledger (user_id, amount) VALUES (p_user, p_amount) RETURNING * $$;
`;

export function mutationMetadata(databases: TestDatabases, extra: { app?: Record<string, unknown>; accounts?: Record<string, unknown> } = {}): Record<string, unknown> {
  const app = extra.app ?? {};
  const accounts = extra.accounts ?? {};
  return {
    version: 3,
    sources: [
      { name: 'app', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.app!.url } }, tables: [
        { table: { schema: 'public', name: 'author' },
          array_relationships: [{ name: 'articles', using: { foreign_key_constraint_on: { table: { schema: 'public', name: 'article' }, column: 'author_id' } } }],
          ...(app.author as object ?? {}) },
        { table: { schema: 'public', name: 'article' },
          object_relationships: [{ name: 'author', using: { foreign_key_constraint_on: 'author_id' } }],
          remote_relationships: [{ name: 'user', definition: { to_source: { relationship_type: 'object', source: 'accounts', table: { schema: 'public', name: 'user' }, field_mapping: { user_id: 'id' } } } }],
          ...(app.article as object ?? {}) },
      ] },
      { name: 'accounts', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.accounts!.url } }, tables: [
        { table: { schema: 'public', name: 'user' },
          remote_relationships: [{ name: 'articles', definition: { to_source: { relationship_type: 'array', source: 'app', table: { schema: 'public', name: 'article' }, field_mapping: { id: 'user_id' } } } }],
          ...(accounts.user as object ?? {}) },
        { table: { schema: 'public', name: 'ledger' }, ...(accounts.ledger as object ?? {}) },
      ] },
    ],
  };
}

export interface MutationFixture {
  readonly databases: TestDatabases;
  readonly engine: Engine;
  /** The two-phase commits' state directory (a temporary one unless the options name one). */
  readonly stateDir: string;
  /** Rows of a plain SQL query on `app` or `accounts`. */
  sql(db: 'app' | 'accounts', text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
}

/** Changes to the fixture beyond permissions: more SQL on `app`, and an edit of the metadata. */
export interface FixtureEdits {
  readonly appSql?: string;
  readonly metadata?: (md: { sources: { tables: unknown[]; [k: string]: unknown }[] }) => void;
}

export async function startMutationFixture(
  extra: Parameters<typeof mutationMetadata>[1] = {}, options: Partial<EngineOptions> = {}, edits: FixtureEdits = {},
): Promise<MutationFixture> {
  const databases = await createDatabases({ app: { server: 'a', sql: APP_SQL + (edits.appSql ?? '') }, accounts: { server: 'b', sql: ACCOUNTS_SQL } });
  try {
    const metadata = mutationMetadata(databases, extra) as { sources: { tables: unknown[]; [k: string]: unknown }[] };
    edits.metadata?.(metadata);
    const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'farjoin-mutations-'));
    const engine = await createEngine({ metadata, ...options, stateDir });
    return { databases, engine, stateDir, sql: (db, text, values) => databases.dbs[db]!.query(text, values) };
  } catch (e) {
    await databases.drop();
    throw e;
  }
}

/**
 * A metadata edit tracking the fixture's VOLATILE functions (mutation root fields):
 * `bump_article(p_article)` and `slow_bump(p_article, p_seconds)` (sleeps after its update)
 * on app, `credit(p_user, p_amount)` on accounts.
 */
export function trackFunctions(md: { sources: { tables: unknown[]; [k: string]: unknown }[] }): void {
  md.sources[0]!.functions = [{ function: { schema: 'public', name: 'bump_article' } }, { function: { schema: 'public', name: 'slow_bump' } }];
  md.sources[1]!.functions = [{ function: { schema: 'public', name: 'credit' } }];
}

/** The fixture for one test file. */
export function useMutationFixture(extra: Parameters<typeof mutationMetadata>[1] = {}, options: Partial<EngineOptions> = {}, edits: FixtureEdits = {}): () => MutationFixture {
  return useFixture(() => startMutationFixture(extra, options, edits), async (f) => {
    await f.engine.close();
    await f.databases.drop();
    if (!options.stateDir) rmSync(f.stateDir, { recursive: true, force: true });
  });
}
