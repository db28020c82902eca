/**
 * Small CLI points of issue 16: `--version`, `--strategy semi-join` on explain, a database
 * URL without a scheme named as such (not the driver's misleading ECONNREFUSED), and the
 * start-up time counted from process start.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageFile } from '../../runtime/paths.js';
import { runCli } from '../helpers/cli.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';

const dir = mkdtempSync(join(tmpdir(), 'farjoin-cli-small-'));
const metadataFile = join(dir, 'metadata.json');
writeFileSync(metadataFile, JSON.stringify({
  version: 3,
  sources: [{ name: 'app', kind: 'postgres', configuration: { connection_info: { database_url: { from_env: 'APP_URL' } } }, tables: [{ table: { schema: 'public', name: 'items' } }] }],
}));
let databases: TestDatabases | undefined;
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await databases?.drop();
});

describe('farjoin CLI', () => {
  it('--version prints the package version', async () => {
    const version = (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
    }
  });

  it('explain takes --strategy semi-join', async () => {
    databases = await createDatabases({ app: { server: 'a', sql: 'CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1);' } });
    const r = await runCli(['explain', '--metadata', metadataFile, '--query', '{ items { id } }', '--strategy', 'semi-join'], { APP_URL: databases.dbs.app!.url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/FROM "public"\."items"/);
    const bad = await runCli(['explain', '--metadata', metadataFile, '--query', '{ items { id } }', '--strategy', 'nested-loop'], { APP_URL: databases.dbs.app!.url });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Allowed choices are auto, two-phase, fdw, semi-join.');
  });

  it('a database URL without a scheme, or with another one, is named as such', async () => {
    for (const [url, why] of [['localhost:5432/db', 'has no scheme (it must start with postgres://)'], ['mysql://u:secret@h/db', 'has the scheme "mysql://", not postgres://']] as const) {
      const r = await runCli(['check', '--metadata', metadataFile], { APP_URL: url });
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toContain(`source "app": the database URL at $.sources[0].configuration.connection_info.database_url.from_env (APP_URL) ${why}; write it as postgres://user:password@host:5432/database`);
      expect(r.stdout + r.stderr).not.toMatch(/ECONNREFUSED|secret/);
    }
  });
});
