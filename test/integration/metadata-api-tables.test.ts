/**
 * `POST /v1/metadata` from empty metadata (issue 13): sources, tracking, the
 * documentation's remote relationship, applied to the live schema at once; Hasura's
 * errors and shapes; admin only; a stale resource_version is 409.
 */
import { describe, expect, it } from 'vitest';
import { useFixture } from '../helpers/lifecycle.js';
import { ADMIN, addSource, EXAMPLE_ANSWER, EXAMPLE_QUERY, ORDERS_USER, startMetadataFixture } from '../helpers/metadata-api.js';

const fx = useFixture(() => startMetadataFixture(), (f) => f.close());

const track = (source: string, name: string) => ({ type: 'pg_track_table', args: { source, table: { schema: 'public', name } } });

describe('metadata API: sources and tables', () => {
  it('starts empty and refuses non-admins with Hasura\'s error', async () => {
    const exported = await fx().meta({ type: 'export_metadata', args: {} });
    expect(exported).toEqual({ status: 200, body: { version: 3, sources: [] } });
    expect(await fx().graphql('{ __typename }')).toEqual({ data: { __typename: 'query_root' } });
    const denied = await fx().meta({ type: 'export_metadata', args: {} }, { ...ADMIN, 'x-hasura-role': 'user' });
    expect(denied).toEqual({ status: 400, body: { path: '$.args', error: 'restricted access : admin only', code: 'access-denied' } });
    // The Hasura CLI reads the server's version to choose its features (v2: sources).
    expect(await (await fetch(`${fx().url}/v1/version`)).json()).toEqual({ version: 'v2.0.0-farjoin' });
    // An admin may send more than the GraphQL body limit (1 MiB); others are refused first.
    const big = { type: 'export_metadata', args: { padding: 'x'.repeat(2 * 1024 * 1024) } };
    expect((await fx().meta(big)).status).toBe(200);
    expect((await fx().meta(big, { ...ADMIN, 'x-hasura-role': 'user' })).body.code).toBe('access-denied');
    const anonymous = await fx().meta({ type: 'clear_metadata', args: {} }, {});
    expect(anonymous.status).toBe(400);
    expect(anonymous.body.code).toBe('access-denied');
  });

  it('adds both sources, tracks the tables and serves the remote relationship at once', async () => {
    expect(await fx().meta(addSource('source_db'))).toEqual({ status: 200, body: { message: 'success' } });
    expect((await fx().meta(addSource('target_db'))).status).toBe(200);
    expect((await fx().meta(track('source_db', 'orders'))).status).toBe(200);
    expect((await fx().meta(track('target_db', 'user'))).status).toBe(200);
    expect((await fx().meta(ORDERS_USER)).body).toEqual({ message: 'success' });
    expect(await fx().graphql(EXAMPLE_QUERY)).toEqual(EXAMPLE_ANSWER);
  });

  it('answers Hasura\'s errors for tracking', async () => {
    expect(await fx().meta(track('source_db', 'orders'))).toEqual({ status: 400, body: { path: '$.args', error: 'view/table already tracked: "orders"', code: 'already-tracked' } });
    expect(await fx().meta(track('source_db', 'nope'))).toEqual({ status: 400, body: { path: '$.args', error: 'no such table/view exists in source: "nope"', code: 'not-exists' } });
    expect(await fx().meta(track('nowhere', 'orders'))).toEqual({ status: 400, body: { path: '$.args', error: 'source with name "nowhere" does not exist', code: 'not-exists' } });
    expect((await fx().meta(addSource('source_db'))).body).toEqual({ path: '$.args', error: 'source with name "source_db" already exists', code: 'already-exists' });
    expect((await fx().meta({ type: 'pg_untrack_table', args: { source: 'target_db', table: 'nope' } })).body.code).toBe('already-untracked');
    const unknown = await fx().meta({ type: 'pg_frobnicate', args: {} });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('parse-failed');
  });

  it('refuses to untrack a table a remote relationship points at, unless cascade', async () => {
    const refused = await fx().meta({ type: 'pg_untrack_table', args: { source: 'target_db', table: { schema: 'public', name: 'user' } } });
    expect(refused).toEqual({ status: 400, body: { path: '$.args', error: 'cannot drop due to the following dependent objects : remote relationship orders.user in source source_db', code: 'dependency-error' } });
    expect((await fx().graphql(EXAMPLE_QUERY))).toEqual(EXAMPLE_ANSWER);
  });

  it('lists a source\'s tables and a table\'s columns and keys', async () => {
    expect((await fx().meta({ type: 'pg_get_source_tables', args: { source: 'target_db' } })).body).toEqual([{ schema: 'public', name: 'user' }]);
    expect((await fx().meta({ type: 'pg_get_source_tables', args: { source: 'nowhere' } })).body.code).toBe('not-exists');
    const info = (await fx().meta({ type: 'pg_get_table_info', args: { source: 'target_db', table: { schema: 'public', name: 'user' } } })).body;
    expect(info).toMatchObject({
      name: { schema: 'public', name: 'user' }, type: 'table', primary_key: ['id'],
      columns: [{ name: 'id', type: 'int4', nullable: false }, { name: 'name', type: 'text', nullable: false }],
    });
  });

  it('sees a table created in the database after start: listed and tracked at once', async () => {
    await fx().databases.dbs.target_db!.query('CREATE TABLE public.late (id int PRIMARY KEY); INSERT INTO public.late VALUES (42)');
    expect((await fx().meta({ type: 'pg_get_source_tables', args: { source: 'target_db' } })).body).toEqual([{ schema: 'public', name: 'late' }, { schema: 'public', name: 'user' }]);
    expect((await fx().meta(track('target_db', 'late'))).status).toBe(200);
    expect(await fx().graphql('{ late { id } }')).toEqual({ data: { late: [{ id: 42 }] } });
    expect((await fx().meta({ type: 'pg_untrack_table', args: { source: 'target_db', table: 'late' } })).status).toBe(200);
  });

  it('exports v2 with the resource version and refuses a stale one with 409', async () => {
    const v2 = (await fx().meta({ type: 'export_metadata', version: 2, args: {} })).body;
    expect(v2.metadata.sources.map((s: { name: string }) => s.name)).toEqual(['source_db', 'target_db']);
    const current = v2.resource_version as number;
    const stale = await fx().meta({ type: 'pg_set_table_customization', resource_version: current - 1, args: { source: 'target_db', table: 'user', configuration: { custom_name: 'people' } } });
    expect(stale).toEqual({ status: 409, body: { path: '$', error: `metadata resource version referenced (${current - 1}) did not match current version`, code: 'conflict' } });
    const fresh = await fx().meta({ type: 'pg_set_table_customization', resource_version: current, args: { source: 'target_db', table: 'user', configuration: { custom_name: 'people' } } });
    expect(fresh.status).toBe(200);
    expect(await fx().graphql('{ people(order_by: {id: asc}, limit: 1) { name } }')).toEqual({ data: { people: [{ name: 'Alice' }] } });
    expect((await fx().meta({ type: 'export_metadata', version: 2, args: {} })).body.resource_version).toBe(current + 1);
    await fx().meta({ type: 'pg_set_table_customization', args: { source: 'target_db', table: 'user', configuration: {} } });
  });

  it('refuses a relationship whose join keys cannot be compared, and applies nothing', async () => {
    const before = (await fx().meta({ type: 'export_metadata', args: {} })).body;
    const bad = await fx().meta({ ...ORDERS_USER, args: { ...ORDERS_USER.args, name: 'by_name', definition: { to_source: { ...ORDERS_USER.args.definition.to_source, field_mapping: { user_id: 'name' } } } } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid-configuration');
    expect(bad.body.error).toContain('cannot be compared');
    expect((await fx().meta({ type: 'export_metadata', args: {} })).body).toEqual(before);
  });

  it('untracks with cascade, removing the dependent relationship', async () => {
    expect((await fx().meta({ type: 'pg_untrack_table', args: { source: 'target_db', table: 'user', cascade: true } })).status).toBe(200);
    const md = (await fx().meta({ type: 'export_metadata', args: {} })).body;
    expect(md.sources[0].tables).toEqual([{ table: { schema: 'public', name: 'orders' } }]);
    expect(await fx().graphql('{ orders(limit: 1, order_by: {id: asc}) { id } }')).toEqual({ data: { orders: [{ id: 1 }] } });
    expect((await fx().meta({ type: 'pg_drop_source', args: { name: 'target_db' } })).status).toBe(200);
  });
});
