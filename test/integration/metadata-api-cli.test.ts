/**
 * `farjoin metadata export|apply|diff` against a running server (issue 13), as CI would
 * run them: apply a file, diff it (same → 0, changed → 1 with the change), export to a
 * file, to Hasura's folder layout and to stdout; a wrong secret fails with the reason.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { readMetadataFile } from '../../runtime/metadata-file.js';
import { runCli } from '../helpers/cli.js';
import { useFixture } from '../helpers/lifecycle.js';
import { ADMIN_SECRET, EXAMPLE_ANSWER, EXAMPLE_QUERY, ORDERS_USER, startMetadataFixture } from '../helpers/metadata-api.js';

const fx = useFixture(() => startMetadataFixture(), (f) => f.close());
const dir = mkdtempSync(join(tmpdir(), 'farjoin-meta-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source = (name: string, env: string, tables: unknown[]) => ({ name, kind: 'postgres', configuration: { connection_info: { database_url: { from_env: env } } }, tables });
const METADATA = {
  version: 3,
  sources: [
    source('source_db', 'SOURCE_DB_URL', [{ table: { schema: 'public', name: 'orders' }, remote_relationships: [{ name: 'user', definition: ORDERS_USER.args.definition }] }]),
    source('target_db', 'TARGET_DB_URL', [{ table: { schema: 'public', name: 'user' } }]),
  ],
};

const cli = (...args: string[]) => runCli(['metadata', ...args, '--endpoint', fx().url, '--admin-secret', ADMIN_SECRET]);

describe('farjoin metadata', () => {
  it('has --help on each command', async () => {
    for (const c of ['export', 'apply', 'diff']) {
      const r = await runCli(['metadata', c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('--endpoint');
      expect(r.stdout).toContain('--file');
    }
  });

  it('applies a metadata file, which the server serves at once', async () => {
    const file = join(dir, 'metadata.yaml');
    writeFileSync(file, toYaml(METADATA));
    const r = await cli('apply', '--file', file);
    expect(r.stderr).toContain('applied');
    expect(r.code).toBe(0);
    expect(await fx().graphql(EXAMPLE_QUERY)).toEqual(EXAMPLE_ANSWER);
  });

  it('diffs: the same file exits 0, a changed one exits 1 and shows the change', async () => {
    const file = join(dir, 'metadata.yaml');
    expect((await cli('diff', '--file', file)).code).toBe(0);
    const changed = structuredClone(METADATA);
    delete (changed.sources[0]!.tables[0] as { remote_relationships?: unknown }).remote_relationships;
    writeFileSync(join(dir, 'changed.yaml'), toYaml(changed));
    const r = await cli('diff', '--file', join(dir, 'changed.yaml'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('--- server');
    expect(r.stdout).toMatch(/^-\s+field_mapping:/m);
    expect(r.stdout).not.toMatch(/^\+.*field_mapping/m);
  });

  it('exports to a file, to Hasura\'s folder layout and to stdout', async () => {
    expect((await cli('export', '--file', join(dir, 'out.json'))).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'))).toEqual(METADATA);
    const folder = join(dir, 'exported');
    expect((await cli('export', '--file', folder)).code).toBe(0);
    expect(existsSync(join(folder, 'version.yaml'))).toBe(true);
    expect(parseYaml(readFileSync(join(folder, 'databases', 'source_db', 'tables', 'tables.yaml'), 'utf8'))).toEqual(['!include public_orders.yaml']);
    expect(await readMetadataFile(folder)).toEqual(METADATA);
    const stdout = await cli('export');
    expect(parseYaml(stdout.stdout)).toEqual(METADATA);
    // What was exported applies unchanged.
    expect((await cli('apply', '--file', folder)).code).toBe(0);
    expect(await fx().graphql(EXAMPLE_QUERY)).toEqual(EXAMPLE_ANSWER);
  });

  it('fails with the server\'s reason', async () => {
    const denied = await runCli(['metadata', 'export', '--endpoint', fx().url, '--admin-secret', 'wrong']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('access-denied');
    const bad = structuredClone(METADATA);
    (bad.sources[0]!.tables[0] as { remote_relationships: { definition: { to_source: { field_mapping: unknown } } }[] }).remote_relationships[0]!.definition.to_source.field_mapping = { id: 'name' };
    writeFileSync(join(dir, 'bad.yaml'), toYaml(bad));
    const refused = await cli('apply', '--file', join(dir, 'bad.yaml'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('cannot be compared');
    const down = await runCli(['metadata', 'export', '--endpoint', 'http://127.0.0.1:1']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach');
  });
});
