/**
 * Finishing a two-phase commit whose `COMMIT PREPARED` failed after the decision was
 * recorded (DESIGN.md §9; two-phase-commit.ts step 3). The outcome is already "commit":
 * the request answers success, and this retries each failed `COMMIT PREPARED` in the
 * background, in numbered steps:
 *
 * 1. Wait (`firstDelayMs`, doubling up to `maxDelayMs`), then connect with a client of its
 *    own (not the source's pool, which a metadata reload may close) and send
 *    `COMMIT PREPARED`. A transaction that is no longer prepared (SQLSTATE 42704) was
 *    committed already — the lost answer of the first attempt, or recovery at a reload.
 * 2. Each failure is logged (warn) with the next delay; success is logged (info).
 * 3. When every database of the transaction committed, the decision record is removed.
 * 4. After `maxAttempts` it stops and logs an error: the record stays, and the next
 *    start-up or metadata reload commits what is still prepared (recovery). Until then the
 *    rows are invisible on that database and the prepared transaction holds its locks —
 *    the case of a database down for longer than the retries last (default about 10 min).
 *
 * Timers are unref'd and `stop()` (engine close) ends the retries: what is left is
 * recovery's, at the next start.
 */
import pg from 'pg';
import type { EngineLogger } from '../server/log.js';

export interface CommitRetrySettings {
  /** Delay before the first retry, in ms (default 100). */
  readonly firstDelayMs?: number;
  /** Longest delay between retries, in ms (default 10,000). */
  readonly maxDelayMs?: number;
  /** Retries per prepared transaction before leaving it to recovery (default 70: about 10 minutes). */
  readonly maxAttempts?: number;
}

const DEFAULTS: Required<CommitRetrySettings> = { firstDelayMs: 100, maxDelayMs: 10_000, maxAttempts: 70 };

/** One prepared transaction still to commit: its database and gid (a literal of our own pattern). */
export interface PendingCommit {
  readonly source: string;
  readonly url: string;
  readonly gid: string;
  /** `COMMIT PREPARED '<gid>'`, built by two-phase-commit.ts (which checks the gid). */
  readonly statement: string;
}

export class CommitRetrier {
  private readonly settings: Required<CommitRetrySettings>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(settings: CommitRetrySettings = {}, private readonly logger: EngineLogger) {
    this.settings = { ...DEFAULTS, ...settings };
  }

  /** Retries `pending` of transaction `txid`; `done` runs once all of them committed (it removes the decision record). */
  schedule(txid: string, pending: readonly PendingCommit[], done: () => Promise<void>): void {
    const all = Promise.all(pending.map((p) => this.retry(txid, p))).then(async (committed) => {
      if (committed.every(Boolean)) await done();
    }).catch((e: unknown) => this.logger.error({ twoPhaseCommit: { txid }, err: e }, 'two-phase commit retry failed unexpectedly'));
    const tracked = all.finally(() => this.running.delete(txid));
    this.running.set(txid, tracked);
  }

  /** Transactions being retried (for tests and the log). */
  pending(): string[] {
    return [...this.running.keys()];
  }

  /** Resolves when every retry scheduled so far has finished (committed or given up). */
  async settled(): Promise<void> {
    await Promise.all(this.running.values());
  }

  /** Ends the retries (engine close); their transactions are left to recovery. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Steps 1, 2 and 4 for one database; true once it committed. */
  private async retry(txid: string, p: PendingCommit): Promise<boolean> {
    const { firstDelayMs, maxDelayMs, maxAttempts } = this.settings;
    let delay = firstDelayMs;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (!(await this.sleep(delay))) return false;
      try {
        await commitOnce(p);
        this.logger.info({ twoPhaseCommit: { txid, gid: p.gid, source: p.source, attempt } }, 'COMMIT PREPARED succeeded on retry');
        return true;
      } catch (e) {
        const next = Math.min(delay * 2, maxDelayMs);
        const last = attempt === maxAttempts;
        const detail = { twoPhaseCommit: { txid, gid: p.gid, source: p.source, attempt, ...(last ? {} : { nextRetryMs: next }) }, error: (e as Error).message };
        if (last) {
          this.logger.error(detail, 'COMMIT PREPARED still failing after the commit decision; giving up retrying: the decision record stays and farjoin commits the prepared transaction at its next start or metadata reload');
        } else {
          this.logger.warn(detail, 'COMMIT PREPARED failed after the commit decision; retrying in the background');
        }
        delay = next;
      }
    }
    return false;
  }

  private sleep(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve(!this.stopped);
      }, ms);
      t.unref();
      this.timers.add(t);
    });
  }
}

/** One attempt on a connection of its own; a transaction no longer prepared counts as committed. */
async function commitOnce(p: PendingCommit): Promise<void> {
  const client = new pg.Client({ connectionString: p.url, connectionTimeoutMillis: 5000, application_name: 'farjoin-2pc-retry' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(p.statement);
  } catch (e) {
    if ((e as { code?: string }).code === '42704') return; // no longer prepared: committed already
    throw e;
  } finally {
    await client.end().catch(() => undefined);
  }
}
