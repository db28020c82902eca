/**
 * A VOLATILE tracked function in the mutation root (issue 11 item 6) → a mutation step,
 * so it runs in document order with the request's other mutations, inside the same
 * transaction of its source (DESIGN.md §9): `SELECT json_build_array((rows), true)`, the
 * rows read from the call as the FROM item of the usual select builder (the returned
 * table's row filter applies, as for every mutation's `returning`).
 */
import { invariant } from '../errors.js';
import { queryTable, type RootFieldIR } from '../ir/types.js';
import { print, sql } from '../sql/builder.js';
import type { StatementBuilder } from '../sql/select.js';
import type { MutationStep, RootShapeField } from './types.js';

export type FunctionMutationField = Extract<RootFieldIR, { kind: 'select' | 'select-one' }>;

/** Whether a mutation root field is a function call (table mutations have their own IR). */
export function isFunctionMutation(f: RootFieldIR): f is FunctionMutationField {
  return (f.kind === 'select' || f.kind === 'select-one') && f.query.from !== undefined;
}

export function planFunctionMutation(field: FunctionMutationField, id: number, builder: StatementBuilder): { step: MutationStep; root: RootShapeField } {
  invariant(field.query.from, 'a mutation function field reads its rows from the call');
  const query = field.kind === 'select-one' ? { ...field.query, limit: 1 } : field.query;
  const rows = builder.listSubquery(query, () => [], [{ slot: 0, many: true }]);
  const write = print(sql`SELECT json_build_array((${rows.expr}), true) AS "root"`);
  const source = queryTable(field.query).source;
  const step: MutationStep = { kind: 'mutation', id, source, field: field.key, statements: [{ write }], sql: write, many: false };
  const root: RootShapeField = field.kind === 'select'
    ? { kind: 'list', key: field.key, step: id, slot: 0, shape: rows.shape }
    : { kind: 'one', key: field.key, step: id, slot: 0, shape: rows.shape };
  return { step, root };
}
