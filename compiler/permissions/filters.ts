/**
 * Row filters and limits of select permissions, for one request (DESIGN.md §8). A filter is
 * lowered from its metadata form with the session: every `X-Hasura-*` value becomes that
 * session variable's value, bound as a parameter cast to the column type — a value that
 * does not cast fails the statement, it never widens the filter. A missing variable is
 * Hasura's `not-found` error.
 */
import { FarjoinError } from '../errors.js';
import { missingSessionVariables } from '../graphql-errors.js';
import { lowerBoolExp } from '../ir/bool-exp.js';
import type { BoolExpIR } from '../ir/types.js';
import { tableKey, type ModelIndex, type TableModel } from '../metadata/model.js';

export interface SessionInput {
  readonly role: string;
  /** Lower-cased `x-hasura-*` names → values. */
  readonly variables: Readonly<Record<string, string>>;
}

const SESSION_VARIABLE = /^x-hasura-/i;

export class Permissions {
  private readonly filters = new Map<string, BoolExpIR | undefined>();

  /** `full` is the admin model: permission filters may use columns the role cannot select. */
  constructor(private readonly full: ModelIndex, private readonly session: SessionInput) {}

  /** The permission filter of `table` for this session (undefined: no restriction). */
  filter(table: TableModel): BoolExpIR | undefined {
    const access = table.access;
    if (!access) return undefined;
    const key = tableKey(table);
    if (this.filters.has(key)) return this.filters.get(key);
    const fullTable = this.full.table(table) ?? table;
    const lowered = lowerBoolExp(
      { index: this.full, permission: () => undefined, sessionValue: (v, path) => this.sessionValue(v, path) },
      fullTable, access.filter, `${access.path}.permission.filter`,
    );
    this.filters.set(key, lowered);
    return lowered;
  }

  limit(table: TableModel): number | undefined {
    return table.access?.limit;
  }

  private sessionValue(value: unknown, path: string): unknown {
    if (typeof value === 'string' && SESSION_VARIABLE.test(value)) {
      const name = value.toLowerCase();
      const v = this.session.variables[name];
      if (v === undefined) throw new FarjoinError('not-found', missingSessionVariables([name]), { path: '$' });
      void path;
      return v;
    }
    if (Array.isArray(value)) return value.map((x) => this.sessionValue(x, path));
    return value;
  }
}
