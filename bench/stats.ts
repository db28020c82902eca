/** Small measuring helpers: adaptive repetition, medians, peak memory. */

export interface Timing {
  readonly iterations: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly p90Ms: number;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

export function summarize(samples: readonly number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    iterations: sorted.length,
    medianMs: quantile(sorted, 0.5),
    minMs: sorted[0] ?? Number.NaN,
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    p90Ms: quantile(sorted, 0.9),
  };
}

export interface RepeatOptions {
  /** Run at least this many times … */
  readonly minIterations: number;
  /** … and at most this many … */
  readonly maxIterations: number;
  /** … stopping once this much time has been spent (after the minimum). */
  readonly budgetMs: number;
}

/** `global.gc` when the process runs with `--expose-gc` (bench children do). */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

/**
 * Times `fn` repeatedly; `fn` returns the milliseconds it wants counted (so setup and
 * checks can stay outside the measurement).
 */
export async function repeat(options: RepeatOptions, fn: (iteration: number) => Promise<number> | number): Promise<Timing> {
  const samples: number[] = [];
  const started = performance.now();
  for (let i = 0; i < options.maxIterations; i++) {
    if (i >= options.minIterations && performance.now() - started > options.budgetMs) break;
    samples.push(await fn(i));
  }
  return summarize(samples);
}

/**
 * Runs several measurements round-robin (one of each per round, the order rotating), so
 * that a noisy machine slows all of them alike and their ratios stay fair. With
 * `gcBetween`, garbage is collected (untimed) before each run; the bench leaves it off,
 * because a forced full collection makes the next run several times slower than any
 * steady state does. A `null` entry is not run and yields `null`.
 */
export async function interleave<K extends string>(
  options: RepeatOptions, runs: Readonly<Record<K, (() => Promise<number> | number) | null>>, gcBetween = false,
): Promise<Record<K, Timing | null>> {
  const keys = Object.keys(runs) as K[];
  const samples = new Map<K, number[]>(keys.map((k) => [k, []]));
  await repeat(options, async (round) => {
    // Each round starts one system later, so none always runs right after the same other one.
    for (let j = 0; j < keys.length; j++) {
      const k = keys[(round + j) % keys.length]!;
      const run = runs[k];
      if (!run) continue;
      if (gcBetween) collectGarbage();
      samples.get(k)!.push(await run());
    }
    return 0;
  });
  const out = {} as Record<K, Timing | null>;
  for (const k of keys) out[k] = runs[k] ? summarize(samples.get(k)!) : null;
  return out;
}

/** Peak resident set size of this process so far, in bytes. */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

export function formatCount(n: number): string {
  const exp = Math.log10(n);
  return Number.isInteger(exp) && n >= 100 ? `1e${exp}` : String(n);
}
