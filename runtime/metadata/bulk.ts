/**
 * `bulk`: a list of operations applied in order to one private copy of the metadata, then
 * validated and applied once — all or nothing, as Hasura runs a bulk in one transaction.
 * An error names the failing operation: `$.args[2].args.table`.
 */
import { MetadataApiError } from './errors.js';
import { isObject, type Json, type RawMetadata } from './doc.js';

export interface BulkStep {
  readonly type: string;
  readonly version: number | undefined;
  readonly args: Json;
}

/** The steps of a bulk's `args`, each `{type, version?, args}`. */
export function bulkSteps(a: Json): BulkStep[] {
  if (!Array.isArray(a)) throw new MetadataApiError('parse-failed', 'expecting a list of operations for bulk', '$.args');
  return a.map((step, i) => {
    if (!isObject(step) || typeof step.type !== 'string') throw new MetadataApiError('parse-failed', 'key "type" not found', `$.args[${i}]`);
    return { type: step.type, version: typeof step.version === 'number' ? step.version : undefined, args: step.args ?? {} };
  });
}

/** Runs each step on `md`; a failing step's error gets the step's index in its path. */
export function runSteps(md: RawMetadata, steps: readonly BulkStep[], run: (md: RawMetadata, step: BulkStep) => Json): Json[] {
  return steps.map((step, i) => {
    try {
      return run(md, step);
    } catch (e) {
      if (e instanceof MetadataApiError && e.status === 400) {
        const rest = e.path.startsWith('$.args') ? e.path.slice('$.args'.length) : '';
        throw new MetadataApiError(e.code, e.message, `$.args[${i}].args${rest}`, e.status, e.internal);
      }
      throw e;
    }
  });
}
