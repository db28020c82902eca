/**
 * Relationships through /v1/metadata (issue 13): suggested from foreign keys, local object
 * and array relationships (foreign key and manual), rename, drop, and remote ones created,
 * updated and deleted — each served at once; Hasura's errors for name clashes.
 */
import { describe, expect, it } from 'vitest';
import { useFixture } from '../helpers/lifecycle.js';
import { addSource, ORDERS_USER, startMetadataFixture } from '../helpers/metadata-api.js';

const ADDRESSES = `
CREATE TABLE public.address (id int PRIMARY KEY, user_id int REFERENCES public."user"(id), city text NOT NULL);
INSERT INTO public.address VALUES (1, 1, 'Lisbon'), (2, 1, 'Porto'), (3, 2, 'Oslo');`;

const fx = useFixture(async () => {
  const f = await startMetadataFixture({}, { target: ADDRESSES });
  const steps = [
    addSource('source_db'), addSource('target_db'),
    { type: 'pg_track_table', args: { source: 'source_db', table: 'orders' } },
    { type: 'pg_track_table', args: { source: 'target_db', table: 'user' } },
    { type: 'pg_track_table', args: { source: 'target_db', table: 'address' } },
  ];
  const r = await f.meta({ type: 'bulk', args: steps });
  if (r.status !== 200) throw new Error(JSON.stringify(r.body));
  return f;
}, (f) => f.close());

const rel = (type: string, args: Record<string, unknown>) => ({ type, args: { source: 'target_db', ...args } });

describe('metadata API: relationships', () => {
  it('suggests both directions of every foreign key between tracked tables', async () => {
    const r = await fx().meta({ type: 'pg_suggest_relationships', args: { source: 'target_db' } });
    expect(r).toEqual({
      status: 200,
      body: {
        relationships: [
          { type: 'object', from: { table: { schema: 'public', name: 'address' }, columns: ['user_id'], constraint_name: 'address_user_id_fkey' }, to: { table: { schema: 'public', name: 'user' }, columns: ['id'] } },
          { type: 'array', from: { table: { schema: 'public', name: 'user' }, columns: ['id'] }, to: { table: { schema: 'public', name: 'address' }, columns: ['user_id'], constraint_name: 'address_user_id_fkey' } },
        ],
      },
    });
  });

  it('creates object and array relationships on foreign keys, served at once', async () => {
    expect((await fx().meta(rel('pg_create_object_relationship', { table: 'address', name: 'owner', using: { foreign_key_constraint_on: 'user_id' } }))).body).toEqual({ message: 'success' });
    expect((await fx().meta(rel('pg_create_array_relationship', { table: 'user', name: 'addresses', using: { foreign_key_constraint_on: { table: 'address', column: 'user_id' } } }))).status).toBe(200);
    expect(await fx().graphql('{ user(order_by: {id: asc}, limit: 2) { name addresses(order_by: {id: asc}) { city owner { name } } } }')).toEqual({
      data: { user: [
        { name: 'Alice', addresses: [{ city: 'Lisbon', owner: { name: 'Alice' } }, { city: 'Porto', owner: { name: 'Alice' } }] },
        { name: 'Bob', addresses: [{ city: 'Oslo', owner: { name: 'Bob' } }] },
      ] },
    });
    expect((await fx().meta({ type: 'pg_suggest_relationships', args: { source: 'target_db', omit_tracked: true } })).body).toEqual({ relationships: [] });
  });

  it('refuses a name already used by a column or a relationship', async () => {
    expect(await fx().meta(rel('pg_create_object_relationship', { table: 'address', name: 'owner', using: { foreign_key_constraint_on: 'user_id' } }))).toEqual({
      status: 400, body: { path: '$.args', error: 'column/relationship "owner" of table "address" already exists', code: 'already-exists' },
    });
    expect((await fx().meta(rel('pg_create_object_relationship', { table: 'address', name: 'city', using: { foreign_key_constraint_on: 'user_id' } }))).body.code).toBe('already-exists');
    expect((await fx().meta(rel('pg_create_object_relationship', { table: 'nope', name: 'x', using: { foreign_key_constraint_on: 'user_id' } }))).body).toEqual({
      path: '$.args', error: 'table "nope" does not exist in source: target_db', code: 'not-exists',
    });
  });

  it('renames and drops a relationship', async () => {
    expect((await fx().meta(rel('pg_rename_relationship', { table: 'user', name: 'addresses', new_name: 'homes' }))).status).toBe(200);
    expect(await fx().graphql('{ user(where: {id: {_eq: 2}}) { homes { city } } }')).toEqual({ data: { user: [{ homes: [{ city: 'Oslo' }] }] } });
    const old = await fx().graphql('{ user { addresses { city } } }');
    expect(old.errors[0].extensions.code).toBe('validation-failed');
    expect((await fx().meta(rel('pg_drop_relationship', { table: 'user', relationship: 'homes' }))).status).toBe(200);
    expect((await fx().meta(rel('pg_drop_relationship', { table: 'user', relationship: 'homes' }))).body.code).toBe('not-exists');
    expect((await fx().graphql('{ user { homes { city } } }')).errors).toBeDefined();
  });

  it('creates a manual object relationship', async () => {
    const r = await fx().meta(rel('pg_create_object_relationship', {
      table: 'user', name: 'first_address', using: { manual_configuration: { remote_table: { schema: 'public', name: 'address' }, column_mapping: { id: 'id' } } },
    }));
    expect(r.status).toBe(200);
    expect(await fx().graphql('{ user(where: {id: {_eq: 3}}) { first_address { city } } }')).toEqual({ data: { user: [{ first_address: { city: 'Oslo' } }] } });
  });

  it('creates, updates and deletes a remote relationship', async () => {
    expect((await fx().meta(ORDERS_USER)).status).toBe(200);
    expect(await fx().graphql('{ orders(where: {id: {_eq: 3}}) { user { name } } }')).toEqual({ data: { orders: [{ user: { name: 'Bob' } }] } });
    const update = { ...ORDERS_USER, type: 'pg_update_remote_relationship', args: { ...ORDERS_USER.args, definition: { to_source: { ...ORDERS_USER.args.definition.to_source, relationship_type: 'array' } } } };
    expect((await fx().meta(update)).status).toBe(200);
    expect(await fx().graphql('{ orders(where: {id: {_eq: 3}}) { user { name } } }')).toEqual({ data: { orders: [{ user: [{ name: 'Bob' }] }] } });
    const del = { type: 'pg_delete_remote_relationship', args: { source: 'source_db', table: 'orders', name: 'user' } };
    expect((await fx().meta(del)).status).toBe(200);
    expect((await fx().meta(del)).body.code).toBe('not-exists');
    expect((await fx().graphql('{ orders { user { name } } }')).errors).toBeDefined();
    const remoteSchema = await fx().meta({ ...ORDERS_USER, args: { ...ORDERS_USER.args, definition: { to_remote_schema: { remote_schema: 'x', lhs_fields: ['id'], remote_field: {} } } } });
    expect(remoteSchema.body.code).toBe('not-supported');
  });
});
