/**
 * The `args` of a tracked function or computed field → the call's arguments (Hasura
 * Postgres Schema/Select.hs `functionArgs`): arguments go positionally, in declaration
 * order, as long as each is given (the session json and the table row always are); after
 * the first omitted one the rest go by name. An omitted argument needs a default
 * ("Non default arguments cannot be omitted"), and an unnamed one cannot follow an omitted
 * one ("Only last set of positional arguments can be omitted").
 */
import type { PgType } from '../catalog/types.js';
import { FarjoinError } from '../errors.js';
import type { FunctionRef, TableModel } from '../metadata/model.js';
import type { SessionInput } from '../permissions/filters.js';
import type { FunctionArgIR, FunctionCallIR } from './types.js';

const JSON_TYPE: PgType = { schema: 'pg_catalog', name: 'json', category: 'U' };

/** Hasura's session argument: session variables (lower-case names) as a json object, with the role. */
export function sessionJson(session: SessionInput | undefined): Record<string, string> {
  const role = session?.role ?? 'admin';
  return { ...(session?.variables ?? {}), 'x-hasura-role': session?.variables['x-hasura-role'] ?? role };
}

export function lowerFunctionCall(
  ref: FunctionRef, args: unknown, session: SessionInput | undefined, path: string, row?: TableModel,
): FunctionCallIR {
  const given = (args ?? {}) as Record<string, unknown>;
  const out: FunctionArgIR[] = [];
  let byName = false;
  const push = (sqlName: string | undefined, value: FunctionArgIR['value']): void => {
    if (!byName) {
      out.push({ value });
      return;
    }
    if (sqlName === undefined) throw new FarjoinError('not-supported', 'Only last set of positional arguments can be omitted', { path });
    out.push({ name: sqlName, value });
  };
  for (const p of ref.params) {
    if (p.kind === 'row') {
      if (!row) throw new FarjoinError('unexpected', `computed field ${ref.name} lowered without its table`, { visibility: 'internal' });
      push(p.sqlName, { kind: 'row', table: row });
    } else if (p.kind === 'session') {
      push(p.sqlName, { kind: 'value', value: sessionJson(session), type: JSON_TYPE });
    } else if (Object.prototype.hasOwnProperty.call(given, p.fieldName)) {
      push(p.sqlName, { kind: 'value', value: given[p.fieldName], type: p.type });
    } else if (p.hasDefault) {
      byName = true;
    } else {
      throw new FarjoinError('not-supported', 'Non default arguments cannot be omitted', { path: `${path}.args` });
    }
  }
  return { kind: 'function-call', schema: ref.schema, name: ref.name, args: out };
}
