/**
 * A mutation root field → its plan step and root shape (DESIGN.md §9). The statements are
 * built by the step's own statement builder, so remote relationships under `returning`
 * become remote joins whose parent is the mutation step (they run after the commit).
 * `update_T_many` builds one statement per update over the same selection: the first
 * registers the join sites, the others reuse them (one join collects the keys of all).
 */
import type { MutationFieldIR } from '../ir/mutation.js';
import { print, sql } from '../sql/builder.js';
import { mutationStatement } from '../sql/mutation.js';
import type { StatementBuilder } from '../sql/select.js';
import type { Descent, MutationStep, RootShapeField } from './types.js';

/** `joins.mark()` after the first statement, `joins.dropSinceMark()` after the last: the joins the others registered go. */
export function planMutation(
  field: MutationFieldIR, id: number, builder: StatementBuilder, joins: { mark(): void; dropSinceMark(): void },
): { step: MutationStep; root: RootShapeField } {
  const at: Descent[] = [{ slot: 0, many: field.many }];
  const built = field.statements.map((m, i) => {
    if (i === 1) joins.mark();
    return mutationStatement(builder, m, field.output, at);
  });
  if (built.length > 1) joins.dropSinceMark();
  const [first] = built;
  const shape = first?.shape ?? { fields: [] };
  const statements = built.map((b) => ({
    write: print(b.sql),
    ...(b.read ? { read: print(b.read) } : {}),
    ...(b.checked ? { checked: true } : {}),
    ...(b.affectedOnly !== undefined ? { affectedOnly: b.affectedOnly } : {}),
  }));
  const step: MutationStep = { kind: 'mutation', id, source: field.source, field: field.key, statements, sql: statements[0]?.write ?? print(sql`SELECT json_build_array(NULL, true) AS "root"`), many: field.many };
  const root: RootShapeField = field.many
    ? { kind: 'list', key: field.key, step: id, slot: 0, shape }
    : { kind: 'object', key: field.key, step: id, slot: 0, shape };
  return { step, root };
}

