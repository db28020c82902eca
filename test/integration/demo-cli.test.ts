/**
 * `farjoin demo` as a user runs it (issue 16 "demo and exposure"): it listens on loopback by
 * default, prints its database URLs in full and writes them to an env file with which the
 * README's `explain` and `fdw setup` commands run as they are; Ctrl-C removes the file.
 * `serve` on a non-loopback address without an admin secret warns at start.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exposureWarning, isLoopback } from '../../cli/exposure.js';
import { packageFile } from '../../runtime/paths.js';
import { runCli, startDemo } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'farjoin-demo-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** KEY=value lines → an environment. */
const parseEnv = (text: string): Record<string, string> =>
  Object.fromEntries(text.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

describe('farjoin demo', () => {
  it('binds 127.0.0.1, prints full URLs, writes the env file the README recipes use, removes it on Ctrl-C', async () => {
    const envFile = join(dir, 'demo.env');
    const { child, stdout: output, stderr: errors, exited, port } = await startDemo(['--port', '0', '--env-out', envFile]);
    try {
      const stdout = output();
      const stderr = errors();
      expect(stdout).toMatch(/listening {2}127\.0\.0\.1:\d+ \(this machine only/);
      expect(port).toBeGreaterThan(0);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(stderr).not.toMatch(/without an admin secret/);
      // the URLs in full, the same as in the file (mode 0600: they hold the password)
      const env = parseEnv(readFileSync(envFile, 'utf8'));
      expect(Object.keys(env)).toEqual(['SOURCE_DB_URL', 'TARGET_DB_URL']);
      expect(env.SOURCE_DB_URL).toMatch(/^postgres:\/\/postgres:[0-9a-f]{24}@127\.0\.0\.1:\d+\/source_db$/);
      expect(stdout).toContain(`source_db  ${env.SOURCE_DB_URL}`);
      expect(stdout).toContain(`target_db  ${env.TARGET_DB_URL}`);
      expect(statSync(envFile).mode & 0o777).toBe(0o600);
      // README: SOURCE_DB_URL=… TARGET_DB_URL=… npx farjoin explain --metadata fixtures/demo/metadata.yaml --query …
      const metadata = packageFile('fixtures', 'demo', 'metadata.yaml');
      const explained = await runCli(['explain', '--metadata', metadata, '--query', '{ orders { id user { name } } }'], env);
      expect(explained.stderr).toBe('');
      expect(explained.code).toBe(0);
      expect(explained.stdout).toMatch(/remote-join/);
      const fdw = await runCli(['fdw', 'setup', '--metadata', metadata, '--from', 'source_db', '--to', 'target_db', '--dry-run'], env);
      expect(fdw.code).toBe(0);
      expect(fdw.stdout).toMatch(/CREATE SERVER/i);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(existsSync(envFile)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});

describe('exposure warning', () => {
  it('names the address and the fix when listening beyond loopback without an admin secret', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.5', 'example.com']) expect(isLoopback(h)).toBe(false);
    expect(exposureWarning('127.0.0.1', undefined)).toBeUndefined();
    expect(exposureWarning('0.0.0.0', 'secret')).toBeUndefined();
    expect(exposureWarning('0.0.0.0', undefined)).toBe('listening on 0.0.0.0 without an admin secret: anyone who can reach this address is admin (every query, explain, /v1/metadata). Pass --admin-secret or set FARJOIN_ADMIN_SECRET, or listen on loopback only with --host 127.0.0.1');
  });

  it('farjoin serve prints it at start', async () => {
    const child = spawn(process.execPath, [packageFile('bin', 'farjoin.js'), 'serve', '--port', '0', '--host', '0.0.0.0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let stderr = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no warning: ${stderr}`)), 20_000);
        child.stderr!.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (stderr.includes('warning: listening on 0.0.0.0 without an admin secret')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
