/**
 * The join core, in the order it runs (DESIGN.md §5.1):
 *   1. the parent statement ran; its result holds key columns at known slots;
 *   2. `KeyCollector` gathered distinct key tuples from every row at the join site;
 *   3. one statement per chunk fetched the target entries for those keys;
 *   4. `JoinIndex` hashes the entries by key (this file);
 *   5. `materialize` stitches: each parent row looks its key up while the response is built.
 * Object joins keep the first entry per key; array joins keep every entry, in statement order.
 *
 * The index is built once, when it is first read. When every key is a non-negative
 * integer and the keys are dense (the usual integer ids), it is an array indexed by key
 * instead of a `Map`: reading an element is one memory access where a `Map.get` is
 * several, and array joins group their rows into exactly sized lists (count, then fill)
 * instead of growing them entry by entry. At 1e5–1e6 parents those cache misses and
 * reallocations were most of the join's time (join-core benchmark, issue 7).
 */
import type { RemoteJoinStep } from '../../compiler/plan/types.js';
import { hashKeyAt, type HashKey } from './keys.js';
import type { RawRow } from './walk.js';

type Value = RawRow | RawRow[];

/**
 * Largest key a dense table may have, given `count` entries: at most 16 slots (128 bytes)
 * per entry, about what a `Map` entry costs, so 1e4 users among ids up to 1e5 qualify.
 */
const denseLimit = (count: number): number => 16 * count + 1024;

interface Built {
  /** Keys outside the dense table (every key when there is none). */
  readonly map: Map<HashKey, Value>;
  readonly table: (Value | undefined)[] | null;
}

export class JoinIndex {
  entries = 0;
  private readonly chunks: (readonly RawRow[])[] = [];
  private built: Built | undefined;

  constructor(readonly step: RemoteJoinStep) {}

  add(entries: readonly RawRow[]): void {
    this.entries += entries.length;
    this.chunks.push(entries);
    this.built = undefined;
  }

  /** Object: key → row. Array: key → rows. Keys in `dense()` are not repeated here. */
  get map(): ReadonlyMap<HashKey, Value> {
    return this.build().map;
  }

  /**
   * The index as an array indexed by key, or `null` when the keys are not dense
   * non-negative integers. An absent key reads `undefined`, as from the map.
   */
  dense(): readonly (Value | undefined)[] | null {
    return this.build().table;
  }

  private build(): Built {
    if (this.built) return this.built;
    const table = this.denseTable();
    this.built = table ? { map: new Map(), table } : { map: this.hashed(), table: null };
    return this.built;
  }

  /** The largest key when every key (of a single key column) is a dense non-negative integer, else -1. */
  private denseMax(): number {
    const slots = this.step.entryKeySlots;
    if (slots.length !== 1) return -1;
    const slot = slots[0]!;
    let max = -1;
    for (const chunk of this.chunks) {
      for (let i = 0; i < chunk.length; i++) {
        const k = chunk[i]![slot];
        if (k === null || k === undefined) continue;
        if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) return -1;
        if (k > max) max = k;
      }
    }
    return max < denseLimit(this.entries) ? max : -1;
  }

  private denseTable(): (Value | undefined)[] | null {
    const max = this.denseMax();
    if (max < 0) return null;
    const { step, chunks } = this;
    const slot = step.entryKeySlots[0]!;
    const table = new Array<Value | undefined>(max + 1);
    if (step.mode === 'per-key') {
      for (const chunk of chunks) {
        for (const e of chunk) {
          const k = e[slot] as number | null | undefined;
          if (k !== null && k !== undefined) table[k] = e[step.entryRowsSlot] as RawRow[];
        }
      }
      return table;
    }
    if (step.returns === 'object') {
      for (const chunk of chunks) {
        for (const e of chunk) {
          const k = e[slot] as number | null | undefined;
          if (k !== null && k !== undefined && table[k] === undefined) table[k] = e;
        }
      }
      return table;
    }
    // Array: count per key, then fill lists of exactly that size, in statement order.
    const counts = new Uint32Array(max + 1);
    for (const chunk of chunks) {
      for (const e of chunk) {
        const k = e[slot] as number | null | undefined;
        if (k !== null && k !== undefined) counts[k]!++;
      }
    }
    const filled = new Uint32Array(max + 1);
    for (const chunk of chunks) {
      for (const e of chunk) {
        const k = e[slot] as number | null | undefined;
        if (k === null || k === undefined) continue;
        let list = table[k] as RawRow[] | undefined;
        if (list === undefined) {
          list = new Array<RawRow>(counts[k]!);
          table[k] = list;
        }
        list[filled[k]!++] = e;
      }
    }
    return table;
  }

  private hashed(): Map<HashKey, Value> {
    const { step } = this;
    const map = new Map<HashKey, Value>();
    const slots = step.entryKeySlots;
    for (const entries of this.chunks) {
      if (step.mode === 'per-key') {
        for (const e of entries) {
          const h = hashKeyAt(e, slots);
          if (h !== null) map.set(h, e[step.entryRowsSlot] as RawRow[]);
        }
        continue;
      }
      if (step.returns === 'object') {
        for (const e of entries) {
          const h = hashKeyAt(e, slots);
          if (h !== null && !map.has(h)) map.set(h, e);
        }
        continue;
      }
      for (const e of entries) {
        const h = hashKeyAt(e, slots);
        if (h === null) continue;
        const list = map.get(h) as RawRow[] | undefined;
        if (list) list.push(e);
        else map.set(h, [e]);
      }
    }
    return map;
  }
}
