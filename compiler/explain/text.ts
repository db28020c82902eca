/** Explain JSON → the human-readable form printed by `farjoin explain`. */
import type { ExplainJson } from './json.js';

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
  return lines.join('\n').trimEnd() + '\n';
}
