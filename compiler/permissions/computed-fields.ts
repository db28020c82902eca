/**
 * Which computed fields a role sees (Hasura "Computed fields permissions"): a scalar one
 * only when its select permission lists it in `computed_fields` (like a column); a table
 * one whenever the role may select the returned table, whose own permission then applies
 * to the rows (the schema drops it where the role cannot read that table).
 */
import type { ComputedFieldModel, TableModel } from '../metadata/model.js';

export function permittedComputedFields(table: TableModel, role: string): readonly ComputedFieldModel[] | undefined {
  if (!table.computedFields) return undefined;
  const listed = table.permissions.find((p) => p.role === role)?.permission?.computed_fields ?? [];
  return table.computedFields.filter((cf) => cf.returns.kind === 'table' || listed.includes(cf.name));
}
