/** Runs the built `farjoin` CLI as a user would, capturing its output and exit code. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
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

export interface DemoProcess {
  readonly child: ChildProcess;
  /** Its standard output and error so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with its exit code. */
  readonly exited: Promise<number | null>;
  /** The port it printed it listens on. */
  readonly port: number;
}

/**
 * Starts `farjoin demo` (the CLI at `bin`, this checkout's by default) with `args` and waits
 * until it prints that it is ready. The caller stops it (SIGINT) and kills it if that fails.
 */
export async function startDemo(args: readonly string[], options: { bin?: string; cwd?: string; env?: Record<string, string> } = {}): Promise<DemoProcess> {
  const child = spawn(process.execPath, [options.bin ?? BIN, 'demo', ...args], {
    cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo did not start: ${stderr}`)), 90_000);
      child.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('Ctrl-C stops')) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then(() => reject(new Error(`demo exited: ${stderr}`)));
    });
  } catch (e) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw e;
  }
  const port = Number(/listening {2}127\.0\.0\.1:(\d+)/.exec(stdout)?.[1]);
  return { child, stdout: () => stdout, stderr: () => stderr, exited, port };
}
