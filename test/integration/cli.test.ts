/** The CLI as a user runs it (DESIGN.md §6): `--help` everywhere, explain JSON, clear start-up errors. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startDemo, type DemoContext } from '../helpers/demo.js';

const farjoin = runCli;

let demo: DemoContext;
beforeAll(async () => {
  demo = await startDemo();
});
afterAll(async () => {
  await demo?.close();
});

describe('farjoin CLI', () => {
  it('has --help on every command', async () => {
    for (const cmd of [[], ['demo'], ['serve'], ['explain'], ['check']]) {
      const r = await farjoin([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Usage: farjoin');
    }
  });

  it('explain --format json prints the DESIGN.md §5.3 document: two steps, two-phase', async () => {
    const r = await farjoin(['explain', '--metadata', demo.metadataPath, '--format', 'json', '--query', '{ orders(order_by: {id: asc}) { id user { name } } }'], demo.env);
    expect(r.stderr).toBe('');
    const e = JSON.parse(r.stdout) as { version: number; steps: { id: number; source: string; kind: string; sql: string }[]; remoteJoins: { strategy: string; reason: string; path: string }[] };
    expect(e.version).toBe(1);
    expect(e.steps.map((s) => `${s.id}:${s.source}:${s.kind}`)).toEqual(['1:source_db:fetch', '2:target_db:remote-join']);
    expect(e.remoteJoins).toEqual([expect.objectContaining({ path: 'orders.user', strategy: 'two-phase', from: 'source_db', to: 'target_db' })]);
  });

  it('explain text and --analyze show strategy, reason, SQL and row counts', async () => {
    const r = await farjoin(['explain', '--metadata', demo.metadataPath, '--analyze', '--query', '{ orders { id user { name } } }'], demo.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Step 2: remote-join on target_db (after step 1)');
    expect(r.stdout).toContain('strategy: two-phase');
    expect(r.stdout).toMatch(/analyze: {2}3 rows, 4 keys, 1 statement\(s\)/);
  });

  it('explain reports query errors and exits non-zero', async () => {
    const r = await farjoin(['explain', '--metadata', demo.metadataPath, '--query', '{ nope }'], demo.env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("field 'nope' not found in type: 'query_root'");
  });

  it('serve --strict stops at start-up with the metadata path and the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'farjoin-cli-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, `version: 3
sources:
  - name: source_db
    kind: postgres
    configuration: { connection_info: { database_url: { from_env: SOURCE_DB_URL } } }
    tables:
      - table: { schema: public, name: orders }
        remote_relationships:
          - name: user
            definition:
              to_source: { relationship_type: object, source: target_db, table: { schema: public, name: user }, field_mapping: { user_id: id } }
`);
    const r = await farjoin(['serve', '--strict', '--metadata', bad, '--port', '0'], demo.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('$.sources[0].tables[0].remote_relationships[0].definition.to_source.source');
    expect(r.stderr).toContain('the target source "target_db" is not declared in the metadata; add source "target_db" under "sources", or fix the name');
    const missing = await farjoin(['serve', '--metadata', join(dir, 'absent.yaml')]);
    expect(missing.stderr).toContain('no such file');
  });
});
