/**
 * Permission columns against the catalog (issue 16): a column in `columns` or in a `set`
 * preset that the table does not have, or a `computed_fields` entry the table does not
 * define, makes the permission inconsistent — it used to be
 * dropped silently. An inconsistent permission is left out, so the role loses that access
 * (fails closed) instead of getting a permission other than the one written.
 */
import type { TableCatalog } from '../catalog/types.js';
import { tableChildObject, type Inconsistencies, type InconsistentObjectType } from './inconsistent.js';
import { fixColumn } from './resolve.js';
import type { TableMetadata } from './types.js';

const KINDS = ['select', 'insert', 'update', 'delete'] as const;

type Json = Record<string, unknown>;

export function checkPermissionColumns(source: string, meta: TableMetadata, tc: TableCatalog, tp: string, issues: Inconsistencies): void {
  const names = tc.columns.map((c) => c.name);
  const has = new Set(names);
  const label = `${tc.schema}.${tc.name}`;
  const computedNames = (meta.computed_fields ?? []).map((c) => c.name);
  for (const kind of KINDS) {
    const key = `${kind}_permissions` as const;
    const list = (meta as unknown as Json)[key];
    if (!Array.isArray(list)) continue;
    list.forEach((entry: Json, i) => {
      if (issues.has(entry)) return;
      const p = (entry.permission ?? {}) as Json;
      const pp = `${tp}.${key}[${i}].permission`;
      const ref = tableChildObject(`${kind}_permission` as InconsistentObjectType, entry, source, tc, String(entry.role));
      const columns = Array.isArray(p.columns) ? p.columns as string[] : [];
      for (const c of columns) {
        if (!has.has(c)) issues.report(ref, `column "${c}" does not exist in ${label}`, fixColumn(c, names), `${pp}.columns`);
      }
      const computed = Array.isArray(p.computed_fields) ? p.computed_fields as string[] : [];
      for (const c of computed) {
        if (!computedNames.includes(c)) {
          issues.report(ref, `computed field "${c}" is not defined on ${label}`, computedNames.length > 0 ? fixColumn(c, computedNames) : `remove it, or add a computed field "${c}" to the table`, `${pp}.computed_fields`);
        }
      }
      const preset = typeof p.set === 'object' && p.set !== null ? Object.keys(p.set) : [];
      for (const c of preset) {
        if (!has.has(c)) issues.report(ref, `the preset names column "${c}", which does not exist in ${label}`, fixColumn(c, names), `${pp}.set.${c}`);
      }
    });
  }
}
