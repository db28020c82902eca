/**
 * Metadata is validated at load against the live catalogs (DESIGN.md §3): unknown
 * sources, tables and columns, duplicate field names, and join keys whose types cannot be
 * compared are all reported with their metadata path. `strictMetadata` (serve --strict)
 * refuses to start on them, as every test here checks; without it they are left out
 * (inconsistent-metadata.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';

let databases: TestDatabases;
beforeAll(async () => {
  databases = await createDatabases({
    one: { server: 'a', sql: 'CREATE TABLE items (id int PRIMARY KEY, code text, owner_id int8, name text);' },
    two: { server: 'b', sql: 'CREATE TABLE owners (id int PRIMARY KEY, code int, label text);' },
  });
});
afterAll(async () => {
  await databases?.drop();
});

function metadata(itemsTable: Record<string, unknown>, ownersTable: Record<string, unknown> = { table: { schema: 'public', name: 'owners' } }) {
  return {
    version: 3,
    sources: [
      { name: 'one', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.one!.url } }, tables: [itemsTable] },
      { name: 'two', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.two!.url } }, tables: [ownersTable] },
    ],
  };
}

function remote(name: string, mapping: Record<string, string>, extra: Record<string, unknown> = {}) {
  return { name, definition: { to_source: { relationship_type: 'object', source: 'two', table: { schema: 'public', name: 'owners' }, field_mapping: mapping, ...extra } } };
}

async function loadError(md: unknown): Promise<string> {
  try {
    const engine = await createEngine({ metadata: md, strictMetadata: true });
    await engine.close();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('metadata was accepted');
}

describe('metadata validation at load', () => {
  it('accepts int ↔ bigint join keys', async () => {
    const engine = await createEngine({ metadata: metadata({ table: { schema: 'public', name: 'items' }, remote_relationships: [remote('owner', { owner_id: 'id' })] }) });
    await engine.close();
  });

  it('rejects int ↔ text join keys with the path and both types (Hasura fails only at query time)', async () => {
    const msg = await loadError(metadata({ table: { schema: 'public', name: 'items' }, remote_relationships: [remote('owner', { code: 'code' })] }));
    expect(msg).toContain('$.sources[0].tables[0].remote_relationships[0].definition.to_source');
    expect(msg).toContain('join key one.items.code (text) cannot be compared with two.owners.code (int4)');
  });

  it('rejects unknown sources, tables and columns', async () => {
    expect(await loadError(metadata({ table: { schema: 'public', name: 'nope' } }))).toMatch(/\$\.sources\[0\]\.tables\[0\]\.table: no such table\/view exists in source: "public\.nope"/);
    expect(await loadError(metadata({ table: { schema: 'public', name: 'items' }, remote_relationships: [{ name: 'x', definition: { to_source: { relationship_type: 'object', source: 'three', table: { schema: 'public', name: 'owners' }, field_mapping: { id: 'id' } } } }] })))
      .toContain('the target source "three" is not declared in the metadata');
    expect(await loadError(metadata({ table: { schema: 'public', name: 'items' }, remote_relationships: [remote('owner', { missing: 'id' })] })))
      .toContain('public.items has no column "missing"');
    expect(await loadError(metadata({ table: { schema: 'public', name: 'items' }, remote_relationships: [remote('owner', { owner_id: 'missing' })] })))
      .toContain('public.owners has no column "missing"');
  });

  it('rejects a relationship to an untracked table', async () => {
    const msg = await loadError(metadata({ table: { schema: 'public', name: 'items' }, remote_relationships: [remote('owner', { owner_id: 'id' })] }, { table: { schema: 'public', name: 'owners_missing' } }));
    expect(msg).toContain('is not a tracked, consistent table');
  });

  it('rejects duplicate field names', async () => {
    const msg = await loadError(metadata({ table: { schema: 'public', name: 'items' }, remote_relationships: [remote('name', { owner_id: 'id' })] }));
    expect(msg).toContain('relationship "name" of items clashes with column "name"');
    const dup = await loadError(metadata({ table: { schema: 'public', name: 'items' }, remote_relationships: [remote('o', { owner_id: 'id' }), remote('o', { owner_id: 'id' })] }));
    expect(dup).toContain('duplicate field name "o"');
  });

  it('reports a missing environment variable and an unreachable database with the fix', async () => {
    const md = metadata({ table: { schema: 'public', name: 'items' } });
    (md.sources[1]!.configuration.connection_info as Record<string, unknown>).database_url = { from_env: 'FARJOIN_TEST_UNSET_VAR' };
    const env = await createEngine({ metadata: md, env: {}, strictMetadata: true }).then(() => '', (e: Error) => e.message);
    expect(env).toContain('FARJOIN_TEST_UNSET_VAR is not set');
    const down = metadata({ table: { schema: 'public', name: 'items' } });
    (down.sources[1]!.configuration.connection_info as Record<string, unknown>).database_url = 'postgres://postgres:secretpw@127.0.0.1:1/none';
    const msg = await createEngine({ metadata: down, strictMetadata: true }).then(() => '', (e: Error) => e.message);
    expect(msg).toContain('source "two" is unavailable');
    expect(msg).not.toContain('secretpw');
  });
});
