/**
 * `bulk` is all or nothing (issue 13): a failing step (or a result that does not
 * validate) applies none of the steps, and the error names the step; a change made while
 * a request runs does not drop it; export_metadata → replace_metadata → serve --metadata
 * round-trips.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../runtime/engine.js';
import { useFixture } from '../helpers/lifecycle.js';
import { addSource, EXAMPLE_ANSWER, EXAMPLE_QUERY, ORDERS_USER, startMetadataFixture } from '../helpers/metadata-api.js';

const SLOW = `CREATE FUNCTION nap(seconds float8, v int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(seconds); RETURN v; END $$;
CREATE VIEW napping AS SELECT nap(0.8, 7) AS id;`;

const fx = useFixture(() => startMetadataFixture({}, { source: SLOW }), (f) => f.close());
const dir = mkdtempSync(join(tmpdir(), 'farjoin-bulk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const track = (source: string, name: string) => ({ type: 'pg_track_table', args: { source, table: { schema: 'public', name } } });
const exportMetadata = async () => (await fx().meta({ type: 'export_metadata', version: 2, args: {} })).body;

describe('metadata API: bulk', () => {
  it('applies nothing when a step fails, naming the step', async () => {
    const before = await exportMetadata();
    const r = await fx().meta({ type: 'bulk', args: [addSource('source_db'), track('source_db', 'orders'), track('source_db', 'orders')] });
    expect(r).toEqual({ status: 400, body: { path: '$.args[2].args', error: 'view/table already tracked: "orders"', code: 'already-tracked' } });
    expect(await exportMetadata()).toEqual(before);
    expect(await fx().graphql('{ orders { id } }')).toMatchObject({ errors: [{ extensions: { code: 'validation-failed' } }] });
  });

  it('applies nothing when the result does not validate', async () => {
    const before = await exportMetadata();
    const missing = await fx().meta({ type: 'bulk', args: [addSource('source_db'), track('source_db', 'nope')] });
    expect(missing.status).toBe(400);
    expect(missing.body.internal).toMatchObject([{ type: 'table', definition: { schema: 'public', name: 'nope' } }]);
    const bad = { ...ORDERS_USER, args: { ...ORDERS_USER.args, definition: { to_source: { ...ORDERS_USER.args.definition.to_source, field_mapping: { user_id: 'name' } } } } };
    const r = await fx().meta({ type: 'bulk', args: [addSource('source_db'), addSource('target_db'), track('source_db', 'orders'), track('target_db', 'user'), bad] });
    expect(r.status).toBe(400);
    expect(r.body.error).toContain('cannot be compared');
    expect(await exportMetadata()).toEqual(before);
  });

  it('applies every step at once and answers each', async () => {
    const r = await fx().meta({ type: 'bulk', args: [addSource('source_db'), addSource('target_db'), track('source_db', 'orders'), track('target_db', 'user'), ORDERS_USER, track('source_db', 'napping')] });
    expect(r).toEqual({ status: 200, body: Array(6).fill({ message: 'success' }) });
    expect(await fx().graphql(EXAMPLE_QUERY)).toEqual(EXAMPLE_ANSWER);
  });

  it('does not drop a request that runs while a change is applied', async () => {
    const inFlight = fx().graphql('{ napping { id } }');
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    expect((await fx().meta({ type: 'pg_untrack_table', args: { source: 'source_db', table: 'napping' } })).status).toBe(200);
    const applied = performance.now() - started;
    expect(await inFlight).toEqual({ data: { napping: [{ id: 7 }] } });
    expect(applied).toBeLessThan(600); // the change did not wait for the request either
    expect((await fx().graphql('{ napping { id } }')).errors).toBeDefined();
  });

  it('round-trips export_metadata → replace_metadata → serve --metadata', async () => {
    const exported = (await fx().meta({ type: 'export_metadata', args: {} })).body;
    expect(await fx().meta({ type: 'replace_metadata', args: exported })).toEqual({ status: 200, body: { message: 'success' } });
    expect(await fx().meta({ type: 'replace_metadata', version: 2, args: { metadata: exported } })).toEqual({ status: 200, body: { is_consistent: true, inconsistent_objects: [] } });
    expect((await fx().meta({ type: 'export_metadata', args: {} })).body).toEqual(exported);
    const file = join(dir, 'exported.json');
    writeFileSync(file, JSON.stringify(exported));
    const engine = await createEngine({ metadataPath: file, env: { ...process.env, ...fx().env } });
    try {
      expect(await engine.execute({ query: EXAMPLE_QUERY })).toEqual(EXAMPLE_ANSWER);
    } finally {
      await engine.close();
    }
  });

  it('clears the metadata', async () => {
    expect((await fx().meta({ type: 'clear_metadata', args: {} })).body).toEqual({ message: 'success' });
    expect((await fx().meta({ type: 'export_metadata', args: {} })).body).toEqual({ version: 3, sources: [] });
    expect(await fx().graphql('{ __typename }')).toEqual({ data: { __typename: 'query_root' } });
  });
});
