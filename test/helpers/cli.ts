/** Runs the built `farjoin` CLI as a user would, capturing its output and exit code. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { packageFile } from '../../runtime/paths.js';

const exec = promisify(execFile);
const BIN = packageFile('bin', 'farjoin.js');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  try {
    const r = await exec(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 30_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}
