/**
 * The join core, in the order it runs (DESIGN.md §5.1):
 *   1. the parent statement ran; its result holds key columns at known slots;
 *   2. `KeyCollector` gathered distinct key tuples from every row at the join site;
 *   3. one statement per chunk fetched the target entries for those keys;
 *   4. `JoinIndex` hashes the entries by key (this file);
 *   5. `materialize` stitches: each parent row looks its key up while the response is built.
 * Object joins keep the first entry per key; array joins keep every entry, in statement order.
 * Entries are a statement's top-level list, so they are `Columns` (columnar.ts): the
 * index records entry *positions* (integers), and the stitching builds target objects
 * from the columns at those positions.
 *
 * The index is built once, when it is first read. When every key is a non-negative
 * integer and the keys are dense (the usual integer ids), it is an array indexed by key
 * instead of a `Map`: reading an element is one memory access where a `Map.get` is
 * several, and array joins group their rows into exactly sized lists (count, then fill)
 * instead of growing them entry by entry. At 1e5–1e6 parents those cache misses and
 * reallocations were most of the join's time (join-core benchmark, issue 7).
 */
import type { RemoteJoinStep } from '../../compiler/plan/types.js';
import { Columns, concatColumns, toColumns } from './columnar.js';
import { hashKeyAt, type HashKey } from './keys.js';

/** Object and per-key joins: an entry's position. Array joins: positions, in statement order. */
type Value = number | number[];

/**
 * Largest key a dense table may have, given `count` entries: at most 16 slots (128 bytes)
 * per entry, about what a `Map` entry costs, so 1e4 users among ids up to 1e5 qualify.
 */
const denseLimit = (count: number): number => 16 * count + 1024;

interface Built {
  readonly columns: Columns;
  /** Keys outside the dense table (every key when there is none). */
  readonly map: Map<HashKey, Value>;
  readonly table: (Value | undefined)[] | null;
}

export class JoinIndex {
  entries = 0;
  private readonly chunks: Columns[] = [];
  private built: Built | undefined;

  constructor(readonly step: RemoteJoinStep) {}

  /** One statement's entries: columnar, or positional rows. */
  add(entries: unknown): void {
    const chunk = toColumns(entries);
    this.entries += chunk.n;
    this.chunks.push(chunk);
    this.built = undefined;
  }

  /** Every entry added, in order: positions in the index refer to these. */
  get columns(): Columns {
    return this.build().columns;
  }

  /** Object/per-key: key → position. Array: key → positions. Keys in `dense()` are not repeated here. */
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
    const columns = concatColumns(this.chunks);
    const table = this.denseTable(columns);
    this.built = table ? { columns, map: new Map(), table } : { columns, map: this.hashed(columns), table: null };
    return this.built;
  }

  /** The largest key when every key (of a single key column) is a dense non-negative integer, else -1. */
  private denseMax(keys: readonly unknown[], n: number): number {
    let max = -1;
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      if (k === null || k === undefined) continue;
      if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) return -1;
      if (k > max) max = k;
    }
    return max < denseLimit(n) ? max : -1;
  }

  private denseTable(columns: Columns): (Value | undefined)[] | null {
    const { step } = this;
    if (step.entryKeySlots.length !== 1) return null;
    const { n } = columns;
    const keys = columns.cols[step.entryKeySlots[0]!] ?? [];
    const max = this.denseMax(keys, n);
    if (max < 0) return null;
    const table = new Array<Value | undefined>(max + 1);
    if (step.mode === 'per-key') {
      for (let i = 0; i < n; i++) {
        const k = keys[i] as number | null | undefined;
        if (k !== null && k !== undefined) table[k] = i;
      }
      return table;
    }
    if (step.returns === 'object') {
      for (let i = 0; i < n; i++) {
        const k = keys[i] as number | null | undefined;
        if (k !== null && k !== undefined && table[k] === undefined) table[k] = i;
      }
      return table;
    }
    // Array: count per key, then fill lists of exactly that size, in statement order.
    const counts = new Uint32Array(max + 1);
    for (let i = 0; i < n; i++) {
      const k = keys[i] as number | null | undefined;
      if (k !== null && k !== undefined) counts[k]!++;
    }
    const filled = new Uint32Array(max + 1);
    for (let i = 0; i < n; i++) {
      const k = keys[i] as number | null | undefined;
      if (k === null || k === undefined) continue;
      let list = table[k] as number[] | undefined;
      if (list === undefined) {
        list = new Array<number>(counts[k]!);
        table[k] = list;
      }
      list[filled[k]!++] = i;
    }
    return table;
  }

  private hashed(columns: Columns): Map<HashKey, Value> {
    const { step } = this;
    const map = new Map<HashKey, Value>();
    const slots = step.entryKeySlots;
    const { n, cols } = columns;
    if (step.mode === 'per-key') {
      for (let i = 0; i < n; i++) {
        const h = hashKeyAt(cols, slots, i);
        if (h !== null) map.set(h, i);
      }
      return map;
    }
    if (step.returns === 'object') {
      for (let i = 0; i < n; i++) {
        const h = hashKeyAt(cols, slots, i);
        if (h !== null && !map.has(h)) map.set(h, i);
      }
      return map;
    }
    for (let i = 0; i < n; i++) {
      const h = hashKeyAt(cols, slots, i);
      if (h === null) continue;
      const list = map.get(h) as number[] | undefined;
      if (list) list.push(i);
      else map.set(h, [i]);
    }
    return map;
  }
}
