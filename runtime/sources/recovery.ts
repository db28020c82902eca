/**
 * Sources that were down when the metadata loaded (issue 16): retried with exponential
 * backoff until one answers, then the engine reloads, so the source's tables and the
 * relationships into it are served without a restart. Hasura marks such a source
 * inconsistent and serves the rest; so does farjoin, and it also comes back by itself.
 */
export interface RetryOptions {
  /** First wait before a retry, in ms (default 1,000). */
  readonly initialMs?: number;
  /** Longest wait between retries, in ms (default 30,000). */
  readonly maxMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { initialMs: 1000, maxMs: 30_000 };

export class SourceRecovery {
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;
  private readonly settings: Required<RetryOptions>;

  /**
   * `probe` resolves true when some down source answers; `recovered` then runs (a reload);
   * when it fails, retrying goes on.
   */
  constructor(
    private readonly probe: () => Promise<boolean>,
    private readonly recovered: () => Promise<void>,
    options: RetryOptions = {},
  ) {
    this.settings = { ...DEFAULT_RETRY, ...options };
    this.schedule();
  }

  /** The wait before attempt `n` (0-based): initial × 2ⁿ, capped. */
  static delay(n: number, options: Required<RetryOptions>): number {
    return Math.min(options.maxMs, options.initialMs * 2 ** Math.min(n, 30));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.run(), SourceRecovery.delay(this.attempt++, this.settings));
    this.timer.unref();
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    let up = false;
    try {
      up = await this.probe();
    } catch {
      up = false;
    }
    if (this.stopped) return;
    if (!up) return this.schedule();
    try {
      await this.recovered();
    } catch {
      this.schedule();
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
