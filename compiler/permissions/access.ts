/**
 * A role's view of the model (DESIGN.md §8, Hasura select permissions): only the tables
 * the role may select, only their permitted columns, only relationships whose target the
 * role may select. Schema building and lowering read this view, so a forbidden column or
 * table cannot even be named in a query.
 *
 * Decision (issue 5): a remote relationship is visible only when the role may read every
 * parent join-key column. Otherwise a value the role may not read would be sent to another
 * database as a join key; local relationships never send keys anywhere, so Hasura's rule
 * (target permission only) applies to them unchanged.
 */
import type { Model, TableAccess, TableModel } from '../metadata/model.js';
import { ModelIndex } from '../metadata/model.js';
import { permittedComputedFields } from './computed-fields.js';
import { mutationAccessOf } from './mutation-access.js';

export const ADMIN_ROLE = 'admin';

const ROOT_FIELDS = ['select', 'select_by_pk', 'select_aggregate'] as const;

function accessOf(table: TableModel, role: string): { access: TableAccess; columns: ReadonlySet<string> } | undefined {
  const index = table.permissions.findIndex((p) => p.role === role);
  const perm = table.permissions[index];
  if (!perm) return undefined;
  const p = perm.permission ?? { columns: [] };
  const columns = p.columns === '*' ? new Set(table.columns.map((c) => c.name)) : new Set(p.columns ?? []);
  const listed = (perm.permission as { query_root_fields?: readonly string[] | null }).query_root_fields;
  const rootFields = new Set(ROOT_FIELDS.filter((f) => (listed ? listed.includes(f) : true)));
  return {
    columns,
    access: {
      role,
      filter: p.filter ?? {},
      limit: typeof p.limit === 'number' ? p.limit : undefined,
      allowAggregations: p.allow_aggregations === true,
      rootFields,
      path: `${table.path}.select_permissions[${index}]`,
    },
  };
}

/** The model as `role` sees it; admin sees everything. */
export function restrictModel(model: Model, role: string, options: { readonly backendOnly?: boolean } = {}): Model {
  if (role === ADMIN_ROLE) return model;
  const full = new ModelIndex(model);
  const allowed = new Map<TableModel, { access: TableAccess; columns: ReadonlySet<string> }>();
  for (const t of model.tables) {
    const a = accessOf(t, role);
    if (a) allowed.set(t, a);
  }
  const tables: TableModel[] = [];
  for (const [t, { access, columns }] of allowed) {
    const relationships = t.relationships.filter((r) => {
      const target = full.table(r.target);
      if (!target || !allowed.has(target)) return false;
      return !r.remote || r.mapping.every((m) => columns.has(m.from));
    });
    const computedFields = permittedComputedFields(t, role);
    tables.push({ ...t, columns: t.columns.filter((c) => columns.has(c.name)), relationships, access, mutationAccess: mutationAccessOf(t, role, options.backendOnly === true), ...(computedFields ? { computedFields } : {}) });
  }
  // Functions are shown by the schema where the role may read their table (schema/functions.ts).
  return { ...model, sources: model.sources, tables };
}
