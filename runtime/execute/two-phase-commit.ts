/**
 * Atomic commits across databases (DESIGN.md §9, beyond Hasura), in numbered steps:
 *
 * 1. Every database's transaction is prepared (`PREPARE TRANSACTION 'farjoin_<instance>_<txid>_<n>'`).
 *    A failure here rolls back every transaction, prepared or not: nothing is written.
 * 2. The decision to commit is recorded durably (decision-log.ts).
 * 3. `COMMIT PREPARED` on every database, then the record is removed. The outcome is
 *    commit from here on: a `COMMIT PREPARED` that fails (the connection lost, the database
 *    going down) does not fail the request — the others are still committed, the failed
 *    ones are retried in the background with backoff (commit-retry.ts), and the record is
 *    removed when the last one committed.
 *
 * A crash before 2 leaves prepared transactions without a record: recovery rolls them
 * back. A crash after 2 leaves a record: recovery commits what is still prepared. So once
 * farjoin starts again every database is either committed or rolled back. Recovery runs
 * at start-up (and at every metadata reload) for the transactions this instance owns (its
 * id prefixes their gids); it also finishes commits whose background retries gave up.
 *
 * The cost: one more round trip per database (PREPARE, then COMMIT PREPARED instead of
 * COMMIT), one fsynced file write and one unlink per request, and prepared transactions
 * hold their locks until step 3.
 *
 * Test hooks: `FARJOIN_TEST_2PC_CRASH=after-prepare|after-first-commit` kills the process
 * (SIGKILL) at that point, for the crash tests; `FARJOIN_TEST_2PC_CRASH=lose-last-commit`
 * closes the last database's connection just before its `COMMIT PREPARED` (the connection
 * lost after the decision), for the retry tests.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { FarjoinError } from '../../compiler/errors.js';
import type { Sources } from '../sources/sources.js';
import type { DecisionLog } from './decision-log.js';
import type { CommitRetrier, PendingCommit } from './commit-retry.js';

export const GID_PREFIX = 'farjoin_';
const GID = /^farjoin_[0-9a-f]+_[0-9a-f]+_[0-9]+$/;

export interface PreparedClient {
  readonly source: string;
  readonly client: pg.PoolClient;
}

/** A gid is written into the statement as a literal (PREPARE TRANSACTION takes no parameter): only our own pattern is allowed. */
function gidLiteral(gid: string): string {
  if (!GID.test(gid)) throw new FarjoinError('unexpected', `invalid transaction id ${gid}`, { visibility: 'internal' });
  return `'${gid}'`;
}

/**
 * Transactions this process is committing right now (any engine state). Recovery runs at
 * start-up and at every reload, while requests may be mid-commit: it leaves these alone —
 * rolling one back between PREPARE and the decision, or dropping its decision record
 * before the last COMMIT PREPARED, would half-apply it.
 */
const inFlight = new Set<string>();

function crashPoint(point: 'after-prepare' | 'after-first-commit'): void {
  if (process.env.FARJOIN_TEST_2PC_CRASH === point) process.kill(process.pid, 'SIGKILL');
}

