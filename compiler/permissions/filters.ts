/**
 * Row filters and limits of select permissions, for one request (DESIGN.md §8). A filter is
 * lowered from its metadata form with the session: every `X-Hasura-*` value becomes that
 * session variable's value, bound as a parameter cast to the column type — a value that
 * does not cast fails the statement, it never widens the filter. A missing variable is
 * Hasura's `not-found` error.
 */
import { FarjoinError } from '../errors.js';
import { missingSessionVariables } from '../graphql-errors.js';
import { lowerBoolExp, NOTHING, SESSION_VARIABLE } from '../ir/bool-exp.js';
import { computedOperand } from '../ir/computed-operands.js';
import { ADMIN_ROLE } from './access.js';
import type { BoolExpIR } from '../ir/types.js';
import { tableKey, type ModelIndex, type TableModel } from '../metadata/model.js';

export interface SessionInput {
  readonly role: string;
  /** Lower-cased `x-hasura-*` names → values. */
  readonly variables: Readonly<Record<string, string>>;
}

export class Permissions {
  private readonly filters = new Map<string, BoolExpIR | undefined>();
  /** Filters being lowered: a filter that reaches its own table again through remote relationships matches nothing there. */
  private readonly lowering = new Set<string>();

  /**
   * `full` is the admin model: permission filters may use columns the role cannot select.
   * `role` is the role's view, whose tables carry its permissions (`access`).
   */
  constructor(private readonly full: ModelIndex, private readonly session: SessionInput, private readonly role?: ModelIndex) {}

  /** The permission filter of `table` for this session (undefined: no restriction). */
  filter(table: TableModel): BoolExpIR | undefined {
    const access = table.access;
    if (!access) return undefined;
    const key = tableKey(table);
    if (this.filters.has(key)) return this.filters.get(key);
    if (this.lowering.has(key)) return NOTHING; // fail closed on a cycle of remote relationships
    this.lowering.add(key);
    try {
      const lowered = this.lowerPermission(table, access.filter, `${access.path}.permission.filter`);
      this.filters.set(key, lowered);
      return lowered;
    } finally {
      this.lowering.delete(key);
    }
  }

  /**
   * Through a remote relationship in a permission filter, the target's own permission for
   * the role applies (farjoin's rule: its keys are fetched as the role). A role without a
   * select permission on the target tests the target's rows unfiltered, as Hasura treats
   * every relationship in a permission filter: the filter's author named those rows.
   */
  private remotePermission(target: TableModel): BoolExpIR | undefined {
    if (this.session.role === ADMIN_ROLE) return undefined;
    const seen = this.role?.table(target);
    return seen ? this.filter(seen) : undefined;
  }

  /** A permission's `check` or `filter` on `table` (insert, update, delete), lowered with the session. */
  lowerPermission(table: TableModel, exp: unknown, path: string): BoolExpIR | undefined {
    return lowerBoolExp(
      {
        index: this.full,
        permission: () => undefined,
        sessionValue: (v, p) => this.sessionValue(v, p),
        // Hasura: scalar computed fields without input arguments may appear in permission filters.
        computed: (t, name, p) => computedOperand(this.full, t, name, this.session, p),
        metadata: { remotePermission: (target) => this.remotePermission(target) },
      },
      this.full.table(table) ?? table, exp, path,
    );
  }

  limit(table: TableModel): number | undefined {
    return table.access?.limit;
  }

  /** `value` with `X-Hasura-*` names replaced by the session's values (presets and filters). */
  sessionValue(value: unknown, path: string): unknown {
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
