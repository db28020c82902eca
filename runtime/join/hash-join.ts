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

/** Largest key a dense table may have, given `size` keys: bounds its wasted slots. */
const denseLimit = (size: number): number => 4 * size + 1024;

export class JoinIndex {
  /** Object: key → row. Array: key → rows. */
  readonly map = new Map<HashKey, RawRow | RawRow[]>();
  entries = 0;
  private table: readonly (RawRow | RawRow[] | undefined)[] | null | undefined;

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

  /**
   * The index as an array indexed by key, when every key is a non-negative integer and
   * the keys are dense (the usual integer ids); `null` otherwise. Reading an array
   * element is one memory access where a `Map.get` is several, and at 1e6 parents those
   * cache misses are most of the stitching time (join-core benchmark, issue 7).
   * Built once, after the last `add`; an absent key reads `undefined`, as from the map.
   */
  dense(): readonly (RawRow | RawRow[] | undefined)[] | null {
    if (this.table !== undefined) return this.table;
    const { map } = this;
    let max = -1;
    for (const k of map.keys()) {
      if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) return (this.table = null);
      if (k > max) max = k;
    }
    if (max < 0 || max >= denseLimit(map.size)) return (this.table = null);
    const table = new Array<RawRow | RawRow[] | undefined>(max + 1);
    for (const [k, v] of map) table[k as number] = v;
    return (this.table = table);
  }
}
