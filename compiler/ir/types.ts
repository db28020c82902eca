/**
 * The IR (DESIGN.md §5): a tree of per-source row selections. Nodes are readonly and
 * kind-tagged; GraphQL response keys live here but never reach SQL.
 */
import type { ColumnModel, ColumnPair, TableModel } from '../metadata/model.js';

/** The whole operation: the root fields in response order. */
export interface OperationIR {
  readonly kind: 'operation';
  readonly operationType: 'query';
  readonly fields: readonly RootFieldIR[];
}

export type RootFieldIR =
  | { readonly kind: 'constant'; readonly key: string; readonly value: unknown }
  | { readonly kind: 'select'; readonly key: string; readonly path: string; readonly query: ListQueryIR }
  | { readonly kind: 'select-one'; readonly key: string; readonly path: string; readonly query: ListQueryIR };

/** Rows of one table with filters, order and limits: a list field or a by-pk lookup. */
export interface ListQueryIR {
  readonly kind: 'list-query';
  readonly selection: SelectionIR;
  readonly where: BoolExpIR | undefined;
  readonly orderBy: readonly OrderByIR[];
  readonly distinctOn: readonly ColumnModel[];
  readonly limit: number | undefined;
  readonly offset: number | undefined;
}

/** The fields selected from one table's rows. */
export interface SelectionIR {
  readonly kind: 'selection';
  readonly table: TableModel;
  readonly fields: readonly FieldIR[];
}

export type FieldIR =
  | { readonly kind: 'column'; readonly key: string; readonly column: ColumnModel }
  | { readonly kind: 'typename'; readonly key: string; readonly typename: string }
  | { readonly kind: 'object-relationship'; readonly key: string; readonly mapping: readonly ColumnPair[]; readonly selection: SelectionIR }
  | { readonly kind: 'array-relationship'; readonly key: string; readonly mapping: readonly ColumnPair[]; readonly query: ListQueryIR }
  | RemoteFieldIR;

/** A remote join site: another source's rows attach here, keyed by `mapping`. */
export interface RemoteFieldIR {
  readonly kind: 'remote-relationship';
  readonly key: string;
  /** Response path for explain, e.g. `orders.user`. */
  readonly path: string;
  readonly relationship: string;
  readonly relationshipType: 'object' | 'array';
  readonly mapping: readonly ColumnPair[];
  readonly query: ListQueryIR;
}

export type BoolExpIR =
  | { readonly kind: 'and'; readonly items: readonly BoolExpIR[] }
  | { readonly kind: 'or'; readonly items: readonly BoolExpIR[] }
  | { readonly kind: 'not'; readonly item: BoolExpIR }
  | { readonly kind: 'compare'; readonly column: ColumnModel; readonly op: CompareOp; readonly value: unknown }
  | { readonly kind: 'exists-relationship'; readonly mapping: readonly ColumnPair[]; readonly target: TableModel; readonly where: BoolExpIR | undefined };

export type CompareOp =
  | '_eq' | '_neq' | '_gt' | '_lt' | '_gte' | '_lte' | '_in' | '_nin' | '_is_null'
  | '_like' | '_nlike' | '_ilike' | '_nilike' | '_similar' | '_nsimilar'
  | '_regex' | '_nregex' | '_iregex' | '_niregex';

export interface OrderByIR {
  readonly kind: 'order-by';
  /** Column of the table, or of an object relationship's target (path through relationships). */
  readonly path: readonly { readonly mapping: readonly ColumnPair[]; readonly target: TableModel }[];
  readonly column: ColumnModel;
  readonly direction: 'asc' | 'desc';
  readonly nulls: 'first' | 'last';
}
