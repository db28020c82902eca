/**
 * Lowering of `T_stream(batch_size, cursor, where)` (DESIGN.md §9, Hasura's streaming
 * subscriptions): a list query over the rows after the cursor, ordered by the cursor
 * column, at most `batch_size` of them. The runtime keeps the cursor per subscriber and
 * compiles the next batch with the last row's value (`StreamCursor`).
 *
 * As in Hasura, the cursor names exactly one column, and the first batch already starts
 * after `initial_value` (`>` for ASC, `<` for DESC). The cursor column is always read,
 * under `STREAM_CURSOR_KEY` (a name no GraphQL alias can take: names starting with `__`
 * are reserved), so the runtime finds the next value without the user selecting it.
 */
import { FarjoinError } from '../errors.js';
import type { ColumnModel, TableModel } from '../metadata/model.js';
import type { BoolExpIR, ListQueryIR } from './types.js';

export const STREAM_CURSOR_KEY = '__farjoin_cursor';

/** Where a stream's next batch starts: the value of its cursor column after the last batch. */
export interface StreamCursor {
  readonly value: unknown;
}

export function streamQuery(
  table: TableModel, list: ListQueryIR, args: Record<string, unknown>, current: StreamCursor | undefined, path: string,
): ListQueryIR {
  const cursors = (Array.isArray(args.cursor) ? args.cursor : [args.cursor]).filter((c) => c !== null && c !== undefined) as Record<string, unknown>[];
  if (cursors.length !== 1) throw new FarjoinError('validation-failed', 'one streaming column field is expected', { path: `${path}.args.cursor` });
  const cursor = cursors[0]!;
  const initial = (cursor.initial_value ?? {}) as Record<string, unknown>;
  const names = Object.keys(initial);
  if (names.length !== 1) throw new FarjoinError('validation-failed', 'exactly one cursor column is expected in "initial_value"', { path: `${path}.args.cursor.initial_value` });
  const column = table.columns.find((c) => c.fieldName === names[0]);
  if (!column) throw new FarjoinError('validation-failed', `unknown cursor column "${names[0]}"`, { path: `${path}.args.cursor.initial_value` });
  const ordering = cursor.ordering === 'DESC' ? 'DESC' : 'ASC';
  const batch = args.batch_size;
  if (typeof batch !== 'number' || !Number.isInteger(batch) || batch < 0) {
    throw new FarjoinError('not-supported', 'unexpected negative value', { path: `${path}.args.batch_size` });
  }
  const from = current ? current.value : initial[column.fieldName];
  const after: BoolExpIR | undefined = from === null || from === undefined
    ? undefined
    : { kind: 'compare', column, op: ordering === 'ASC' ? '_gt' : '_lt', value: from };
  const where = after && list.where ? { kind: 'and' as const, items: [list.where, after] } : (after ?? list.where);
  return {
    ...list,
    where,
    selection: { ...list.selection, fields: [...list.selection.fields, cursorField(column)] },
    orderBy: [{ kind: 'order-by', path: [], target: { kind: 'column', column }, direction: ordering === 'ASC' ? 'asc' : 'desc', nulls: 'last' }],
    limit: list.limit === undefined ? batch : Math.min(list.limit, batch),
  };
}

/** The hidden cursor value, as stored: an enum column's value, not its GraphQL name (sql/enum-output.ts), so the next batch compares with it. */
function cursorField(column: ColumnModel): ListQueryIR['selection']['fields'][number] {
  return { kind: 'column', key: STREAM_CURSOR_KEY, column: { ...column, enumReference: undefined } };
}
