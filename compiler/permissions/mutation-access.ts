/**
 * A role's write access (DESIGN.md §9, Hasura insert / update / delete permissions):
 * which columns it may give values for, its row filters and checks, its column presets.
 * Admin (no `mutationAccess` on the table) may write every column that is not generated.
 *
 * Decision: a role sees mutation fields of a table only when it may also select from it
 * (a table without a select permission is absent from the role's model); Hasura would
 * still offer `affected_rows` there.
 */
import type { ConstraintCatalog } from '../catalog/types.js';
import type { ColumnModel, MutationAccess, TableModel, WriteAccess } from '../metadata/model.js';

/**
 * The write access of `role`. A `backend_only` permission counts only for requests that
 * ask for backend-only permissions (`x-hasura-use-backend-only-permissions: true`, sent
 * with the admin secret and a role); for the others the role has no such permission.
 */
export function mutationAccessOf(table: TableModel, role: string, backendOnly = false): MutationAccess {
  const perms = table.mutationPermissions;
  if (!perms) return {};
  const out: { insert?: WriteAccess; update?: WriteAccess; delete?: WriteAccess } = {};
  const columnsOf = (names: readonly string[] | '*' | undefined): ColumnModel[] =>
    names === '*' ? table.columns.filter((c) => !c.catalog.generated) : table.columns.filter((c) => !c.catalog.generated && (names ?? []).includes(c.name));
  const usable = (p: { role: string; permission?: { backend_only?: boolean } }): boolean => p.role === role && (p.permission?.backend_only !== true || backendOnly);
  const i = perms.insert.findIndex(usable);
  const ins = perms.insert[i];
  if (ins) {
    const p = ins.permission ?? {};
    // Hasura: an insert permission without `columns` allows every column (older exports omit the key).
    out.insert = { columns: columnsOf(p.columns ?? '*'), filter: undefined, check: p.check ?? {}, set: p.set ?? {}, backendOnly: p.backend_only === true, tableColumns: table.columns, path: `${table.path}.insert_permissions[${i}]` };
  }
  const u = perms.update.findIndex(usable);
  const upd = perms.update[u];
  if (upd) {
    const p = upd.permission ?? {};
    out.update = { columns: columnsOf(p.columns), filter: p.filter ?? {}, check: p.check ?? undefined, set: p.set ?? {}, backendOnly: p.backend_only === true, tableColumns: table.columns, path: `${table.path}.update_permissions[${u}]` };
  }
  const d = perms.delete.findIndex(usable);
  const del = perms.delete[d];
  if (del) {
    const p = del.permission ?? {};
    out.delete = { columns: [], filter: p.filter ?? {}, check: undefined, set: {}, backendOnly: p.backend_only === true, tableColumns: table.columns, path: `${table.path}.delete_permissions[${d}]` };
  }
  return out;
}

/** Whether the table can be written at all (Postgres: a table, or a view it can update). */
export function writable(table: TableModel): boolean {
  return table.catalog.insertable !== false && table.mutationRootFields !== undefined;
}

export function canInsert(table: TableModel): boolean {
  return writable(table) && (!table.mutationAccess || !!table.mutationAccess.insert);
}

export function canUpdate(table: TableModel): boolean {
  return writable(table) && (!table.mutationAccess || !!table.mutationAccess.update);
}

export function canDelete(table: TableModel): boolean {
  return writable(table) && (!table.mutationAccess || !!table.mutationAccess.delete);
}

/** Columns the caller gives on insert: the permission's columns without its presets. */
export function insertColumns(table: TableModel): readonly ColumnModel[] {
  const a = table.mutationAccess;
  if (!a) return table.columns.filter((c) => !c.catalog.generated);
  if (!a.insert) return [];
  return a.insert.columns.filter((c) => !(c.name in a.insert!.set));
}

/** Columns the caller sets on update: the permission's columns without its presets. */
export function updateColumns(table: TableModel): readonly ColumnModel[] {
  const a = table.mutationAccess;
  if (!a) return table.columns.filter((c) => !c.catalog.generated);
  if (!a.update) return [];
  return a.update.columns.filter((c) => !(c.name in a.update!.set));
}

/** Primary key and unique constraints an upsert may name. */
export function upsertConstraints(table: TableModel): readonly ConstraintCatalog[] {
  return [...(table.catalog.constraints ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
