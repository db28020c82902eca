/**
 * Scalar computed fields as operands of `where` and `order_by` (Hasura: those whose
 * function takes no input argument besides the row and the session): the comparison or
 * ordering reads the function of the row. The column they stand in for carries the
 * field's name and return type only (operators and casts follow that type).
 */
import type { ColumnModel, ComputedFieldModel, TableModel } from '../metadata/model.js';
import type { SessionInput } from '../permissions/filters.js';
import { lowerFunctionCall } from './function-call.js';
import type { FunctionCallIR } from './types.js';

export function filterableComputedFields(table: TableModel): ComputedFieldModel[] {
  return (table.computedFields ?? []).filter((cf) => cf.returns.kind === 'scalar' && cf.function.params.every((p) => p.kind !== 'input'));
}

export interface ComputedOperand {
  readonly column: ColumnModel;
  readonly call: FunctionCallIR;
}

export function computedOperand(table: TableModel, name: string, session: SessionInput | undefined, path: string): ComputedOperand | undefined {
  const cf = filterableComputedFields(table).find((c) => c.name === name);
  if (!cf || cf.returns.kind !== 'scalar') return undefined;
  const column: ColumnModel = { name: cf.name, fieldName: cf.name, catalog: { name: cf.name, type: cf.returns.type, nullable: true, position: 0 } };
  return { column, call: lowerFunctionCall(cf.function, {}, session, path, table) };
}
