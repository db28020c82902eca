/** Explain JSON → the human-readable form printed by `farjoin explain`. */
import type { ExplainJson, ExplainSubscription } from './json.js';

export function explainText(e: ExplainJson): string {
  const lines: string[] = [];
  const joins = new Map(e.remoteJoins.map((j) => [j.step, j]));
  for (const s of e.steps) {
    const after = s.parent !== undefined ? ` (after step ${s.parent})` : s.feeds !== undefined ? ` (before step ${s.feeds}, which uses its keys)` : '';
    lines.push(`Step ${s.id}: ${s.kind} on ${s.source}${after}`);
    const j = joins.get(s.id);
    if (j) {
      lines.push(`  ${s.kind === 'semi-join' ? (s.purpose === 'order' ? 'remote order' : 'remote filter') : 'remote join'} ${j.path} (relationship "${j.relationship}", ${j.from} → ${j.to})`);
      lines.push(`  strategy: ${j.strategy}`);
      lines.push(`  reason:   ${j.reason}`);
    }
    if (s.analyze) {
      const keys = s.analyze.keys === undefined ? '' : `, ${s.analyze.keys} keys`;
      lines.push(`  analyze:  ${s.analyze.rows} rows${keys}, ${s.analyze.statements} statement(s), ${s.analyze.ms.toFixed(2)} ms`);
    }
    lines.push(`  sql: ${s.sql}`);
    lines.push('');
  }
  if (e.remoteJoins.length === 0) lines.push('No remote joins: every field is answered by its own source.');
  if (e.subscription) lines.push('', ...subscriptionText(e.subscription));
  return lines.join('\n').trimEnd() + '\n';
}

/** How a poll runs the steps above for every cohort (a subscription's explain). */
function subscriptionText(sub: ExplainSubscription): string[] {
  const lines = [
    `Subscription: ${sub.kind === 'stream' ? 'stream' : 'live query'}, polled every ${sub.intervalMs} ms${sub.multiplexed ? ', multiplexed' : ''}`,
    `  poller: ${sub.pollerKey}; cohort: ${sub.cohortKey}`,
    `  statements per poll: ${sub.statementsPerPoll}, whatever the number of cohorts`,
  ];
  for (const s of sub.statements) lines.push(`  step ${s.step} on ${s.source}, for all cohorts: ${s.sql ?? 'runs once per cohort (a parameter without a cast)'}`);
  return lines;
}