/** The `lose-last-commit` test hook: the connection of `client` dies before its COMMIT PREPARED. */
function loseConnection(client: pg.PoolClient): void {
  if (process.env.FARJOIN_TEST_2PC_CRASH !== 'lose-last-commit') return;
  (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
}

export class TwoPhaseCommit {
  /** `max_prepared_transactions` per source, read once. */
  private readonly capacity = new Map<string, number>();

  constructor(private readonly log: DecisionLog, private readonly retrier: CommitRetrier) {}

  /**
   * Refuses, before anything is written, a request whose sources cannot prepare
   * transactions (`max_prepared_transactions = 0`), naming them and the fix.
   */
  async ensurePreparable(sources: Sources, names: readonly string[]): Promise<void> {
    const unable: string[] = [];
    for (const name of names) {
      let n = this.capacity.get(name);
      if (n === undefined) {
        const r = await sources.get(name).query<{ n: number }>("SELECT current_setting('max_prepared_transactions')::int AS n", []);
        n = r.rows[0]?.n ?? 0;
        this.capacity.set(name, n);
      }
      if (n <= 0) unable.push(name);
    }
    if (unable.length > 0) {
      throw new FarjoinError('not-supported',
        `this request writes to several databases (${names.join(', ')}), which farjoin commits atomically with two-phase commit, but ${unable.map((u) => `"${u}"`).join(', ')} cannot prepare transactions (max_prepared_transactions = 0); set max_prepared_transactions to at least the number of concurrent requests (e.g. 64) in postgresql.conf and restart that server, or send the mutations of each database in separate requests`,
        { path: '$' });
    }
  }

  /**
   * Steps 1–3 over the open transactions (one per source). Returns the sources whose
   * `COMMIT PREPARED` failed (their connections are not reusable; the commit is being
   * retried in the background).
   */
  async commit(sources: Sources, clients: readonly PreparedClient[]): Promise<Set<string>> {
    const instance = await this.log.instance(true);
    const txid = randomBytes(8).toString('hex');
    const gids = clients.map((_, i) => `${GID_PREFIX}${instance}_${txid}_${i}`);
    inFlight.add(txid);
    try {
      return await this.prepareAndCommit(sources, clients, txid, gids);
    } finally {
      inFlight.delete(txid);
    }
  }

  private async prepareAndCommit(sources: Sources, clients: readonly PreparedClient[], txid: string, gids: readonly string[]): Promise<Set<string>> {
    const prepared: number[] = [];
    try {
      for (let i = 0; i < clients.length; i++) {
        await clients[i]!.client.query(`PREPARE TRANSACTION ${gidLiteral(gids[i]!)}`);
        prepared.push(i);
      }
    } catch (e) {
      await Promise.all(clients.map(async ({ client }, i) => {
        await client.query(prepared.includes(i) ? `ROLLBACK PREPARED ${gidLiteral(gids[i]!)}` : 'ROLLBACK').catch(() => undefined);
      }));
      throw e;
    }
    crashPoint('after-prepare');
    try {
      await this.log.recordCommit(txid, gids);
    } catch (e) {
      // No decision: roll back what was prepared (recovery would, at the next start).
      await Promise.all(clients.map(({ client }, i) => client.query(`ROLLBACK PREPARED ${gidLiteral(gids[i]!)}`).catch(() => undefined)));
      throw e;
    }
    // The decision is commit: every database is committed now or by the retries.
    const failed: PendingCommit[] = [];
    for (let i = 0; i < clients.length; i++) {
      const { source, client } = clients[i]!;
      const statement = `COMMIT PREPARED ${gidLiteral(gids[i]!)}`;
      if (i === clients.length - 1) loseConnection(client);
      try {
        await client.query(statement);
      } catch {
        failed.push({ source, url: sources.get(source).settings.url, gid: gids[i]!, statement });
      }
      if (i === 0) crashPoint('after-first-commit');
    }
    if (failed.length === 0) await this.log.forget(txid);
    else this.retrier.schedule(txid, failed, () => this.log.forget(txid));
    return new Set(failed.map((f) => f.source));
  }

  /**
   * Resolves this instance's in-doubt transactions on every source: commit where a decision
   * is recorded, roll back otherwise; then drops the records nothing is prepared for.
   * Returns what it did, for the start-up log.
   */
  async recover(sources: Sources, unreachable: ReadonlySet<string> = new Set()): Promise<{ committed: string[]; rolledBack: string[] }> {
    const out = { committed: [] as string[], rolledBack: [] as string[] };
    const instance = await this.log.instance(false);
    if (!instance) return out;
    const prefix = `${GID_PREFIX}${instance}_`;
    for (const name of sources.names()) {
      if (unreachable.has(name)) continue; // down at start: searched at the reload that brings it back
      const source = sources.get(name);
      const r = await source.query<{ gid: string }>('SELECT gid FROM pg_prepared_xacts WHERE database = current_database() AND left(gid, length($1)) = $1', [prefix]);
      for (const { gid } of r.rows) {
        const txid = gid.slice(prefix.length).split('_')[0] ?? '';
        if (inFlight.has(txid)) continue;
        if (await this.log.committed(txid)) {
          await source.query(`COMMIT PREPARED ${gidLiteral(gid)}`, []);
          out.committed.push(gid);
        } else {
          await source.query(`ROLLBACK PREPARED ${gidLiteral(gid)}`, []);
          out.rolledBack.push(gid);
        }
      }
    }
    // Every source was searched: a record whose transactions are all resolved can go.
    if (unreachable.size === 0) for (const txid of await this.log.pending()) if (!inFlight.has(txid)) await this.log.forget(txid);
    return out;
  }
}
