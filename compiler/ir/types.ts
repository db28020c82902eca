/**
 * The IR (DESIGN.md §5): a tree of per-source row selections. Nodes are readonly and
 * kind-tagged; GraphQL response keys live here but never reach SQL.
 */
import type { PgType } from '../catalog/types.js';
import type { SpatialOp } from '../sql/postgis.js';
import type { ColumnModel, ColumnPair, TableModel } from '../metadata/model.js';
import type { MutationFieldIR } from './mutation.js';

/** The whole operation: the root fields in response order. */
export interface OperationIR {
  readonly kind: 'operation';
  readonly operationType: 'query' | 'mutation';
  readonly fields: readonly RootFieldIR[];
}

export type RootFieldIR =
  | { readonly kind: 'constant'; readonly key: string; readonly value: unknown }
  | { readonly kind: 'select'; readonly key: string; readonly path: string; readonly query: ListQueryIR }
  | { readonly kind: 'select-one'; readonly key: string; readonly path: string; readonly query: ListQueryIR }
  | { readonly kind: 'select-aggregate'; readonly key: string; readonly path: string; readonly query: AggregateQueryIR }
  | MutationFieldIR;

/** `where / order_by / distinct_on / limit / offset`, shared by list and aggregate queries. */
export interface ListArgsIR {
  readonly where: BoolExpIR | undefined;
  readonly orderBy: readonly OrderByIR[];
  readonly distinctOn: readonly ColumnModel[];
  readonly limit: number | undefined;
  readonly offset: number | undefined;
}

/** Rows of one table with filters, order and limits: a list field or a by-pk lookup. */
export interface ListQueryIR extends ListArgsIR {
  readonly kind: 'list-query';
  readonly selection: SelectionIR;
  /** The rows come from this function call instead of the table (tracked functions, computed fields). */
  readonly from?: FunctionCallIR;
}

/** A call of a SQL function: a FROM item returning table rows, or a scalar value. */
export interface FunctionCallIR {
  readonly kind: 'function-call';
  readonly schema: string;
  readonly name: string;
  /** In SQL order: positional arguments first, then named ones. */
  readonly args: readonly FunctionArgIR[];
}

export interface FunctionArgIR {
  /** Named notation (`name => value`); absent: positional. */
  readonly name?: string;
  /** A typed value (GraphQL `args`, the session as json), or the row of the table being read. */
  readonly value: { readonly kind: 'value'; readonly value: unknown; readonly type: PgType } | { readonly kind: 'row'; readonly table: TableModel };
}

/** The fields selected from one table's rows. */
export interface SelectionIR {
  readonly kind: 'selection';
  readonly table: TableModel;
  readonly fields: readonly FieldIR[];
}

export type FieldIR =
  | { readonly kind: 'column'; readonly key: string; readonly column: ColumnModel; readonly jsonPath?: readonly string[] }
  | { readonly kind: 'typename'; readonly key: string; readonly typename: string }
  | { readonly kind: 'object-relationship'; readonly key: string; readonly mapping: readonly ColumnPair[]; readonly selection: SelectionIR; readonly where: BoolExpIR | undefined }
  | { readonly kind: 'array-relationship'; readonly key: string; readonly mapping: readonly ColumnPair[]; readonly query: ListQueryIR }
  | { readonly kind: 'array-aggregate'; readonly key: string; readonly mapping: readonly ColumnPair[]; readonly query: AggregateQueryIR }
  /** A scalar computed field: the function of the row. */
  | { readonly kind: 'computed-scalar'; readonly key: string; readonly call: FunctionCallIR; readonly type: PgType; readonly jsonPath?: readonly string[] }
  /** A table computed field (`SETOF` a table): rows, or an aggregate over them, of the call. */
  | { readonly kind: 'computed-table'; readonly key: string; readonly query: ListQueryIR | AggregateQueryIR }
  | RemoteFieldIR;

/** `T_aggregate` / `<rel>_aggregate`: aggregates and nodes over the (filtered, limited) rows. */
export interface AggregateQueryIR extends ListArgsIR {
  readonly kind: 'aggregate-query';
  readonly table: TableModel;
  /** The rows come from this function call instead of the table. */
  readonly from?: FunctionCallIR;
  readonly fields: readonly AggregateFieldIR[];
  /**
   * The role's permission `limit` when aggregates are computed: Hasura aggregates over
   * every permitted row (only the request's `limit` picks rows) and bounds `nodes` alone
   * by the permission limit (its `PLSQRequired` sub-query).
   */
  readonly nodesLimit: number | undefined;
}

export type AggregateFieldIR =
  | { readonly kind: 'typename'; readonly key: string; readonly typename: string }
  | { readonly kind: 'aggregate'; readonly key: string; readonly values: readonly AggregateValueIR[] }
  | { readonly kind: 'nodes'; readonly key: string; readonly selection: SelectionIR };

export type AggregateOp = 'sum' | 'avg' | 'max' | 'min' | 'stddev' | 'stddev_pop' | 'stddev_samp' | 'var_pop' | 'var_samp' | 'variance';

export type AggregateValueIR =
  | { readonly kind: 'typename'; readonly key: string; readonly typename: string }
  | { readonly kind: 'count'; readonly key: string; readonly columns: readonly ColumnModel[]; readonly distinct: boolean }
  | { readonly kind: 'operator'; readonly key: string; readonly op: AggregateOp; readonly fields: readonly AggregateColumnIR[] };

export type AggregateColumnIR =
  | { readonly kind: 'typename'; readonly key: string; readonly typename: string }
  | { readonly kind: 'column'; readonly key: string; readonly column: ColumnModel };

