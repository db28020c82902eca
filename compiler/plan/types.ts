/**
 * Plans (DESIGN.md §5): what the runtime executes and `explain` prints. Steps form a
 * tree by `parent`: a step runs once its parent's result is in; siblings run concurrently.
 *
 * Raw results are positional JSON (`json_build_array`), so GraphQL aliases never reach
 * SQL; `RowShape` says how to turn a raw row into a response object.
 */
import type { PgType } from '../catalog/types.js';
import type { PrintedSql } from '../sql/builder.js';
import type { KeyRange } from './key-form.js';

export type Strategy = 'two-phase' | 'fdw' | 'semi-join';

export interface Plan {
  readonly kind: 'plan';
  /** The GraphQL operation's type (metrics, logs). */
  readonly operation?: 'query' | 'mutation' | 'subscription';
  readonly root: RootShape;
  readonly steps: readonly Step[];
  /** Remote relationships answered inside another step's statement over postgres_fdw. */
  readonly pushdowns: readonly Pushdown[];
}

/** A remote filter or ordering pushed into `step`'s statement (DESIGN.md §5.2). */
export interface Pushdown {
  readonly step: number;
  readonly path: string;
  readonly relationship: string;
  readonly from: string;
  readonly to: string;
  readonly strategy: 'fdw';
  readonly reason: string;
}

export type Step = FetchStep | RemoteJoinStep | SemiJoinStep | MutationStep;

/**
 * One mutation root field (DESIGN.md §9): its statements run in order, inside the one
 * transaction of the request on `source` (two-phase commit when the request writes to
 * several sources). Each returns `[value, checksPassed]`; the step's result is `[value]`,
 * or `[[value …]]` for `update_T_many`. Remote joins under `returning` are its children
 * and run after the commit.
 */
/**
 * A write, and (when `returning` reads local relationships) the read of the response over
 * the written rows, sent next in the same transaction with the placeholders `rows` and
 * `affected` filled from the write's answer (compiler/sql/mutation.ts).
 */
export interface MutationStatement {
  readonly write: PrintedSql;
  readonly read?: PrintedSql;
  /** The write evaluates permission checks (its answer's last element); false: it cannot fail one. */
  readonly checked?: boolean;
  /**
   * The write is a bare INSERT/UPDATE/DELETE answering nothing: its answer is
   * `[[rowCount × affectedOnly], true]`, built from the command's row count.
   */
  readonly affectedOnly?: number;
}

export interface MutationStep {
  readonly kind: 'mutation';
  readonly id: number;
  readonly source: string;
  /** The root field's response key. */
  readonly field: string;
  readonly statements: readonly MutationStatement[];
  /** The first statement (every step has an `sql`; `statements` holds all of them). */
  readonly sql: PrintedSql;
  readonly many: boolean;
}

/**
 * A filter through a remote relationship, two-phase (DESIGN.md §5.2 `semi-join`): fetch the
 * distinct keys of the matching target rows first, then the consumer step's statement
 * filters its parent rows with `= ANY(keys)`. Runs before its consumer.
 */
export interface SemiJoinStep {
  readonly kind: 'semi-join';
  /** `order`: (key, rank) pairs for ordering by a remote field (plan/remote-order.ts); default `filter`. */
  readonly purpose?: 'filter' | 'order';
  readonly id: number;
  /** The step whose statement uses the keys. */
  readonly consumer: number;
  readonly source: string;
  readonly from: string;
  readonly path: string;
  readonly relationship: string;
  readonly strategy: 'semi-join';
  readonly reason: string;
  /** Placeholder names in the consumer's statement, one per key column. */
  readonly placeholders: readonly string[];
  /** Per key column: the integer range of the parent column (keys that cannot exist there are dropped). */
  readonly keyRanges: readonly KeyRange[];
  /** Returns `[[k0 … kn], …]`, distinct. */
  readonly sql: PrintedSql;
  /** More matching keys than this is an error that names the fix. */
  readonly maxKeys: number;
}

/** One statement per source for all root fields on it; its result is one raw row. */
export interface FetchStep {
  readonly kind: 'fetch';
  readonly id: number;
  readonly source: string;
  readonly sql: PrintedSql;
}

/**
 * Two-phase remote join: collect key tuples at `site` in the parent's result, send them
 * as array parameters in one statement on `source`, hash-join the returned entries.
 */
export interface RemoteJoinStep {
  readonly kind: 'remote-join';
  readonly id: number;
  readonly parent: number;
  /** Where the statement runs: the target, or the parent's source for fdw. */
  readonly source: string;
  readonly from: string;
  /** The source the relationship points at. */
  readonly target: string;
  readonly path: string;
  readonly relationship: string;
  readonly relationshipType: 'object' | 'array';
  /** What one parent gets: a row (object relationships, `<rel>_aggregate`) or a list of rows. */
  readonly returns: 'object' | 'array';
  readonly strategy: Strategy;
  readonly reason: string;
  /** Where the parent rows that carry the keys are, in the parent step's result. */
  readonly site: Site;
  /** Slots of the key columns in those parent rows, in mapping order. */
  readonly parentKeySlots: readonly number[];
  /** Target key column types; keys are sent as arrays of these. */
  readonly keyTypes: readonly PgType[];
  /** Per key column: the integer range a key must fit to be sent (key-form.ts), or null. */
  readonly keyRanges: readonly KeyRange[];
  /** `k0`, `k1` … placeholders of the key arrays in `sql`. */
  readonly sql: PrintedSql;
  /**
   * `any`: entries are target rows, matched on `entryKeySlots`.
   * `per-key`: entries are `[k0 … kn, value]`: the rows (per-parent limit/offset/distinct_on)
   * or the aggregate row of that key.
   */
  readonly mode: 'any' | 'per-key';
  readonly entryKeySlots: readonly number[];
  /** per-key mode: the slot holding the rows array or aggregate row. */
  readonly entryRowsSlot: number;
  readonly shape: RowShape;
}

/**
 * A path from a step's result to a set of rows. A fetch result starts as one row, a
 * remote join result as a list of entries; each descent follows a slot that holds one
 * row (`many: false`, possibly null) or a list of rows.
 */
export interface Site {
  readonly startsWithList: boolean;
  readonly descents: readonly Descent[];
}

export interface Descent {
  readonly slot: number;
  readonly many: boolean;
}

export interface RowShape {
  readonly fields: readonly ShapeField[];
}

export type ShapeField =
  | { readonly kind: 'scalar'; readonly key: string; readonly slot: number }
  | { readonly kind: 'constant'; readonly key: string; readonly value: unknown }
  | { readonly kind: 'object'; readonly key: string; readonly slot: number; readonly shape: RowShape }
  | { readonly kind: 'array'; readonly key: string; readonly slot: number; readonly shape: RowShape }
  | { readonly kind: 'remote'; readonly key: string; readonly join: number };

export interface RootShape {
  readonly fields: readonly RootShapeField[];
}

export type RootShapeField =
  | { readonly kind: 'constant'; readonly key: string; readonly value: unknown }
  /** `list`: rows; `one`: first row or null (by-pk); `object`: a single row (aggregates). */
  | { readonly kind: 'list' | 'one' | 'object'; readonly key: string; readonly step: number; readonly slot: number; readonly shape: RowShape };
