/**
 * Permissions through /v1/metadata (issue 13): a select permission with a session-variable
 * row filter, limit and aggregations is served at once to that role; insert, update and
 * delete permissions are stored as Hasura stores them; Hasura's errors for duplicates.
 */
import { describe, expect, it } from 'vitest';
import { useFixture } from '../helpers/lifecycle.js';
import { ADMIN, addSource, startMetadataFixture } from '../helpers/metadata-api.js';

const fx = useFixture(async () => {
  const f = await startMetadataFixture();
  const r = await f.meta({ type: 'bulk', args: [addSource('source_db'), { type: 'pg_track_table', args: { source: 'source_db', table: 'orders' } }] });
  if (r.status !== 200) throw new Error(JSON.stringify(r.body));
  return f;
}, (f) => f.close());

const asUser = (id: string) => ({ ...ADMIN, 'x-hasura-role': 'user', 'x-hasura-user-id': id });
const perm = (kind: string, permission: unknown, role = 'user') =>
  ({ type: `pg_create_${kind}_permission`, args: { source: 'source_db', table: { schema: 'public', name: 'orders' }, role, permission } });
const drop = (kind: string, role = 'user') => ({ type: `pg_drop_${kind}_permission`, args: { source: 'source_db', table: 'orders', role } });

describe('metadata API: permissions', () => {
  it('serves a select permission to its role at once', async () => {
    expect((await fx().graphql('{ orders { id } }', asUser('1'))).errors).toBeDefined();
    const created = await fx().meta(perm('select', { columns: ['id', 'user_id'], filter: { user_id: { _eq: 'X-Hasura-User-Id' } }, limit: 10, allow_aggregations: true }));
    expect(created).toEqual({ status: 200, body: { message: 'success' } });
    expect(await fx().graphql('{ orders(order_by: {id: asc}) { id } orders_aggregate { aggregate { count } } }', asUser('1'))).toEqual({
      data: { orders: [{ id: 1 }, { id: 2 }], orders_aggregate: { aggregate: { count: 2 } } },
    });
  });

  it('refuses a second permission for the same role, and one for admin', async () => {
    expect(await fx().meta(perm('select', { columns: ['id'], filter: {} }))).toEqual({
      status: 400, body: { path: '$.args', error: '\'select\' permission on "orders" for role "user" already exists', code: 'already-exists' },
    });
    expect((await fx().meta(perm('select', { columns: ['id'], filter: {} }, 'admin'))).status).toBe(400);
  });

  it('stores insert, update and delete permissions and drops them', async () => {
    for (const [kind, permission] of [['insert', { check: { user_id: { _eq: 'X-Hasura-User-Id' } }, columns: ['id', 'user_id'] }], ['update', { columns: ['user_id'], filter: {}, check: {} }], ['delete', { filter: { id: { _gt: 5 } } }]] as const) {
      expect((await fx().meta(perm(kind, permission))).status).toBe(200);
    }
    const table = (await fx().meta({ type: 'export_metadata', args: {} })).body.sources[0].tables[0];
    expect(table.insert_permissions).toEqual([{ role: 'user', permission: { check: { user_id: { _eq: 'X-Hasura-User-Id' } }, columns: ['id', 'user_id'] } }]);
    expect(table.delete_permissions).toEqual([{ role: 'user', permission: { filter: { id: { _gt: 5 } } } }]);
    for (const kind of ['insert', 'update', 'delete']) expect((await fx().meta(drop(kind))).status).toBe(200);
    const after = (await fx().meta({ type: 'export_metadata', args: {} })).body.sources[0].tables[0];
    expect(Object.keys(after).sort()).toEqual(['select_permissions', 'table']);
  });

  it('drops the select permission, and the role sees nothing again', async () => {
    expect((await fx().meta(drop('select'))).status).toBe(200);
    expect(await fx().meta(drop('select'))).toEqual({
      status: 400, body: { path: '$.args', error: '\'select\' permission on "orders" for role "user" does not exist', code: 'not-exists' },
    });
    expect((await fx().graphql('{ orders { id } }', asUser('1'))).errors).toBeDefined();
  });
});
