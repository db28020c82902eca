/**
 * Every metadata mistake caught at start-up (issue 16): unknown keys at any level with a
 * "did you mean", unknown columns in permission `columns`, filters and presets and in
 * relationships, and operators that do not fit the column type — each an inconsistent
 * object with its path and fix, left out (a permission left out fails closed), while
 * the rest is served. Valid filters in Hasura's full syntax are not flagged.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { useFixture } from '../helpers/lifecycle.js';

const SQL = `
  CREATE TABLE owner (id int PRIMARY KEY, name text, tags jsonb);
  INSERT INTO owner VALUES (1, 'Ada', '{"a": 1}'), (2, 'Grace', '{}');
  CREATE TABLE item (id int PRIMARY KEY, owner_id int REFERENCES owner(id), title text);
  INSERT INTO item VALUES (10, 1, 'lamp'), (11, 2, 'desk'), (12, 1, 'chair');
  CREATE TABLE spare (id int PRIMARY KEY);`;

function perm(role: string, permission: Record<string, unknown>) {
  return { role, permission };
}

function metadata(url: string) {
  return {
    version: 3,
    sources: [{
      name: 'db', kind: 'postgres', configuration: { connection_info: { database_url: url } },
      tables: [
        {
          table: { schema: 'public', name: 'owner' },
          array_relationships: [{ name: 'items', using: { foreign_key_constraint_on: { table: 'item', column: 'owner_id' } } }],
          select_permissions: [
            // Hasura's full syntax: implicit _eq with a session variable, $-operators, _in with an array literal.
            perm('user', { columns: ['id', 'name'], filter: { $or: [{ id: 'X-Hasura-User-Id' }, { id: { _in: 'X-Hasura-Allowed-Ids' } }] } }),
            perm('typo_filter_column', { columns: ['id'], filter: { ownr: { _eq: 1 } } }),
            perm('like_on_int', { columns: ['id'], filter: { id: { _like: '1%' } } }),
            perm('has_key_on_text', { columns: ['id'], filter: { name: { _has_key: 'a' } } }),
            perm('typo_column', { columns: ['id', 'naem'], filter: {} }),
            perm('typo_key', { columns: ['id'], fliter: { id: { _eq: 1 } } }),
            perm('typo_computed_field', { columns: ['id'], computed_fields: ['full_nam'], filter: {} }),
          ],
          insert_permissions: [perm('user', { columns: ['name'], check: {}, set: { idd: 'X-Hasura-User-Id' } })],
        },
        {
          table: { schema: 'public', name: 'item' },
          object_relationships: [
            { name: 'owner', using: { foreign_key_constraint_on: 'owner_id' } },
            { name: 'owner_by_hand', using: { manual_configuraton: { remote_table: 'owner', column_mapping: { owner_id: 'id' } } } },
          ],
          select_permissions: [
            // Through a relationship; a misspelt column of the related table.
            perm('user', { columns: ['id', 'title', 'owner_id'], filter: { owner: { id: { _eq: 'X-Hasura-User-Id' } } } }),
            perm('typo_through_relationship', { columns: ['id'], filter: { owner: { nme: { _eq: 'Ada' } } } }),
          ],
        },
        // `select_permission:` instead of `select_permissions:` (issue 16).
        { table: { schema: 'public', name: 'spare' }, select_permission: [perm('user', { columns: ['id'], filter: {} })] },
      ],
    }],
  };
}

interface Fixture {
  databases: TestDatabases;
  engine: Engine;
}

const fixture = useFixture<Fixture>(async () => {
  const databases = await createDatabases({ db: { server: 'a', sql: SQL } });
  const engine = await createEngine({ metadata: metadata(databases.dbs.db!.url), adminSecret: 'pw' });
  return { databases, engine };
}, async (f) => {
  await f.engine.close();
  await f.databases.drop();
});

function find(name: string) {
  const o = fixture().engine.inconsistencies().filter((x) => x.name === name);
  expect(o, name).not.toEqual([]);
  return o;
}

const as = (role: string, extra: Record<string, string> = {}) => ({ 'x-hasura-admin-secret': 'pw', 'x-hasura-role': role, ...extra });

describe('metadata mistakes are reported at start-up', () => {
  it('unknown keys at any level, with "did you mean"', () => {
    expect(find('table spare in source db')[0]).toMatchObject({
      path: '$.sources[0].tables[2].select_permission',
      reason: 'Inconsistent object: unknown key "select_permission" (did you mean "select_permissions"?)',
      fix: 'rename "select_permission" to "select_permissions"',
    });
    expect(find('select_permission typo_key in table owner in source db')[0]).toMatchObject({
      path: '$.sources[0].tables[0].select_permissions[5].permission.fliter',
      fix: 'rename "fliter" to "filter"',
    });
    expect(find('object_relation owner_by_hand in table item in source db')[0]).toMatchObject({
      path: '$.sources[0].tables[1].object_relationships[1].using.manual_configuraton',
      fix: 'rename "manual_configuraton" to "manual_configuration"',
    });
  });

  it('unknown columns in permission columns, presets and filters, also through relationships', () => {
    expect(find('select_permission typo_column in table owner in source db')[0]).toMatchObject({
      path: '$.sources[0].tables[0].select_permissions[4].permission.columns',
      reason: 'Inconsistent object: in table "owner": in permission for role "typo_column": column "naem" does not exist in public.owner',
      fix: 'did you mean "name"?',
    });
    expect(find('select_permission typo_computed_field in table owner in source db')[0]).toMatchObject({
      path: '$.sources[0].tables[0].select_permissions[6].permission.computed_fields',
      reason: 'Inconsistent object: in table "owner": in permission for role "typo_computed_field": computed field "full_nam" is not defined on public.owner',
    });
    expect(find('insert_permission user in table owner in source db')[0]).toMatchObject({
      path: '$.sources[0].tables[0].insert_permissions[0].permission.set.idd',
      fix: 'did you mean "id"?',
    });
    expect(find('select_permission typo_filter_column in table owner in source db')[0]).toMatchObject({
      path: '$.sources[0].tables[0].select_permissions[1].permission.filter.ownr',
      reason: expect.stringContaining('field "ownr" not found'),
      fix: 'name a column or relationship of public.owner, or one of _and, _or, _not, _exists',
    });
    expect(find('select_permission typo_through_relationship in table item in source db')[0]).toMatchObject({
      path: '$.sources[0].tables[1].select_permissions[1].permission.filter.owner.nme',
      reason: expect.stringContaining('field "nme" not found'),
      fix: 'did you mean "name"?',
    });
  });

  it('operators that do not fit the column type', () => {
    expect(find('select_permission like_on_int in table owner in source db')[0]).toMatchObject({
      path: '$.sources[0].tables[0].select_permissions[2].permission.filter.id._like',
      reason: 'Inconsistent object: in table "owner": in permission for role "like_on_int": in "filter", column "id": "_like" compares text, and the column is of type int4',
    });
    expect(find('select_permission has_key_on_text in table owner in source db')[0]!.reason)
      .toContain('"_has_key" applies to jsonb, and the column is of type text');
  });

  it('flags nothing else: valid filters in Hasura\'s full syntax stay', () => {
    const names = fixture().engine.inconsistencies().map((o) => o.name);
    expect(names).not.toContain('select_permission user in table owner in source db');
    expect(names).not.toContain('select_permission user in table item in source db');
    expect(names).not.toContain('object_relation owner in table item in source db');
    expect(names).toHaveLength(10);
  });
});

describe('what is left out, and what is served', () => {
  it('a consistent permission answers real rows', async () => {
    const { engine } = fixture();
    expect(await engine.execute({ headers: as('user', { 'x-hasura-user-id': '1', 'x-hasura-allowed-ids': '{2}' }), query: '{ owner(order_by: {id: asc}) { id name } }' }))
      .toEqual({ data: { owner: [{ id: 1, name: 'Ada' }, { id: 2, name: 'Grace' }] } });
    expect(await engine.execute({ headers: as('user', { 'x-hasura-user-id': '1', 'x-hasura-allowed-ids': '{}' }), query: '{ item(order_by: {id: asc}) { id owner { name } } }' }))
      .toEqual({ data: { item: [{ id: 10, owner: { name: 'Ada' } }, { id: 12, owner: { name: 'Ada' } }] } });
  });

  it('an inconsistent permission fails closed: the role sees no table, not every row', async () => {
    const { engine } = fixture();
    for (const role of ['typo_filter_column', 'like_on_int', 'typo_column', 'typo_key']) {
      const r = await engine.execute({ headers: as(role), query: '{ owner { id } }' });
      expect(r.errors?.[0]?.message, role).toBe("field 'owner' not found in type: 'query_root'");
    }
  });

  it('an inconsistent table and relationship are left out; admin keeps the rest', async () => {
    const { engine } = fixture();
    const r = await engine.execute({ headers: { 'x-hasura-admin-secret': 'pw' }, query: '{ item(order_by: {id: asc}, limit: 1) { id owner { name } } }' });
    expect(r).toEqual({ data: { item: [{ id: 10, owner: { name: 'Ada' } }] } });
    expect((await engine.execute({ headers: { 'x-hasura-admin-secret': 'pw' }, query: '{ spare { id } }' })).errors?.[0]?.message).toBe("field 'spare' not found in type: 'query_root'");
    expect((await engine.execute({ headers: { 'x-hasura-admin-secret': 'pw' }, query: '{ item { owner_by_hand { id } } }' })).errors?.[0]?.message).toBe("field 'owner_by_hand' not found in type: 'item'");
  });
});