/** A remote join site: another source's rows attach here, keyed by `mapping`. */
export interface RemoteFieldIR {
  readonly kind: 'remote-relationship';
  readonly key: string;
  /** Response path for explain, e.g. `orders.user`. */
  readonly path: string;
  readonly relationship: string;
  readonly relationshipType: 'object' | 'array';
  readonly mapping: readonly ColumnPair[];
  /** Rows of the target, or an aggregate over them (`<rel>_aggregate`, one object per parent). */
  readonly query: ListQueryIR | AggregateQueryIR;
}

export type BoolExpIR =
  | { readonly kind: 'and'; readonly items: readonly BoolExpIR[] }
  | { readonly kind: 'or'; readonly items: readonly BoolExpIR[] }
  | { readonly kind: 'not'; readonly item: BoolExpIR }
  /** `arrayLiteral`: `value` is one Postgres array literal (`{1,2,3}`, a session variable's value) for `_in`/`_nin`/`_has_keys_any`/`_has_keys_all`. */
  /** `computed`: the compared value is a scalar computed field of the row (`column` then only carries its type). */
  /** `cast`: Hasura's `_cast`, the column compared as this type (`column` then carries it for the parameters). */
  | { readonly kind: 'compare'; readonly column: ColumnModel; readonly op: CompareOp; readonly value: unknown; readonly arrayLiteral?: true; readonly computed?: FunctionCallIR; readonly cast?: PgType }
  /** Hasura's column comparison (permissions): `column op other`; `root`: `other` is a column of the row the enclosing `root` node is over. */
  | { readonly kind: 'compare-column'; readonly column: ColumnModel; readonly op: ColumnCompareOp; readonly other: ColumnModel; readonly root: boolean }
  /** A permission filter that compares with its own table's row (`["$", col]`): that row is the one this is evaluated over. */
  | { readonly kind: 'root'; readonly item: BoolExpIR }
  | { readonly kind: 'exists-relationship'; readonly mapping: readonly ColumnPair[]; readonly target: TableModel; readonly where: BoolExpIR | undefined }
  /**
   * A filter through a remote relationship (exists semantics for object and array): some
   * row of the target, in another source, matches `where`. Planned as a semi-join (keys
   * fetched from the target first) or pushed down over postgres_fdw.
   */
  | { readonly kind: 'remote-exists'; readonly relationship: string; readonly path: string; readonly parent: TableModel; readonly mapping: readonly ColumnPair[]; readonly target: TableModel; readonly where: BoolExpIR | undefined }
  /** `_exists`: some row of another table of the same source matches (uncorrelated). */
  /** `from`: a table computed field's rows (the call reads the outer row) instead of the whole table. */
  | { readonly kind: 'exists'; readonly target: TableModel; readonly where: BoolExpIR | undefined; readonly from?: FunctionCallIR };

export type CompareOp =
  | '_eq' | '_neq' | '_gt' | '_lt' | '_gte' | '_lte' | '_in' | '_nin' | '_is_null'
  | '_like' | '_nlike' | '_ilike' | '_nilike' | '_similar' | '_nsimilar'
  | '_regex' | '_nregex' | '_iregex' | '_niregex'
  | '_contains' | '_contained_in' | '_has_key' | '_has_keys_any' | '_has_keys_all'
  | SpatialOp;

export type ColumnCompareOp = '_ceq' | '_cne' | '_cgt' | '_clt' | '_cgte' | '_clte';

export interface OrderByIR {
  readonly kind: 'order-by';
  /** Object relationships followed from the table (each a correlated scalar subquery). */
  readonly path: readonly { readonly mapping: readonly ColumnPair[]; readonly target: TableModel; readonly where: BoolExpIR | undefined }[];
  /** What is ordered by, on the last table of `path`. */
  readonly target: OrderTargetIR;
  readonly direction: 'asc' | 'desc';
  readonly nulls: 'first' | 'last';
}

export type OrderTargetIR =
  /** `computed`: a scalar computed field of the row (`column` carries its name and type). */
  | { readonly kind: 'column'; readonly column: ColumnModel; readonly computed?: FunctionCallIR }
  /** An aggregate over an array relationship: `order_by: {albums_aggregate: {count: desc}}`. */
  | { readonly kind: 'array-aggregate'; readonly mapping: readonly ColumnPair[]; readonly table: TableModel; readonly op: 'count' | AggregateOp; readonly column: ColumnModel | undefined; readonly where: BoolExpIR | undefined; readonly from?: FunctionCallIR }
  /** A column of an object remote relationship's target: needs a postgres_fdw pushdown. */
  | { readonly kind: 'remote-column'; readonly relationship: string; readonly path: string; readonly parent: TableModel; readonly mapping: readonly ColumnPair[]; readonly table: TableModel; readonly column: ColumnModel; readonly where: BoolExpIR | undefined }
  /** An aggregate over an array remote relationship (`orders_aggregate: {count: desc}`): also a pushdown. */
  | { readonly kind: 'remote-aggregate'; readonly relationship: string; readonly path: string; readonly parent: TableModel; readonly mapping: readonly ColumnPair[]; readonly table: TableModel; readonly op: 'count' | AggregateOp; readonly column: ColumnModel | undefined; readonly where: BoolExpIR | undefined };

/** The table a list or aggregate query reads. */
export function queryTable(q: ListQueryIR | AggregateQueryIR): TableModel {
  return q.kind === 'list-query' ? q.selection.table : q.table;
}
