/**
 * `farjoin check --metadata FILE` (DESIGN.md §6): connects to every source, checks the
 * metadata against the live catalogs and lists each inconsistent object with its path,
 * reason and fix. Exit code 0 when there is none, 1 otherwise (a source that does not
 * answer is inconsistent too). `--format json` prints Hasura's `get_inconsistent_metadata`
 * answer, each object with farjoin's `path` and `fix`.
 */
import { createEngine } from '../runtime/engine.js';
import type { InconsistentObject } from '../compiler/metadata/inconsistent.js';

export interface CheckCliOptions {
  readonly metadata: string;
  readonly format: 'text' | 'json';
}

export function formatInconsistencies(list: readonly InconsistentObject[]): string {
  return list.map((o) => [
    `  ${o.name}`,
    `    at:     ${o.path}`,
    `    reason: ${o.reason.replace(/^Inconsistent object: /, '')}`,
    `    fix:    ${o.fix}`,
  ].join('\n')).join('\n');
}

export async function runCheck(o: CheckCliOptions): Promise<number> {
  // Fails fast on sources that do not answer: `check` is run by a person waiting for it.
  const engine = await createEngine({ metadataPath: o.metadata, limits: { connectTimeoutMs: 5000 }, strictMetadata: false });
  try {
    const list = engine.inconsistencies();
    if (o.format === 'json') {
      console.log(JSON.stringify({ is_consistent: list.length === 0, inconsistent_objects: list }, null, 2));
    } else if (list.length === 0) {
      console.log(`${o.metadata}: metadata is consistent (${engine.compiler.model.tables.length} tables in ${engine.compiler.model.sources.length} sources)`);
    } else {
      console.log(`${o.metadata}: ${list.length} inconsistent object${list.length === 1 ? '' : 's'} (left out of the schema by \`farjoin serve\`):\n${formatInconsistencies(list)}`);
    }
    return list.length === 0 ? 0 : 1;
  } finally {
    await engine.close();
  }
}
