/**
 * Insert / update / delete permissions per role (issue 12, Hasura's shapes): check, set
 * presets from session variables, columns, filter, backend_only; the role's schema shows
 * only what it may use; failures are Hasura's codes and write nothing.
 */
import { describe, expect, it } from 'vitest';
import { useMutationFixture } from '../helpers/mutations.js';

const userSelect = { role: 'user', permission: { columns: ['id', 'title', 'views', 'user_id', 'author_id', 'published'], filter: { user_id: { _eq: 'X-Hasura-User-Id' } } } };
const fixture = useMutationFixture({
  app: {
    author: {
      select_permissions: [{ role: 'user', permission: { columns: ['id', 'name'], filter: { tenant: { _eq: 'X-Hasura-Tenant-Id' } } } }],
      insert_permissions: [{ role: 'user', permission: { columns: ['name'], check: {}, set: { tenant: 'X-Hasura-Tenant-Id' }, backend_only: true } }],
    },
    article: {
      select_permissions: [userSelect],
      insert_permissions: [{ role: 'user', permission: { columns: ['title', 'author_id', 'views'], set: { user_id: 'X-Hasura-User-Id' }, check: { author: { tenant: { _eq: 'X-Hasura-Tenant-Id' } } } } }],
      update_permissions: [{ role: 'user', permission: { columns: ['title', 'views'], filter: { user_id: { _eq: 'X-Hasura-User-Id' } }, check: { views: { _lt: 1000 } }, set: { published: true } } }],
      delete_permissions: [{ role: 'user', permission: { filter: { user_id: { _eq: 'X-Hasura-User-Id' } } } }],
    },
  },
});

const asUser = (id: number, tenant = 1, extra: Record<string, string> = {}): Record<string, string> => ({ 'x-hasura-role': 'user', 'x-hasura-user-id': String(id), 'x-hasura-tenant-id': String(tenant), ...extra });

async function fieldNames(type: string, headers: Record<string, string>, kind: 'fields' | 'inputFields'): Promise<string[] | null> {
  const r = await fixture().engine.execute({ query: `{ __type(name: "${type}") { ${kind} { name } } }`, headers });
  const t = (r.data as { __type: Record<string, { name: string }[]> | null }).__type;
  return t ? t[kind]!.map((f) => f.name).sort() : null;
}

