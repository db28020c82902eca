/** Upserts (issue 12): on_conflict {constraint, update_columns, where}, against plain SQL. */
import { describe, expect, it } from 'vitest';
import { useMutationFixture } from '../helpers/mutations.js';

const fixture = useMutationFixture({
  app: { author: {
    select_permissions: [
      { role: 'user', permission: { columns: ['id', 'name', 'email', 'rating'], filter: {} } },
      { role: 'editor', permission: { columns: ['id', 'name', 'email'], filter: {} } },
    ],
    insert_permissions: [
      { role: 'user', permission: { columns: ['name', 'email', 'rating'], check: {} } },
      { role: 'editor', permission: { columns: ['name', 'email'], check: {} } },
    ],
    update_permissions: [
      { role: 'user', permission: { columns: ['name'], filter: { tenant: { _eq: 'X-Hasura-Tenant-Id' } } } },
      { role: 'editor', permission: { columns: ['name'], filter: {}, check: { name: { _like: 'ok%' } } } },
    ],
  } },
});

describe('upserts', () => {
  it('updates the listed columns of the conflicting row and inserts the others', async () => {
    const r = await fixture().engine.execute({
      query: `mutation { insert_author(objects: [{name: "Ann2", email: "ann@x", rating: 9}, {name: "Fay", email: "fay@x"}],
        on_conflict: {constraint: author_email_key, update_columns: [name]}) { affected_rows returning { name email rating } } }`,
    });
    expect(r).toEqual({ data: { insert_author: { affected_rows: 2, returning: [{ name: 'Ann2', email: 'ann@x', rating: 5 }, { name: 'Fay', email: 'fay@x', rating: 0 }] } } });
    expect(await fixture().sql('app', "SELECT name, rating FROM author WHERE email IN ('ann@x', 'fay@x') ORDER BY email")).toEqual([{ name: 'Ann2', rating: 5 }, { name: 'Fay', rating: 0 }]);
  });

  it('empty update_columns: DO NOTHING, the conflicting row is not returned', async () => {
    const r = await fixture().engine.execute({ query: 'mutation { insert_author_one(object: {name: "nobody", email: "bob@x"}, on_conflict: {constraint: author_email_key, update_columns: []}) { id } }' });
    expect(r).toEqual({ data: { insert_author_one: null } });
    expect(await fixture().sql('app', "SELECT name FROM author WHERE email = 'bob@x'")).toEqual([{ name: 'Bob' }]);
  });

  it('on_conflict where: a row that fails it is left alone', async () => {
    const r = await fixture().engine.execute({ query: 'mutation { insert_author(objects: [{name: "Bob3", email: "bob@x"}], on_conflict: {constraint: author_email_key, update_columns: [name], where: {rating: {_gt: 100}}}) { affected_rows } }' });
    expect(r).toEqual({ data: { insert_author: { affected_rows: 0 } } });
    expect(await fixture().sql('app', "SELECT name FROM author WHERE email = 'bob@x'")).toEqual([{ name: 'Bob' }]);
  });

  it('a role upserts only its update columns, only on rows its update filter allows', async () => {
    const headers = { 'x-hasura-role': 'user', 'x-hasura-tenant-id': '2' };
    const cols = await fixture().engine.execute({ query: '{ __type(name: "author_update_column") { enumValues { name } } }', headers });
    expect(cols.data).toEqual({ __type: { enumValues: [{ name: 'name' }] } });
    // bob@x is tenant 1: the update filter (tenant 2) leaves it alone.
    const r = await fixture().engine.execute({ query: 'mutation { insert_author(objects: [{name: "Bob4", email: "bob@x"}], on_conflict: {constraint: author_email_key, update_columns: [name]}) { affected_rows } }', headers });
    expect(r).toEqual({ data: { insert_author: { affected_rows: 0 } } });
    expect(await fixture().sql('app', "SELECT name FROM author WHERE email = 'bob@x'")).toEqual([{ name: 'Bob' }]);
    const denied = await fixture().engine.execute({ query: 'mutation { insert_author(objects: [{name: "x", email: "bob@x"}], on_conflict: {constraint: author_email_key, update_columns: [rating]}) { affected_rows } }', headers });
    expect(denied.errors?.[0]?.extensions.code).toBe('validation-failed');
  });

  it("checks a row the upsert updated with the update permission's check, and an inserted row with the insert check (Hasura's rule)", async () => {
    const headers = { 'x-hasura-role': 'editor' };
    const upsert = (name: string, email: string) => fixture().engine.execute({
      query: `mutation { insert_author(objects: [{name: "${name}", email: "${email}"}], on_conflict: {constraint: author_email_key, update_columns: [name]}) { affected_rows } }`, headers,
    });
    const before = await fixture().sql('app', "SELECT name FROM author WHERE email = 'ann@x'");
    const refused = await upsert('bad name', 'ann@x');
    expect(refused.errors?.[0]?.extensions.code).toBe('permission-error');
    expect(await fixture().sql('app', "SELECT name FROM author WHERE email = 'ann@x'")).toEqual(before);
    expect((await upsert('ok ann', 'ann@x')).data).toEqual({ insert_author: { affected_rows: 1 } });
    expect(await fixture().sql('app', "SELECT name FROM author WHERE email = 'ann@x'")).toEqual([{ name: 'ok ann' }]);
    // A new row is inserted, not updated: only the insert check ({}) applies.
    expect((await upsert('any name', 'new-editor@x')).data).toEqual({ insert_author: { affected_rows: 1 } });
    expect(await fixture().sql('app', "SELECT name FROM author WHERE email = 'new-editor@x'")).toEqual([{ name: 'any name' }]);
  });
});
