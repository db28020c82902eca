/**
 * Permission filters, checks and presets checked at load (issue 16): every `filter` and
 * `check` is lowered once, as it is for a request, with stand-in session values — an
 * unknown column or relationship, an unknown operator, or an operator that does not fit the
 * column's type (`_like` on an integer, `_has_key` on text) makes the permission
 * inconsistent now, instead of failing every request of the role (or never). An
 * inconsistent permission is left out: the role loses that access (fails closed).
 */
import { isFarjoinError } from '../errors.js';
import type { PgType } from '../catalog/types.js';
import type { BoolExpIR } from '../ir/types.js';
import { Permissions } from '../permissions/filters.js';
import { TEXT_OPERATORS } from '../schema/inputs.js';
import { isTextType } from '../schema/scalars.js';
import { tableChildObject, type Inconsistencies, type InconsistentObjectType } from './inconsistent.js';
import { didYouMean } from './keys.js';
import { literalProblem } from './permission-literals.js';
import { ModelIndex, type Model, type TableModel } from './model.js';
import type { Metadata } from './types.js';

/** What a session variable stands for while a filter is checked (any name has this value). */
const STAND_IN = '0';
const STAND_IN_SESSION = { role: 'farjoin-check', variables: new Proxy({}, { get: (_, k) => (typeof k === 'string' ? STAND_IN : undefined) }) as Record<string, string> };

const JSONB_OPERATORS = new Set(['_contains', '_contained_in', '_has_key', '_has_keys_any', '_has_keys_all']);
const TEXT = new Set<string>(TEXT_OPERATORS);

type Json = Record<string, unknown>;

/** Why `op` cannot compare a column of type `t`, if it cannot. */
function misfit(op: string, t: PgType): string | undefined {
  const type = t.schema === 'pg_catalog' ? t.name : `${t.schema}.${t.name}`;
  if (TEXT.has(op) && !isTextType(t)) return `"${op}" compares text, and the column is of type ${type}`;
  if (JSONB_OPERATORS.has(op) && !(t.schema === 'pg_catalog' && t.name === 'jsonb')) return `"${op}" applies to jsonb, and the column is of type ${type}`;
  if (op.startsWith('_st_') && t.name !== 'geometry' && t.name !== 'geography') return `"${op}" applies to geometry and geography, and the column is of type ${type}`;
  return undefined;
}

/** Every comparison in a lowered filter, through and/or/not, relationships and `_exists`. */
function* comparisons(e: BoolExpIR | undefined): Generator<Extract<BoolExpIR, { kind: 'compare' }>> {
  const stack: unknown[] = [e];
  while (stack.length > 0) {
    const node = stack.pop() as Json | undefined;
    if (!node || typeof node !== 'object') continue;
    if (node.kind === 'compare') yield node as unknown as Extract<BoolExpIR, { kind: 'compare' }>;
    if (Array.isArray(node.items)) stack.push(...node.items);
    stack.push(node.item, node.where);
  }
}

const KINDS = [
  { key: 'select', type: 'select_permission', parts: ['filter'] },
  { key: 'insert', type: 'insert_permission', parts: ['check'] },
  { key: 'update', type: 'update_permission', parts: ['filter', 'check'] },
  { key: 'delete', type: 'delete_permission', parts: ['filter'] },
] as const;

