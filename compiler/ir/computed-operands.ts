/**
 * Computed fields as operands of `where` and `order_by` (Hasura: those whose function
 * takes no input argument besides the row and the session): a scalar one is compared or
 * ordered by as the function of the row; a table one filters like an array relationship
 * (some row of its call matches). The column they stand in for carries the
 * field's name and return type only (operators and casts follow that type).
 */
import type { ColumnModel, ComputedFieldModel, ModelIndex, TableModel } from '../metadata/model.js';
import type { SessionInput } from '../permissions/filters.js';
import { lowerFunctionCall } from './function-call.js';
import type { FunctionCallIR } from './types.js';

/** Computed fields without input arguments; `kind` picks scalar ones (where, order_by) or table ones (where). */
export function filterableComputedFields(table: TableModel, kind: 'scalar' | 'table' = 'scalar'): ComputedFieldModel[] {
  return (table.computedFields ?? []).filter((cf) => cf.returns.kind === kind && cf.function.params.every((p) => p.kind !== 'input'));
}

/** A scalar one stands in for a column; a table one is an existence test over its rows (`target`). */
export type ComputedOperand =
  | { readonly kind: 'scalar'; readonly column: ColumnModel; readonly call: FunctionCallIR }
  | { readonly kind: 'table'; readonly target: TableModel; readonly call: FunctionCallIR };

export function computedOperand(index: ModelIndex, table: TableModel, name: string, session: SessionInput | undefined, path: string): ComputedOperand | undefined {
  const cf = (table.computedFields ?? []).find((c) => c.name === name && c.function.params.every((p) => p.kind !== 'input'));
  if (!cf) return undefined;
  const call = lowerFunctionCall(cf.function, {}, session, path, table);
  if (cf.returns.kind === 'table') {
    const target = index.table(cf.returns.table);
    return target ? { kind: 'table', target, call } : undefined;
  }
  const column: ColumnModel = { name: cf.name, fieldName: cf.name, catalog: { name: cf.name, type: cf.returns.type, nullable: true, position: 0 } };
  return { kind: 'scalar', column, call };
}
