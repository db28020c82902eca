/**
 * Tracked functions and computed fields through /v1/metadata (issue 11 item 6, issue 13):
 * with allow_inconsistent_metadata, a function or computed field that cannot be served is
 * reported and left out by itself — its source and table keep being served.
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
    expect(objects.find((o) => o.type === 'function')!.reason).toContain('no such function exists in the database: public.missing_fn');
    const d = await fx().graphql('{ orders_of(args: {uid: 1}, order_by: {id: asc}) { id double } }');
    expect(d).toEqual({ data: { orders_of: [{ id: 1, double: 2 }, { id: 2, double: 4 }] } });
    expect((await fx().meta({ type: 'export_metadata', args: {} })).body).toEqual(METADATA);
  });
});
