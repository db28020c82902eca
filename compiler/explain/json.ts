/**
 * Plan → versioned explain JSON (DESIGN.md §5.3). Explain walks the same Plan the runtime
 * executes; `analyze` figures are merged in by the runtime when it ran the plan.
 */
import type { Plan, Strategy } from '../plan/types.js';

export interface ExplainStep {
  readonly id: number;
  readonly source: string;
  readonly kind: 'fetch' | 'remote-join' | 'semi-join' | 'mutation';
  readonly sql: string;
  /** remote-join: the step whose rows it joins to. */
  readonly parent?: number;
  /** semi-join: the step whose statement uses its keys (runs before it). */
  readonly feeds?: number;
  /** semi-join: `order` when it fetches (key, rank) pairs for ordering by a remote field. */
  readonly purpose?: 'order';
  /** Present with --analyze. */
  analyze?: { rows: number; keys?: number; statements: number; ms: number };
}

export interface ExplainRemoteJoin {
  readonly path: string;
  readonly relationship: string;
  readonly from: string;
  readonly to: string;
  readonly strategy: Strategy;
  readonly reason: string;
  readonly step: number;
}

/**
 * A subscription's explain (issue 14): the steps are the plan of one cohort; this says how
 * a poll runs them for all cohorts of the poller (runtime/live/explain.ts).
 */
export interface ExplainSubscription {
  readonly kind: 'live' | 'stream';
  readonly intervalMs: number;
  /** Polls of the cohorts of one poller are sent together, statements of the same text as one. */
  readonly multiplexed: boolean;
  /** What subscribers share a poller, and a cohort (one execution and one response) in it. */
  readonly pollerKey: string;
  readonly cohortKey: string;
  /** Statements a poll sends, whatever the number of cohorts: one per step. */
  readonly statementsPerPoll: number;
  /** Per step, the statement a poll sends for several cohorts (`sql` undefined: it runs once per cohort). */
  readonly statements: { readonly step: number; readonly source: string; readonly sql?: string }[];
}

export interface ExplainJson {
  readonly version: 1;
  readonly steps: ExplainStep[];
  readonly remoteJoins: ExplainRemoteJoin[];
  /** Subscriptions only. */
  subscription?: ExplainSubscription;
}

export function explainPlan(plan: Plan): ExplainJson {
  const steps: ExplainStep[] = plan.steps.map((s) => {
    switch (s.kind) {
      case 'fetch':
        return { id: s.id, source: s.source, kind: 'fetch', sql: s.sql.text };
      case 'remote-join':
        return { id: s.id, source: s.source, kind: 'remote-join', sql: s.sql.text, parent: s.parent };
      case 'semi-join':
        return { id: s.id, source: s.source, kind: 'semi-join', sql: s.sql.text, feeds: s.consumer, ...(s.purpose === 'order' ? { purpose: 'order' as const } : {}) };
      case 'mutation':
        // Its statements run in order in the request's transaction on the source.
        return { id: s.id, source: s.source, kind: 'mutation', sql: s.statements.flatMap((x) => (x.read ? [x.write.text, x.read.text] : [x.write.text])).join(';\n') };
    }
  });
  const remoteJoins: ExplainRemoteJoin[] = [];
  for (const s of plan.steps) {
    if (s.kind === 'fetch' || s.kind === 'mutation') continue;
    remoteJoins.push({ path: s.path, relationship: s.relationship, from: s.from, to: s.kind === 'remote-join' ? s.target : s.source, strategy: s.strategy, reason: s.reason, step: s.id });
  }
  for (const p of plan.pushdowns) {
    remoteJoins.push({ path: p.path, relationship: p.relationship, from: p.from, to: p.to, strategy: p.strategy, reason: p.reason, step: p.step });
  }
  return { version: 1, steps, remoteJoins };
}
