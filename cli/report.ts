/** How the CLI reports failures: one clear message, the fix, a non-zero exit code. */
import { isFarjoinError } from '../compiler/errors.js';

export function reportAndExit(e: unknown): never {
  if (isFarjoinError(e)) {
    const where = e.path && !e.message.includes(e.path) ? ` (at ${e.path})` : '';
    console.error(`farjoin: ${e.message}${where}`);
  } else {
    console.error(`farjoin: ${(e as Error)?.message ?? String(e)}`);
  }
  process.exit(1);
}

/** Runs `stop` once on SIGINT/SIGTERM, then exits. */
export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.error(`\nfarjoin: ${signal} received, shutting down…`);
    stop().then(() => process.exit(0), (e: unknown) => {
      console.error(`farjoin: shutdown failed: ${(e as Error).message}`);
      process.exit(1);
    });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** `--live-queries-refetch-interval MS`: a positive whole number of milliseconds. */
export function parseInterval(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--live-queries-refetch-interval must be a positive number of milliseconds, got "${value}"`);
  return n;
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port must be a number from 0 to 65535, got "${value}"`);
  return n;
}
