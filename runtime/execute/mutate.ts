/**
 * Runs a plan's mutation steps (DESIGN.md §9), in numbered steps:
 *
 * 1. A request that writes to several databases is checked first: each must be able to
 *    prepare transactions, or the request is refused before anything is written.
 * 2. One transaction per database, opened at its first statement; the statements run in
 *    document order. A statement answers `[value, checksPassed]`: a failed permission
 *    check is Hasura's `permission-error`, and everything is rolled back.
 * 3. Commit: plain COMMIT for one database, two-phase commit for several
 *    (two-phase-commit.ts). Any failure before the commit rolls back every database.
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
import { mutationError } from './pg-errors.js';
import type { TwoPhaseCommit } from './two-phase-commit.js';

export function mutationSteps(plan: Plan): MutationStep[] {
  return plan.steps.filter((s): s is MutationStep => s.kind === 'mutation');
}

export async function runMutations(
  steps: readonly MutationStep[], sources: Sources, twoPhase: TwoPhaseCommit, onStatement?: (source: string, text: string) => void,
): Promise<Map<number, RawRow>> {
  const names = [...new Set(steps.map((s) => s.source))];
  if (names.length > 1) await twoPhase.ensurePreparable(sources, names);
  const open = new Map<string, pg.PoolClient>();
  const results = new Map<number, RawRow>();
  let broken = false;
  try {
    for (const step of steps) {
      // A namespaced field's key is `namespace.alias` (compiler/ir/lower.ts).
      const path = `$.selectionSet.${step.field.split('.').join('.selectionSet.')}`;
      let client = open.get(step.source);
      if (!client) {
        client = await connect(sources, step.source, path);
        open.set(step.source, client);
        await client.query('BEGIN');
      }
      const values: unknown[] = [];
      for (const statement of step.statements) {
        const answer = await run(client, step.source, statement.write, path, onStatement);
        // `[value, checksPassed]`, or with a read `[writtenRows, affectedRows, checksPassed]`.
        if (answer[answer.length - 1] !== true) throw new FarjoinError('permission-error', 'check constraint of an insert/update permission has failed', { path });
        if (!statement.read) {
          values.push(answer[0]);
          continue;
        }
        const filled = [...statement.read.values];
        filled[statement.read.placeholders.rows!] = JSON.stringify(answer[0]);
        filled[statement.read.placeholders.affected!] = answer[1];
        values.push((await run(client, step.source, { ...statement.read, values: filled }, path, onStatement))[0]);
      }
      results.set(step.id, step.many ? [values] : [values[0]]);
    }
    const clients = [...open].map(([source, client]) => ({ source, client }));
    if (clients.length === 1) {
      const [only] = clients;
      try {
        await only!.client.query('COMMIT');
      } catch (e) {
        throw mutationError(only!.source, e, 'COMMIT', '$');
      }
    } else if (clients.length > 1) {
      await twoPhase.commit(clients);
    }
    return results;
  } catch (e) {
    // Unprepared transactions roll back here; prepared ones were rolled back by the coordinator.
    broken = true;
    await Promise.all([...open.values()].map((c) => c.query('ROLLBACK').catch(() => undefined)));
    throw e;
  } finally {
    // A client whose transaction failed is discarded, not returned to the pool.
    for (const c of open.values()) c.release(broken);
  }
}

/** One statement's answer: its single row's `root` column. */
async function run(client: pg.PoolClient, source: string, statement: PrintedSql, path: string, onStatement?: (source: string, text: string) => void): Promise<readonly unknown[]> {
  onStatement?.(source, statement.text);
  try {
    const r = await client.query(statement.text, statement.values as unknown[]);
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