/** Checks every permission's filters; returns the model without the permissions found inconsistent. */
export function checkPermissionFilters(metadata: Metadata, model: Model, issues: Inconsistencies): Model {
  const index = new ModelIndex(model);
  const permissions = new Permissions(index, STAND_IN_SESSION);
  for (const table of model.tables) {
    for (const { key, type, parts } of KINDS) {
      const list = (key === 'select' ? table.permissions : table.mutationPermissions?.[key] ?? []) as unknown as readonly Json[];
      list.forEach((entry) => {
        if (issues.has(entry)) return;
        const pp = `${table.path}.${key}_permissions[${rawIndex(metadata, table, key, entry)}].permission`;
        const ref = tableChildObject(type as InconsistentObjectType, entry, table.source, table, String(entry.role));
        const permission = (entry.permission ?? {}) as Json;
        for (const part of parts) {
          const exp = permission[part];
          if (exp === undefined || exp === null) continue;
          let lowered: BoolExpIR | undefined;
          try {
            lowered = permissions.lowerPermission(table, exp, `${pp}.${part}`);
          } catch (e) {
            // Errors that point into the metadata are mistakes in it; others come from the stand-in session.
            if (isFarjoinError(e) && e.path?.startsWith('$.sources')) issues.report(ref, e.message, fixFor(e.message, tableAt(index, table, e.path.slice(`${pp}.${part}`.length))), e.path);
            continue;
          }
          for (const c of comparisons(lowered)) {
            const why = misfit(c.op, c.column.catalog.type);
            if (why) {
              issues.report(ref, `in "${part}", column "${c.column.name}": ${why}`, 'use an operator of the column\'s type (see its <type>_comparison_exp)', operatorPath(exp, c.column.name, c.op, `${pp}.${part}`));
              continue;
            }
            const literal = literalProblem(c.op, c.value, c.column.catalog.type, c.arrayLiteral === true);
            if (literal) {
              issues.report(ref, literal.reason, `write a value of the column's type (${c.column.catalog.type.name}), or a session variable`, `${operatorPath(exp, c.column.name, c.op, `${pp}.${part}`)}${literal.at}`);
            }
          }
        }
      });
    }
  }
  const keep = <T>(list: readonly T[] | undefined): T[] => (list ?? []).filter((p) => !issues.has(p));
  return {
    ...model,
    tables: model.tables.map((t) => ({
      ...t,
      permissions: keep(t.permissions),
      ...(t.mutationPermissions ? { mutationPermissions: { insert: keep(t.mutationPermissions.insert), update: keep(t.mutationPermissions.update), delete: keep(t.mutationPermissions.delete) } } : {}),
    })),
  };
}

/**
 * Where `column: {op: …}` is written in a filter (`$`-spelt operators too), for the report;
 * the filter's own path when it cannot be found. Iterative: filters may nest deeply.
 */
function operatorPath(exp: unknown, column: string, op: string, base: string): string {
  const stack: [unknown, string][] = [[exp, base]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (Array.isArray(node)) node.forEach((v, i) => stack.push([v, `${path}[${i}]`]));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === column && v && typeof v === 'object' && !Array.isArray(v)) {
          const written = Object.keys(v).find((o) => o === op || o === `$${op.slice(1)}`);
          if (written) return `${path}.${k}.${written}`;
        } else if (k === column && op === '_eq') {
          return `${path}.${k}`; // Hasura's implicit _eq: {column: value}
        }
        stack.push([v, `${path}.${k}`]);
      }
    }
  }
  return base;
}

/** The entry's position in its metadata list (the model's lists leave inconsistent ones out). */
function rawIndex(metadata: Metadata, table: TableModel, key: string, entry: Json): number {
  const at = /^\$\.sources\[(\d+)\]\.tables\[(\d+)\]/.exec(table.path);
  const meta = at ? metadata.sources[Number(at[1])]?.tables[Number(at[2])] as unknown as Json | undefined : undefined;
  const list = meta?.[`${key}_permissions`];
  return Array.isArray(list) ? list.indexOf(entry) : -1;
}

const LOGICAL = new Set(['_and', '_or', '_not', '$and', '$or', '$not']);

/** The table a mistake at `rest` (a path below the filter) is on: relationships followed, the last key dropped. */
function tableAt(index: ModelIndex, table: TableModel, rest: string): TableModel {
  const keys = rest.replace(/\[\d+\]/g, '').split('.').filter((k) => k !== '');
  let at = table;
  for (const key of keys.slice(0, -1)) {
    if (LOGICAL.has(key)) continue;
    const rel = at.relationships.find((r) => r.name === key);
    const target = rel ? index.table(rel.target) : undefined;
    if (!target) return at;
    at = target;
  }
  return at;
}

function fixFor(message: string, table: TableModel): string {
  const unknown = /field "([^"]+)" not found/.exec(message)?.[1];
  const guess = unknown ? didYouMean(unknown, [...table.columns.map((c) => c.name), ...table.relationships.map((r) => r.name)]) : undefined;
  if (guess) return `did you mean "${guess}"?`;
  if (unknown) return `name a column or relationship of ${table.schema}.${table.name}, or one of _and, _or, _not, _exists`;
  return 'correct the permission at this path';
}
