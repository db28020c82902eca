/**
 * The join core, in the order it runs (DESIGN.md §5.1):
 *   1. the parent statement ran; its result holds key columns at known slots;
 *   2. `KeyCollector` gathered distinct key tuples from every row at the join site;
 *   3. one statement per chunk fetched the target entries for those keys;
 *   4. `JoinIndex` hashes the entries by key (this file);
 *   5. `materialize` stitches: each parent row looks its key up while the response is built.
 * Object joins keep the first entry per key; array joins keep every entry, in statement order.
 */
import type { RemoteJoinStep } from '../../compiler/plan/types.js';
import { hashKeyAt, type HashKey } from './keys.js';
import type { RawRow } from './walk.js';

export class JoinIndex {
  /** Object: key → row. Array: key → rows. */
  readonly map = new Map<HashKey, RawRow | RawRow[]>();
  entries = 0;

  constructor(readonly step: RemoteJoinStep) {}

  add(entries: readonly RawRow[]): void {
    const { step, map } = this;
    const slots = step.entryKeySlots;
    this.entries += entries.length;
    if (step.mode === 'per-key') {
      for (const e of entries) {
        const h = hashKeyAt(e, slots);
        if (h !== null) map.set(h, e[step.entryRowsSlot] as RawRow[]);
      }
      return;
    }
    if (step.returns === 'object') {
      for (const e of entries) {
        const h = hashKeyAt(e, slots);
        if (h !== null && !map.has(h)) map.set(h, e);
      }
      return;
    }
    for (const e of entries) {
      const h = hashKeyAt(e, slots);
      if (h === null) continue;
      const list = map.get(h) as RawRow[] | undefined;
      if (list) list.push(e);
      else map.set(h, [e]);
    }
  }
}
