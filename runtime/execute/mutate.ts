/**
 * Runs a plan's mutation steps (DESIGN.md §9), in numbered steps:
 *
 * 1. A request that writes to several databases is checked first: each must be able to
 *    prepare transactions, or the request is refused before anything is written.
 * 2. One transaction per database, opened at its first statement; the statements run in
 *    document order. A statement answers `[value, checksPassed]`: a failed permission
 *    check is Hasura's `permission-error`, and everything is rolled back. A request whose
 *    mutations are one statement that checks nothing needs no BEGIN/COMMIT: Postgres runs
 *    a lone statement as its own transaction (one round trip instead of three).
 * 3. Commit: plain COMMIT for one database, two-phase commit for several
 *    (two-phase-commit.ts). Any failure before the commit rolls back every database.
 *
 * Cancellation (the client went away, the time limit, shutdown: `signal`) counts until the
 * commit starts: the statement running then is cancelled on its server
 * (`pg_cancel_backend`), its connection closed, and every transaction rolled back; no later
 * statement starts. A lone statement (no BEGIN) is only cancelled on its server: its answer
 * then tells whether it was cancelled or had already committed, and the request says which. Once COMMIT (or the first PREPARE TRANSACTION) is sent the request
 * finishes its commit whatever happens to the client, so what was decided is what the
 * databases hold.
 *
 * The results become the mutation steps' results; `executePlan` then runs the remote
 * joins under `returning`, after the commit, so they read committed data.
 */
import type pg from 'pg';
import { FarjoinError } from '../../compiler/errors.js';
import type { MutationStep, Plan } from '../../compiler/plan/types.js';
import type { PrintedSql } from '../../compiler/sql/builder.js';
import type { Sources } from '../sources/sources.js';
import type { RawRow } from '../join/walk.js';
import { cancelBackend, type ClientInternals } from '../sources/guarded-query.js';
import { cancelled } from './budget.js';
import { mutationError } from './pg-errors.js';
import type { TwoPhaseCommit } from './two-phase-commit.js';

export function mutationSteps(plan: Plan): MutationStep[] {
  return plan.steps.filter((s): s is MutationStep => s.kind === 'mutation');
}

export interface MutationOptions {
  readonly onStatement?: (source: string, text: string) => void;
  /** The request's cancellation; honoured until the commit starts. */
  readonly signal?: AbortSignal;
}

export async function runMutations(
  steps: readonly MutationStep[], sources: Sources, twoPhase: TwoPhaseCommit, options: MutationOptions = {},
): Promise<Map<number, RawRow>> {
  const { onStatement, signal } = options;
  const names = [...new Set(steps.map((s) => s.source))];
  if (names.length > 1) await twoPhase.ensurePreparable(sources, names);
  const lone = steps.length === 1 && steps[0]!.statements.length === 1 && !steps[0]!.statements[0]!.read && !steps[0]!.statements[0]!.checked;
  const open = new Map<string, pg.PoolClient>();
  const results = new Map<number, RawRow>();
  let broken = false;
  const lost = new Set<string>();
  let committing = false;
  let cancelSent = false;
  const stopped = (): boolean => signal?.aborted === true && !committing;
  const cancel = (): void => {
    if (committing) return;
    cancelSent = true;
    for (const [source, client] of open) {
      const { processID, connection } = client as unknown as ClientInternals;
      if (processID !== null) void cancelBackend(sources.get(source).settings.url, processID);
      // In a transaction, the server rolls back when it sees the closed connection. A lone
      // statement commits as it ends, so its connection stays open until the server answers:
      // cancelled (nothing written) or done (committed, and the request says so). Either way
      // the connection is discarded afterwards, so a late cancel reaches no later statement.
      if (!lone) connection.stream.destroy();
    }
  };
  signal?.addEventListener('abort', cancel, { once: true });
  const guard = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await work;
    } catch (e) {
      if (stopped()) throw cancelled(signal!);
      throw e;
    }
  };
  try {
    for (const step of steps) {
      if (stopped()) throw cancelled(signal!);
      // A namespaced field's key is `namespace.alias` (compiler/ir/lower.ts).
      const path = `$.selectionSet.${step.field.split('.').join('.selectionSet.')}`;
      let client = open.get(step.source);
      if (!client) {
        client = await connect(sources, step.source, path);
        client.on('error', ignore); // a connection closed by `cancel`: the statement reports it
        open.set(step.source, client);
        if (stopped()) throw cancelled(signal!);
        if (!lone) await guard(client.query('BEGIN'));
      }
      const values: unknown[] = [];
      for (const statement of step.statements) {
        if (stopped()) throw cancelled(signal!);
        const answer = await guard(run(client, step.source, statement.write, path, onStatement, statement.affectedOnly));
        // `[value, checksPassed]`, or with a read `[writtenRows, affectedRows, checksPassed]`.
        if (answer[answer.length - 1] !== true) throw new FarjoinError('permission-error', 'check constraint of an insert/update permission has failed', { path });
        if (!statement.read) {
          values.push(answer[0]);
          continue;
        }
        const filled = [...statement.read.values];
        filled[statement.read.placeholders.rows!] = JSON.stringify(answer[0]);
        filled[statement.read.placeholders.affected!] = answer[1];
        values.push((await guard(run(client, step.source, { ...statement.read, values: filled }, path, onStatement)))[0]);
      }
      results.set(step.id, step.many ? [values] : [values[0]]);
    }
    // A lone statement committed as it ended: its answer stands.
    if (lone) return results;
    if (stopped()) throw cancelled(signal!);
    committing = true;
    const clients = [...open].map(([source, client]) => ({ source, client }));
    if (clients.length === 1) {
      const [only] = clients;
      try {
        await only!.client.query('COMMIT');
      } catch (e) {
        throw mutationError(only!.source, e, 'COMMIT', '$');
      }
    } else if (clients.length > 1) {
      // Connections whose COMMIT PREPARED failed (retried in the background) are discarded.
      for (const source of await twoPhase.commit(sources, clients)) lost.add(source);
    }
    return results;
  } catch (e) {
    // Unprepared transactions roll back here; prepared ones were rolled back by the coordinator.
    broken = true;
    await Promise.all([...open.values()].map((c) => c.query('ROLLBACK').catch(() => undefined)));
    throw e;
  } finally {
    signal?.removeEventListener('abort', cancel);
    // A client whose transaction failed is discarded, not returned to the pool.
    for (const [source, c] of open) {
      c.off('error', ignore);
      c.release(broken || cancelSent || lost.has(source));
    }
  }
}

const ignore = (): void => undefined;

/** One statement's answer: its single row's `root` column, or built from the row count of a bare write (`affectedOnly` fields). */
async function run(
  client: pg.PoolClient, source: string, statement: PrintedSql, path: string, onStatement?: (source: string, text: string) => void, affectedOnly?: number,
): Promise<readonly unknown[]> {
  onStatement?.(source, statement.text);
  try {
    const r = await client.query(statement.text, statement.values as unknown[]);
    if (affectedOnly !== undefined) return [new Array<number>(affectedOnly).fill(r.rowCount ?? 0), true];
    return (r.rows[0] as { root: unknown[] }).root;
  } catch (e) {
    throw mutationError(source, e, statement.text, path);
  }
}

async function connect(sources: Sources, name: string, path: string): Promise<pg.PoolClient> {
  try {
    return await sources.get(name).pool.connect();
  } catch (e) {
    throw mutationError(name, e, undefined, path);
  }
}
