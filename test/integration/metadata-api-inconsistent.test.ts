/**
 * Inconsistent metadata through /v1/metadata (issue 13): replace_metadata refuses it, or
 * with allow_inconsistent_metadata serves everything else and reports the objects as
 * get_inconsistent_metadata does; drop_inconsistent_metadata removes them; reload_metadata
 * re-reads the store and re-introspects.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../runtime/engine.js';
import { listen } from '../helpers/http.js';
import { useFixture } from '../helpers/lifecycle.js';
import { ADMIN_SECRET, EXAMPLE_QUERY, metadataClient, ORDERS_USER, startMetadataFixture } from '../helpers/metadata-api.js';

const fx = useFixture(() => startMetadataFixture(), (f) => f.close());

const source = (name: string, env: string, tables: unknown[]) => ({ name, kind: 'postgres', configuration: { connection_info: { database_url: { from_env: env } } }, tables });
const INCONSISTENT = {
  version: 3,
  sources: [
    source('source_db', 'SOURCE_DB_URL', [{
      table: { schema: 'public', name: 'orders' },
      remote_relationships: [
        { name: 'user', definition: ORDERS_USER.args.definition },
        { name: 'by_name', definition: { to_source: { ...ORDERS_USER.args.definition.to_source, field_mapping: { user_id: 'name' } } } },
      ],
    }, { table: { schema: 'public', name: 'no_such_table' } }]),
    source('target_db', 'TARGET_DB_URL', [{ table: { schema: 'public', name: 'user' } }]),
  ],
};

describe('metadata API: inconsistent metadata', () => {
  it('refuses inconsistent metadata without allow_inconsistent_metadata, and applies nothing', async () => {
    const r = await fx().meta({ type: 'replace_metadata', version: 2, args: { metadata: INCONSISTENT } });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ path: '$.args', error: 'cannot continue due to inconsistent metadata', code: 'unexpected' });
    expect(r.body.internal.map((o: { type: string }) => o.type).sort()).toEqual(['remote_relationship', 'table']);
    expect((await fx().meta({ type: 'export_metadata', args: {} })).body).toEqual({ version: 3, sources: [] });
  });

  it('with allow_inconsistent_metadata serves the rest and reports what it left out', async () => {
    const r = await fx().meta({ type: 'replace_metadata', version: 2, args: { allow_inconsistent_metadata: true, metadata: INCONSISTENT } });
    expect(r.status).toBe(200);
    expect(r.body.is_consistent).toBe(false);
    const objects = r.body.inconsistent_objects as { type: string; name: string; reason: string; definition: Record<string, unknown> }[];
    expect(objects.map((o) => o.type).sort()).toEqual(['remote_relationship', 'table']);
    const rel = objects.find((o) => o.type === 'remote_relationship')!;
    expect(rel.definition).toMatchObject({ name: 'by_name', source: 'source_db', table: { schema: 'public', name: 'orders' } });
    expect(rel.reason).toContain('cannot be compared');
    expect(objects.find((o) => o.type === 'table')!.definition).toEqual({ schema: 'public', name: 'no_such_table' });
    // everything else is served, the documented query included
    expect((await fx().graphql(EXAMPLE_QUERY)).data.orders[0]).toEqual({ id: 1, user_id: 1, user: { id: 1, name: 'Alice' } });
    expect((await fx().graphql('{ orders { by_name { id } } }')).errors).toBeDefined();
    expect((await fx().meta({ type: 'get_inconsistent_metadata', args: {} })).body).toEqual({ is_consistent: false, inconsistent_objects: objects });
    // export keeps what was given, inconsistent objects included
    expect((await fx().meta({ type: 'export_metadata', args: {} })).body).toEqual(INCONSISTENT);
  });

  it('reload_metadata re-reads the store and reports the inconsistency again', async () => {
    const r = await fx().meta({ type: 'reload_metadata', args: { reload_sources: true } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ message: 'success', is_consistent: false });
    expect(r.body.inconsistent_objects).toHaveLength(2);
  });

  it('drop_inconsistent_metadata removes the inconsistent objects', async () => {
    expect((await fx().meta({ type: 'drop_inconsistent_metadata', args: {} })).body).toEqual({ message: 'success' });
    expect((await fx().meta({ type: 'get_inconsistent_metadata', args: {} })).body).toEqual({ is_consistent: true, inconsistent_objects: [] });
    const md = (await fx().meta({ type: 'export_metadata', args: {} })).body;
    expect(md.sources[0].tables).toEqual([{ table: { schema: 'public', name: 'orders' }, remote_relationships: [{ name: 'user', definition: ORDERS_USER.args.definition }] }]);
    expect((await fx().meta({ type: 'reload_metadata', args: {} })).body).toEqual({ message: 'success', is_consistent: true });
  });

  it('reports a database that does not answer, and adds nothing', async () => {
    const r = await fx().meta({ type: 'pg_add_source', args: { name: 'down', configuration: { connection_info: { database_url: 'postgres://nobody@127.0.0.1:1/none' } } } });
    expect(r.status).toBe(400);
    expect(r.body.error).toContain('down');
    expect((await fx().meta({ type: 'export_metadata', args: {} })).body.sources.map((s: { name: string }) => s.name)).toEqual(['source_db', 'target_db']);
  });

  it('drops what the engine left out of metadata read at start-up, and writes the file without it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'farjoin-drop-'));
    const file = join(dir, 'metadata.json');
    writeFileSync(file, JSON.stringify(INCONSISTENT));
    const engine = await createEngine({ metadataPath: file, adminSecret: ADMIN_SECRET, env: { ...process.env, ...fx().env } });
    const http = await listen(engine.handler);
    try {
      const c = metadataClient(http.url);
      const before = (await c.meta({ type: 'get_inconsistent_metadata', args: {} })).body;
      expect(before.is_consistent).toBe(false);
      expect(before.inconsistent_objects.length).toBeGreaterThanOrEqual(2);
      expect((await c.meta({ type: 'drop_inconsistent_metadata', args: {} })).status).toBe(200);
      expect((await c.meta({ type: 'get_inconsistent_metadata', args: {} })).body).toEqual({ is_consistent: true, inconsistent_objects: [] });
      const written = JSON.parse(readFileSync(file, 'utf8'));
      expect(written.sources[0].tables).toEqual([{ table: { schema: 'public', name: 'orders' }, remote_relationships: [{ name: 'user', definition: ORDERS_USER.args.definition }] }]);
      expect((await c.graphql(EXAMPLE_QUERY)).data.orders).toHaveLength(6);
    } finally {
      await http.close();
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
