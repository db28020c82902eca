/**
 * Mutation IR (DESIGN.md §9): what one mutation root field writes, and what it answers.
 * A root field runs one statement per entry of `statements` (`update_T_many` several, in
 * order; every other field one). Values stay values here; compiler/sql/mutation.ts binds
 * them as parameters.
 */
import type { ColumnModel, ColumnPair, TableModel } from '../metadata/model.js';
import type { JsonbOperator } from '../schema/mutation-inputs.js';
import type { BoolExpIR, SelectionIR } from './types.js';

export type MutationIR = InsertIR | UpdateIR | DeleteIR;

/** A value of an inserted row: given (a bind parameter) or the column's DEFAULT. */
export type InsertValue = { readonly kind: 'value'; readonly value: unknown } | { readonly kind: 'default' };

export interface OnConflictIR {
  readonly constraint: string;
  /** Empty: `DO NOTHING`. */
  readonly updateColumns: readonly ColumnModel[];
  /** `DO UPDATE … WHERE`: the user's `where` and the role's update filter. */
  readonly where: BoolExpIR | undefined;
  /** The update permission's check, on the rows the upsert updated (Hasura: inserted rows get the insert check). */
  readonly updateCheck: BoolExpIR | undefined;
}

/**
 * Rows inserted through a local relationship of each parent row (nested inserts, Hasura's
 * order): object relationships before the parent (their keys fill the parent's columns),
 * array relationships after it (the parent's keys fill theirs).
 */
export interface NestedInsertIR {
  readonly relationship: string;
  readonly type: 'object' | 'array';
  readonly mapping: readonly ColumnPair[];
  /** Per parent row: the rows inserted for it (object: at most one). */
  readonly insert: InsertIR;
  /** Index of the parent row each nested row belongs to. */
  readonly parentRows: readonly number[];
}

export interface InsertIR {
  readonly kind: 'insert';
  readonly table: TableModel;
  readonly columns: readonly ColumnModel[];
  readonly rows: readonly (readonly InsertValue[])[];
  readonly onConflict: OnConflictIR | undefined;
  /** The insert permission's check on every inserted row. */
  readonly check: BoolExpIR | undefined;
  readonly nested: readonly NestedInsertIR[];
}

export type SetOp = '_set' | '_inc' | JsonbOperator;

export interface SetIR {
  readonly column: ColumnModel;
  readonly op: SetOp;
  readonly value: unknown;
}

export interface UpdateIR {
  readonly kind: 'update';
  readonly table: TableModel;
  /** The user's `where` (or primary key) and the role's update filter. */
  readonly where: BoolExpIR | undefined;
  readonly sets: readonly SetIR[];
  /** The update permission's check on every updated row, after the update. */
  readonly check: BoolExpIR | undefined;
}

export interface DeleteIR {
  readonly kind: 'delete';
  readonly table: TableModel;
  readonly where: BoolExpIR | undefined;
}

export type ResponseFieldIR =
  | { readonly kind: 'affected_rows'; readonly key: string }
  | { readonly kind: 'typename'; readonly key: string; readonly typename: string }
  /** `returning`, filtered by the role's select permission. */
  | { readonly kind: 'returning'; readonly key: string; readonly selection: SelectionIR; readonly where: BoolExpIR | undefined };

/** `T_mutation_response`, or the row of `insert_T_one` / `*_by_pk` (null when none). */
export type MutationOutputIR =
  | { readonly kind: 'response'; readonly fields: readonly ResponseFieldIR[] }
  | { readonly kind: 'row'; readonly selection: SelectionIR; readonly where: BoolExpIR | undefined };

export interface MutationFieldIR {
  readonly kind: 'mutation';
  readonly key: string;
  readonly path: string;
  readonly source: string;
  readonly statements: readonly MutationIR[];
  /** `update_T_many`: a list of responses, one per statement. */
  readonly many: boolean;
  readonly output: MutationOutputIR;
}
