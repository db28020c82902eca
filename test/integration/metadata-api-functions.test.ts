/**
 * Tracked functions and computed fields through /v1/metadata (issue 11 item 6, issue 13):
 * with allow_inconsistent_metadata, a function or computed field that cannot be served is
 * reported and left out by itself — its source and table keep being served; and the
 * operations pg_track_function, pg_untrack_function, pg_add_computed_field,
 * pg_drop_computed_field, pg_create_function_permission, pg_drop_function_permission.
 */
import { describe, expect, it } from 'vitest';
import { useFixture } from '../helpers/lifecycle.js';
import { startMetadataFixture } from '../helpers/metadata-api.js';

const FUNCTIONS_SQL = `
CREATE FUNCTION orders_of(uid int) RETURNS SETOF orders LANGUAGE sql STABLE AS $$ SELECT * FROM orders WHERE user_id = uid $$;
CREATE FUNCTION orders_double(o orders) RETURNS int LANGUAGE sql STABLE AS $$ SELECT o.id * 2 $$;
`;
const fx = useFixture(() => startMetadataFixture({}, { source: FUNCTIONS_SQL }), (f) => f.close());

const fn = (name: string) => ({ schema: 'public', name });
const METADATA = {
  version: 3,
  sources: [
    {
      name: 'source_db', kind: 'postgres', configuration: { connection_info: { database_url: { from_env: 'SOURCE_DB_URL' } } },
      tables: [{ table: fn('orders'), computed_fields: [
        { name: 'double', definition: { function: fn('orders_double') } },
        { name: 'broken', definition: { function: fn('no_such_function') } },
      ] }],
      functions: [{ function: fn('orders_of') }, { function: fn('missing_fn') }],
    },
  ],
};

describe('metadata API: functions and computed fields', () => {
  it('leaves out only the function and the computed field that cannot be served', async () => {
    const r = await fx().meta({ type: 'replace_metadata', version: 2, args: { allow_inconsistent_metadata: true, metadata: METADATA } });
    expect(r.status).toBe(200);
    const objects = r.body.inconsistent_objects as { type: string; name: string; reason: string }[];
    expect(objects.map((o) => o.type).sort()).toEqual(['computed_field', 'function']);
    expect(objects.find((o) => o.type === 'function')!.reason).toContain('no such function exists in postgres : "missing_fn"');
    const d = await fx().graphql('{ orders_of(args: {uid: 1}, order_by: {id: asc}) { id double } }');
    expect(d).toEqual({ data: { orders_of: [{ id: 1, double: 2 }, { id: 2, double: 4 }] } });
    expect((await fx().meta({ type: 'export_metadata', args: {} })).body).toEqual(METADATA);
  });

  it('tracks and untracks functions and computed fields, with function permissions', async () => {
    const { meta, graphql } = fx();
    const base = { version: 3, sources: [{ ...METADATA.sources[0]!, tables: [{ table: fn('orders') }], functions: undefined }] };
    expect((await meta({ type: 'replace_metadata', version: 2, args: { metadata: base } })).status).toBe(200);
    expect((await meta({ type: 'pg_track_function', args: { source: 'source_db', function: fn('orders_of') } })).body).toEqual({ message: 'success' });
    expect(await graphql('{ orders_of(args: {uid: 2}) { id } }')).toEqual({ data: { orders_of: [{ id: 3 }] } });
    const again = await meta({ type: 'pg_track_function', args: { source: 'source_db', function: fn('orders_of') } });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ code: 'already-tracked', error: 'function already tracked: "orders_of"' });
    const missing = await meta({ type: 'pg_track_function', args: { source: 'source_db', function: fn('nope') } });
    expect(missing.body).toMatchObject({ code: 'not-exists' });

    const add = await meta({ type: 'pg_add_computed_field', args: { source: 'source_db', table: fn('orders'), name: 'double', definition: { function: fn('orders_double'), table_argument: 'o' } } });
    expect(add.status).toBe(200);
    expect(await graphql('{ orders(where: {id: {_eq: 4}}) { double } }')).toEqual({ data: { orders: [{ double: 8 }] } });
    // a computed field whose function breaks Hasura's rules is refused with the reason
    const bad = await meta({ type: 'pg_add_computed_field', args: { source: 'source_db', table: fn('orders'), name: 'bad', definition: { function: fn('orders_of') } } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('is not the table to which the computed field is being added');

    expect((await meta({ type: 'pg_create_function_permission', args: { source: 'source_db', function: fn('orders_of'), role: 'user' } })).status).toBe(200);
    const exported = (await meta({ type: 'export_metadata', args: {} })).body;
    expect(exported.sources[0].functions).toEqual([{ function: fn('orders_of'), permissions: [{ role: 'user' }] }]);
    expect(exported.sources[0].tables[0].computed_fields).toEqual([{ name: 'double', definition: { function: fn('orders_double'), table_argument: 'o' } }]);
    expect((await meta({ type: 'pg_drop_function_permission', args: { source: 'source_db', function: fn('orders_of'), role: 'user' } })).status).toBe(200);

    expect((await meta({ type: 'pg_drop_computed_field', args: { source: 'source_db', table: fn('orders'), name: 'double' } })).status).toBe(200);
    expect((await meta({ type: 'pg_untrack_function', args: { source: 'source_db', function: fn('orders_of') } })).status).toBe(200);
    expect((await graphql('{ orders_of(args: {uid: 2}) { id } }')).errors).toBeDefined();
    expect((await meta({ type: 'export_metadata', args: {} })).body).toEqual({ version: 3, sources: [{ ...base.sources[0], functions: undefined }] });
  });
});
