/**
 * Changes made through /v1/metadata are written back to the --metadata file or exported
 * directory they came from (issue 13): same format, same `!include` layout, new parts
 * beside their siblings, removed parts' files deleted; a restarted engine serves them.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createEngine } from '../../runtime/engine.js';
import { listen } from '../helpers/http.js';
import { addSource, ADMIN_SECRET, demoDatabases, EXAMPLE_ANSWER, EXAMPLE_QUERY, metadataClient, ORDERS_USER } from '../helpers/metadata-api.js';
import type { TestDatabases } from '../helpers/databases.js';

let databases: TestDatabases;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  ({ databases, env } = await demoDatabases());
  dir = mkdtempSync(join(tmpdir(), 'farjoin-meta-file-'));
});
afterAll(async () => {
  await databases?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `fn` against an engine on `metadataPath`, served over HTTP, then closes both. */
async function withEngine<T>(metadataPath: string, fn: (c: ReturnType<typeof metadataClient>) => Promise<T>): Promise<T> {
  const engine = await createEngine({ metadataPath, adminSecret: ADMIN_SECRET, env: { ...process.env, ...env } });
  const http = await listen(engine.handler);
  try {
    return await fn(metadataClient(http.url));
  } finally {
    await http.close();
    await engine.close();
  }
}

const track = (source: string, name: string) => ({ type: 'pg_track_table', args: { source, table: { schema: 'public', name } } });

describe('persistence to the metadata file', () => {
  it('writes a YAML file back as YAML, atomically, and a restart serves the changes', async () => {
    const file = join(dir, 'metadata.yaml');
    writeFileSync(file, '');
    await withEngine(file, async (c) => {
      for (const op of [addSource('source_db'), addSource('target_db'), track('source_db', 'orders'), track('target_db', 'user'), ORDERS_USER]) {
        expect((await c.meta(op)).status).toBe(200);
      }
      const exported = (await c.meta({ type: 'export_metadata', args: {} })).body;
      const text = readFileSync(file, 'utf8');
      expect(text.trimStart().startsWith('{')).toBe(false);
      expect(parseYaml(text)).toEqual(exported);
    });
    expect(readFileSync(file, 'utf8')).toContain('field_mapping:');
    await withEngine(file, async (c) => expect(await c.graphql(EXAMPLE_QUERY)).toEqual(EXAMPLE_ANSWER));
  });

  it('keeps a JSON file JSON', async () => {
    const file = join(dir, 'metadata.json');
    writeFileSync(file, JSON.stringify({ version: 3, sources: [] }));
    await withEngine(file, async (c) => expect((await c.meta(addSource('source_db'))).status).toBe(200));
    expect(JSON.parse(readFileSync(file, 'utf8')).sources[0].name).toBe('source_db');
  });

  it('keeps Hasura\'s exported directory layout: includes rewritten in place, new tables in new files, removed ones deleted', async () => {
    const root = join(dir, 'metadata');
    mkdirSync(join(root, 'databases', 'source_db', 'tables'), { recursive: true });
    writeFileSync(join(root, 'version.yaml'), 'version: 3\n');
    writeFileSync(join(root, 'databases', 'databases.yaml'), [
      '- name: source_db', '  kind: postgres', '  configuration:', '    connection_info:', '      database_url:', '        from_env: SOURCE_DB_URL',
      '  tables: "!include source_db/tables/tables.yaml"', '',
    ].join('\n'));
    writeFileSync(join(root, 'databases', 'source_db', 'tables', 'tables.yaml'), '- "!include public_orders.yaml"\n');
    writeFileSync(join(root, 'databases', 'source_db', 'tables', 'public_orders.yaml'), 'table:\n  name: orders\n  schema: public\n');
    await withEngine(root, async (c) => {
      for (const op of [addSource('target_db'), track('target_db', 'user'), ORDERS_USER]) expect((await c.meta(op)).status).toBe(200);
      expect(await c.graphql(EXAMPLE_QUERY)).toEqual(EXAMPLE_ANSWER);
    });
    const read = (...p: string[]) => readFileSync(join(root, 'databases', ...p), 'utf8');
    const databasesYaml = parseYaml(read('databases.yaml'));
    expect(databasesYaml.map((s: { tables: unknown }) => s.tables)).toEqual(['!include source_db/tables/tables.yaml', '!include target_db/tables/tables.yaml']);
    expect(parseYaml(read('target_db', 'tables', 'tables.yaml'))).toEqual(['!include public_user.yaml']);
    expect(parseYaml(read('target_db', 'tables', 'public_user.yaml'))).toEqual({ table: { schema: 'public', name: 'user' } });
    expect(parseYaml(read('source_db', 'tables', 'public_orders.yaml')).remote_relationships[0].name).toBe('user');
    expect(read('..', 'version.yaml')).toBe('version: 3\n');
    // A restart reads the same layout back and serves it.
    await withEngine(root, async (c) => {
      expect(await c.graphql(EXAMPLE_QUERY)).toEqual(EXAMPLE_ANSWER);
      expect((await c.meta({ type: 'pg_untrack_table', args: { source: 'target_db', table: 'user', cascade: true } })).status).toBe(200);
    });
    expect(existsSync(join(root, 'databases', 'target_db', 'tables', 'public_user.yaml'))).toBe(false);
    expect(parseYaml(read('target_db', 'tables', 'tables.yaml'))).toEqual([]);
    expect(parseYaml(read('source_db', 'tables', 'public_orders.yaml'))).toEqual({ table: { name: 'orders', schema: 'public' } });
  });

  it('keeps !include tags in a hand-split YAML file', async () => {
    const sub = join(dir, 'split');
    mkdirSync(sub);
    writeFileSync(join(sub, 'metadata.yaml'), 'version: 3\nsources: !include sources.yaml\n');
    writeFileSync(join(sub, 'sources.yaml'), JSON.stringify([{ name: 'source_db', kind: 'postgres', configuration: { connection_info: { database_url: { from_env: 'SOURCE_DB_URL' } } }, tables: [] }]));
    await withEngine(join(sub, 'metadata.yaml'), async (c) => expect((await c.meta(track('source_db', 'orders'))).status).toBe(200));
    expect(readFileSync(join(sub, 'metadata.yaml'), 'utf8')).toBe('version: 3\nsources: !include sources.yaml\n');
    expect(parseYaml(readFileSync(join(sub, 'sources.yaml'), 'utf8'))[0].tables).toEqual([{ table: { schema: 'public', name: 'orders' } }]);
  });
});