describe('mutation permissions', () => {
  it('a role sees only the mutation fields and columns it may use', async () => {
    expect(await fieldNames('mutation_root', asUser(1), 'fields')).toEqual(['delete_article', 'delete_article_by_pk', 'insert_article', 'insert_article_one', 'update_article', 'update_article_by_pk', 'update_article_many']);
    expect(await fieldNames('article_insert_input', asUser(1), 'inputFields')).toEqual(['author_id', 'title', 'views']);
    expect(await fieldNames('article_set_input', asUser(1), 'inputFields')).toEqual(['title', 'views']);
    expect(await fieldNames('article_inc_input', asUser(1), 'inputFields')).toEqual(['views']);
    // backend_only: only with x-hasura-use-backend-only-permissions.
    expect(await fieldNames('mutation_root', asUser(1, 1, { 'x-hasura-use-backend-only-permissions': 'true' }), 'fields')).toContain('insert_author');
  });

  it('insert: presets fill columns from the session; the check passes; returning reads through the select permission', async () => {
    const r = await fixture().engine.execute({ query: 'mutation { insert_article_one(object: {title: "mine", author_id: 1}) { title user_id author { name } } }', headers: asUser(2) });
    expect(r).toEqual({ data: { insert_article_one: { title: 'mine', user_id: 2, author: { name: 'Ann' } } } });
    expect(await fixture().sql('app', "SELECT user_id, author_id FROM article WHERE title = 'mine'")).toEqual([{ user_id: 2, author_id: 1 }]);
  });

  it('insert: a failed check is permission-error and nothing is written', async () => {
    // Author 3 belongs to tenant 2.
    const r = await fixture().engine.execute({ query: 'mutation { insert_article(objects: [{title: "ok", author_id: 1}, {title: "bad", author_id: 3}]) { affected_rows } }', headers: asUser(2) });
    expect(r).toEqual({ errors: [{ message: 'check constraint of an insert/update permission has failed', extensions: { path: '$.selectionSet.insert_article', code: 'permission-error' } }] });
    expect(await fixture().sql('app', "SELECT * FROM article WHERE title IN ('ok', 'bad')")).toEqual([]);
  });

  it('insert: a column outside the permission (or a preset one) is an unknown field', async () => {
    const r = await fixture().engine.execute({ query: 'mutation { insert_article(objects: [{title: "x", author_id: 1, user_id: 1}]) { affected_rows } }', headers: asUser(2) });
    expect(r.errors?.[0]).toMatchObject({ message: "field 'user_id' not found in type: 'article_insert_input'", extensions: { code: 'validation-failed' } });
  });

  it('update: the filter limits the rows, presets apply, a failed check rolls back', async () => {
    const before = await fixture().sql('app', 'SELECT id, title, views, published FROM article ORDER BY id');
    const r = await fixture().engine.execute({ query: 'mutation { update_article(where: {}, _inc: {views: 1}) { affected_rows returning { id views published } } }', headers: asUser(1) });
    const mine = await fixture().sql('app', 'SELECT id, views, published FROM article WHERE user_id = 1 ORDER BY id');
    expect(r).toEqual({ data: { update_article: { affected_rows: mine.length, returning: mine } } });
    expect(mine.every((x) => x.published === true)).toBe(true);
    const others = await fixture().sql('app', 'SELECT id, title, views, published FROM article WHERE user_id IS DISTINCT FROM 1 ORDER BY id');
    expect(others).toEqual(before.filter((b) => !mine.some((m) => m.id === b.id)));

    const failed = await fixture().engine.execute({ query: 'mutation { update_article(where: {}, _set: {views: 5000}) { affected_rows } }', headers: asUser(1) });
    expect(failed.errors?.[0]?.extensions.code).toBe('permission-error');
    expect(await fixture().sql('app', 'SELECT id, views, published FROM article WHERE user_id = 1 ORDER BY id')).toEqual(mine);
  });

  it('delete: the filter limits the rows', async () => {
    await fixture().sql('app', "INSERT INTO article (author_id, title, user_id) VALUES (1, 'del-1', 1), (1, 'del-3', 3)");
    const r = await fixture().engine.execute({ query: 'mutation { delete_article(where: {title: {_like: "del-%"}}) { affected_rows returning { title } } }', headers: asUser(3) });
    expect(r).toEqual({ data: { delete_article: { affected_rows: 1, returning: [{ title: 'del-3' }] } } });
    expect(await fixture().sql('app', "SELECT title FROM article WHERE title LIKE 'del-%'")).toEqual([{ title: 'del-1' }]);
  });

  it('a constraint violation shows Postgres\'s reason; SQL only to admins', async () => {
    const user = await fixture().engine.execute({ query: 'mutation { insert_article_one(object: {title: "fk", author_id: 999}) { title } }', headers: asUser(1) });
    expect(user.errors?.[0]).toMatchObject({ message: expect.stringMatching(/^Foreign key violation\. insert or update on table "article" violates foreign key constraint/), extensions: { code: 'constraint-violation' } });
    expect(user.errors?.[0]?.extensions).not.toHaveProperty('internal');
    const admin = await fixture().engine.execute({ query: 'mutation { insert_article_one(object: {title: "fk", author_id: 999}) { title } }' });
    expect(admin.errors?.[0]?.extensions.internal).toMatchObject({ code: '23503', statement: expect.stringContaining('INSERT INTO "public"."article"') });
  });

  it('a role without insert permission has no such field', async () => {
    const r = await fixture().engine.execute({ query: 'mutation { insert_author_one(object: {name: "x"}) { id } }', headers: asUser(1) });
    expect(r.errors?.[0]).toMatchObject({ message: "field 'insert_author_one' not found in type: 'mutation_root'", extensions: { code: 'validation-failed' } });
    const backend = await fixture().engine.execute({ query: 'mutation { insert_author_one(object: {name: "Backend"}) { name } }', headers: asUser(1, 7, { 'x-hasura-use-backend-only-permissions': 'true' }) });
    // The new author is in tenant 7 (preset), which the role's select filter (tenant 7) shows.
    expect(backend).toEqual({ data: { insert_author_one: { name: 'Backend' } } });
    expect(await fixture().sql('app', "SELECT tenant FROM author WHERE name = 'Backend'")).toEqual([{ tenant: 7 }]);
  });
});
