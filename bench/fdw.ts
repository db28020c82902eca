/**
 * (e) farjoin's postgres_fdw plans need a foreign server in the parent's database. The
 * bench provisions it the way a user does — `farjoin fdw setup --metadata FILE --from SRC
 * --to TGT` (DESIGN.md §6), in both directions — and records the command's own message
 * when it cannot, so a missing or failing fdw path is reported, never faked.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageFile } from '../runtime/paths.js';
import { remoteMetadata, type BenchUrls } from './schema.js';

export type FdwSetupOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

function run(args: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [packageFile('bin', 'farjoin.js'), ...args], { timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
  });
}

export async function setupFdw(urls: BenchUrls, log: (m: string) => void): Promise<FdwSetupOutcome> {
  const dir = await mkdtemp(join(tmpdir(), 'farjoin-bench-'));
  try {
    const file = join(dir, 'metadata.json');
    await writeFile(file, JSON.stringify(remoteMetadata(urls)), { mode: 0o600 });
    for (const [from, to] of [['source_db', 'target_db'], ['target_db', 'source_db']] as const) {
      const r = await run(['fdw', 'setup', '--metadata', file, '--from', from, '--to', to]);
      if (r.code !== 0) {
        const message = r.output.split('\n').filter((l) => l.trim() !== '').slice(0, 3).join(' ').replace(/postgres:\/\/[^@\s]*@/g, 'postgres://***@');
        return { ok: false, reason: `\`farjoin fdw setup --from ${from} --to ${to}\` failed (exit ${r.code}): ${message.slice(0, 400)}` };
      }
      log(`fdw setup ${from} → ${to}: ${r.output.split('\n')[0] ?? 'ok'}`);
    }
    return { ok: true };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
