/**
 * Lowering of mutation root fields (DESIGN.md §9): arguments → MutationIR, the selection
 * → a response or row output. The role's permissions join here: update and delete
 * filters AND the user's `where`, insert and update checks ride along to be tested on the
 * written rows, presets fill their columns from the session, and `returning` reads
 * through the select permission.
 */
import type { FieldNode } from 'graphql';
import { FarjoinError, invariant } from '../errors.js';
import type { ColumnModel, TableModel, WriteAccess } from '../metadata/model.js';
import type { MutationOp } from '../schema/mutations.js';
import { JSONB_OPERATORS, mutationName, updateOperatorName } from '../schema/mutation-inputs.js';
import { namingOf, tableTypeName } from '../schema/naming.js';
import { insertColumns, updateColumns, upsertConstraints } from '../permissions/mutation-access.js';
import { andMaybe, lowerBoolExp, type BoolExpContext } from './bool-exp.js';
import { collectFields, subSelections } from './collect.js';
import type { LowerInput } from './lower.js';
import type { InsertIR, InsertValue, MutationFieldIR, MutationIR, MutationOutputIR, NestedInsertIR, ResponseFieldIR, SetIR, UpdateIR } from './mutation.js';
import type { BoolExpIR, SelectionIR } from './types.js';

export const DEFAULT_MAX_MUTATION_ROWS = 10_000;

type LowerSelection = (table: TableModel, nodes: readonly FieldNode[], errorPath: string, responsePath: string) => SelectionIR;

interface Ctx {
  readonly input: LowerInput;
  readonly selection: LowerSelection;
  readonly bool: BoolExpContext;
  /** Rows inserted so far by the current root field (bounded by maxMutationRows). */
  rows: number;
}

/** A table's mutation root field (`insert_T`, `update_T_by_pk` …); other mutation root fields (VOLATILE functions) lower as queries do. */
export function lowerMutationField(
  from: { readonly input: LowerInput; readonly selection: LowerSelection },
  op: MutationOp, table: TableModel, key: string, nodes: readonly FieldNode[], args: Record<string, unknown>, errorPath: string,
): MutationFieldIR {
  const { input } = from;
  const bool: BoolExpContext = { index: input.info.index, permission: (t) => input.permissions.filter(t) };
  return lowerField({ input, selection: from.selection, bool, rows: 0 }, op, table, key, nodes, args, errorPath);
}

function lowerField(ctx: Ctx, op: MutationOp, table: TableModel, key: string, nodes: readonly FieldNode[], args: Record<string, unknown>, errorPath: string): MutationFieldIR {
  const argsPath = `${errorPath}.args`;
  const byPk = op === 'insert-one' || op === 'update-by-pk' || op === 'delete-by-pk';
  const output = byPk ? rowOutput(ctx, table, nodes, errorPath, key) : responseOutput(ctx, table, nodes, errorPath, key);
  const field = (statements: MutationIR[], many = false): MutationFieldIR => ({ kind: 'mutation', key, path: key, source: table.source, statements, many, output });
  switch (op) {
    case 'insert':
      return field([lowerInsert(ctx, table, asRecords(args.objects), args[mutationName(table, 'on_conflict')], `${argsPath}.objects`)]);
    case 'insert-one':
      return field([lowerInsert(ctx, table, [args.object as Record<string, unknown>], args[mutationName(table, 'on_conflict')], `${argsPath}.object`)]);
    case 'update':
      return field([lowerUpdate(ctx, table, args, lowerWhere(ctx, table, args.where, `${argsPath}.where`), argsPath)]);
    case 'update-by-pk':
      return field([lowerUpdate(ctx, table, args, pkFilter(table, args[mutationName(table, 'pk_columns')] as Record<string, unknown>), argsPath)]);
    case 'update-many':
      return field(asRecords(args.updates).map((u, i) => lowerUpdate(ctx, table, u, lowerWhere(ctx, table, u.where, `${argsPath}.updates[${i}].where`), `${argsPath}.updates[${i}]`)), true);
    case 'delete':
      return field([lowerDelete(ctx, table, lowerWhere(ctx, table, args.where, `${argsPath}.where`))]);
    case 'delete-by-pk':
      return field([lowerDelete(ctx, table, pkFilter(table, args))]);
  }
}

function asRecords(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? (v as Record<string, unknown>[]) : v === null || v === undefined ? [] : [v as Record<string, unknown>];
}

function lowerWhere(ctx: Ctx, table: TableModel, where: unknown, path: string): BoolExpIR | undefined {
  return lowerBoolExp(ctx.bool, table, where, path);
}

function pkFilter(table: TableModel, values: Record<string, unknown>): BoolExpIR {
  const items: BoolExpIR[] = table.catalog.primaryKey.map((name) => {
    const column = table.columns.find((c) => c.name === name);
    invariant(column, `primary key column ${name} is visible`);
    return { kind: 'compare', column, op: '_eq', value: values[column.fieldName] };
  });
  return { kind: 'and', items };
}

/** A permission's check or filter, lowered with the session (X-Hasura-* values bound). */
function permissionExp(ctx: Ctx, table: TableModel, exp: unknown, path: string): BoolExpIR | undefined {
  return ctx.input.permissions.lowerPermission(table, exp, path);
}

/** Presets of a permission: column → value, session variables resolved. */
function presets(ctx: Ctx, access: WriteAccess): Map<ColumnModel, unknown> {
  const out = new Map<ColumnModel, unknown>();
  const path = access.path;
  for (const [name, value] of Object.entries(access.set)) {
    const column = access.tableColumns.find((c) => c.name === name);
    if (!column) throw new FarjoinError('invalid-metadata', `the preset names unknown column "${name}"`, { path: `${path}.permission.set.${name}` });
    out.set(column, ctx.input.permissions.sessionValue(value, path));
  }
  return out;
}

function lowerInsert(ctx: Ctx, table: TableModel, objects: readonly Record<string, unknown>[], onConflict: unknown, path: string): InsertIR {
  const limit = ctx.input.maxMutationRows ?? DEFAULT_MAX_MUTATION_ROWS;
  ctx.rows += objects.length;
  if (ctx.rows > limit) {
    throw new FarjoinError('validation-failed', `a mutation field may insert at most ${limit} rows (limits.maxMutationRows), this one has ${ctx.rows}; split the request or raise the limit`, { path });
  }
  const access = table.mutationAccess?.insert;
  const allowed = insertColumns(table);
  const preset = access ? presets(ctx, access) : new Map<ColumnModel, unknown>();
  const columns: ColumnModel[] = [];
  const seen = new Set<string>();
  const nestedSpecs: { name: string; index: number; value: unknown }[] = [];
  const byField = new Map(allowed.map((c) => [c.fieldName, c]));
  objects.forEach((o, index) => {
    for (const field in o) {
      const value = o[field];
      const column = byField.get(field);
      if (column) {
        if (!seen.has(column.name)) {
          seen.add(column.name);
          columns.push(column);
        }
        continue;
      }
      const rel = table.relationships.find((r) => r.name === field && !r.remote);
      if (rel) {
        nestedSpecs.push({ name: field, index, value });
        continue;
      }
      throw new FarjoinError('validation-failed', `field '${field}' not found in type: '${tableTypeName(namingOf(table), 'insert', 'input')}'`, { path: `${path}[${index}].${field}` });
    }
  });
  // Nested object relationships fill the parent's key columns (Hasura's order: objects first).
  const nested = lowerNested(ctx, table, nestedSpecs, path);
  for (const n of nested) {
    if (n.type !== 'object') continue;
    for (const m of n.mapping) {
      const column = table.columns.find((c) => c.name === m.from) ?? allowed.find((c) => c.name === m.from);
      invariant(column, `relationship column ${m.from} exists`);
      if (!seen.has(column.name)) {
        seen.add(column.name);
        columns.push(column);
      }
    }
  }
  for (const column of preset.keys()) {
    if (!seen.has(column.name)) {
      seen.add(column.name);
      columns.push(column);
    }
  }
  const given = new Set(allowed);
  const DEFAULT: InsertValue = { kind: 'default' };
  const rows: InsertValue[][] = objects.map((o) => columns.map((c): InsertValue => {
    if (preset.has(c)) return { kind: 'value', value: preset.get(c) };
    if (c.fieldName in o && given.has(c)) return { kind: 'value', value: o[c.fieldName] };
    // A key filled from a nested object row is replaced in compiler/sql/mutation.ts.
    return DEFAULT;
  }));
  const check = access ? permissionExp(ctx, table, access.check, `${access.path}.permission.check`) : undefined;
  return { kind: 'insert', table, columns, rows, onConflict: lowerOnConflict(ctx, table, onConflict, `${path}.on_conflict`), check, nested };
}

function lowerNested(ctx: Ctx, table: TableModel, specs: readonly { name: string; index: number; value: unknown }[], path: string): NestedInsertIR[] {
  const byRel = new Map<string, { index: number; value: unknown }[]>();
  for (const s of specs) byRel.set(s.name, [...(byRel.get(s.name) ?? []), s]);
  const out: NestedInsertIR[] = [];
  for (const [name, items] of byRel) {
    const rel = table.relationships.find((r) => r.name === name);
    invariant(rel, `relationship ${name} exists`);
    const target = ctx.input.info.index.table(rel.target);
    invariant(target, `relationship target ${rel.target.name} is visible`);
    const rows: Record<string, unknown>[] = [];
    const parentRows: number[] = [];
    let onConflict: unknown;
    for (const item of items) {
      const v = (item.value ?? {}) as Record<string, unknown>;
      onConflict ??= v[mutationName(target, 'on_conflict')];
      for (const row of asRecords(v.data)) {
        // The relationship's key columns are filled from the other side.
        for (const m of rel.mapping) {
          const key = (rel.type === 'array' ? target.columns.find((c) => c.name === m.to) : undefined)?.fieldName;
          if (key && key in row) throw new FarjoinError('validation-failed', `cannot insert array relationship "${name}" with column "${key}": it is filled from the parent row`, { path: `${path}[${item.index}].${name}` });
        }
        rows.push(row);
        parentRows.push(item.index);
      }
    }
    const insert = lowerInsert(ctx, target, rows, onConflict, `${path}.${name}.data`);
    if (rel.type === 'array') {
      // The parent's keys are columns of every nested row, filled at execution.
      const keyColumns = rel.mapping.map((m) => {
        const c = target.columns.find((x) => x.name === m.to) ?? insertColumns(target).find((x) => x.name === m.to);
        invariant(c, `array relationship column ${m.to} exists`);
        return c;
      });
      const extra = keyColumns.filter((c) => !insert.columns.includes(c));
      const rowsWithKeys = insert.rows.map((r) => [...r, ...extra.map((): InsertValue => ({ kind: 'default' }))]);
      out.push({ relationship: name, type: 'array', mapping: rel.mapping, insert: { ...insert, columns: [...insert.columns, ...extra], rows: rowsWithKeys }, parentRows });
    } else {
      out.push({ relationship: name, type: 'object', mapping: rel.mapping, insert, parentRows });
    }
  }
  return out;
}

function lowerOnConflict(ctx: Ctx, table: TableModel, v: unknown, path: string): InsertIR['onConflict'] {
  if (v === null || v === undefined) return undefined;
  const raw = v as Record<string, unknown>;
  const o = { constraint: raw.constraint as string, update_columns: raw[mutationName(table, 'update_columns')] as string[] | undefined, where: raw.where };
  if (!upsertConstraints(table).some((c) => c.name === o.constraint)) {
    throw new FarjoinError('validation-failed', `unknown constraint "${o.constraint}"`, { path: `${path}.constraint` });
  }
  const allowed = updateColumns(table);
  const updateCols = (o.update_columns ?? []).map((name) => {
    const c = allowed.find((x) => x.fieldName === name);
    if (!c) throw new FarjoinError('validation-failed', `column "${name}" cannot be updated`, { path: `${path}.${mutationName(table, 'update_columns')}` });
    return c;
  });
  const access = table.mutationAccess?.update;
  const filter = access ? permissionExp(ctx, table, access.filter, `${access.path}.permission.filter`) : undefined;
  const updateCheck = access && access.check !== undefined && access.check !== null ? permissionExp(ctx, table, access.check, `${access.path}.permission.check`) : undefined;
  return { constraint: o.constraint, updateColumns: updateCols, where: andMaybe(lowerWhere(ctx, table, o.where, `${path}.where`), filter), updateCheck };
}

function lowerUpdate(ctx: Ctx, table: TableModel, args: Record<string, unknown>, where: BoolExpIR | undefined, path: string): UpdateIR {
  const access = table.mutationAccess?.update;
  const allowed = updateColumns(table);
  const sets: SetIR[] = [];
  for (const op of ['_set', '_inc', ...JSONB_OPERATORS] as const) {
    const arg = updateOperatorName(table, op);
    const values = args[arg];
    if (values === null || values === undefined) continue;
    for (const [field, value] of Object.entries(values as Record<string, unknown>)) {
      const column = allowed.find((c) => c.fieldName === field);
      if (!column) throw new FarjoinError('validation-failed', `field '${field}' not found in type: '${tableTypeName(namingOf(table), ...op.slice(1).split('_'), 'input')}'`, { path: `${path}.${arg}.${field}` });
      if (sets.some((s) => s.column === column)) {
        const first = sets.find((s) => s.column === column)!.op;
        throw new FarjoinError('validation-failed', `column found in multiple operators; "${column.fieldName}" in ${updateOperatorName(table, first)}, ${arg} operators`, { path });
      }
      sets.push({ column, op, value });
    }
  }
  if (access) {
    for (const [column, value] of presets(ctx, access)) {
      const i = sets.findIndex((s) => s.column.name === column.name);
      const preset: SetIR = { column, op: '_set', value };
      if (i >= 0) sets[i] = preset;
      else sets.push(preset);
    }
  }
  if (sets.length === 0) {
    throw new FarjoinError('validation-failed', 'at least any one of _set, _inc, _append, _prepend, _delete_key, _delete_elem, _delete_at_path is expected', { path });
  }
  const filter = access ? permissionExp(ctx, table, access.filter, `${access.path}.permission.filter`) : undefined;
  const check = access && access.check !== undefined && access.check !== null ? permissionExp(ctx, table, access.check, `${access.path}.permission.check`) : undefined;
  return { kind: 'update', table, where: andMaybe(where, filter), sets, check };
}

function lowerDelete(ctx: Ctx, table: TableModel, where: BoolExpIR | undefined): MutationIR {
  const access = table.mutationAccess?.delete;
  const filter = access ? permissionExp(ctx, table, access.filter, `${access.path}.permission.filter`) : undefined;
  return { kind: 'delete', table, where: andMaybe(where, filter) };
}

function responseOutput(ctx: Ctx, table: TableModel, nodes: readonly FieldNode[], errorPath: string, responsePath: string): MutationOutputIR {
  const typename = tableTypeName(namingOf(table), 'mutation', 'response');
  const fields: ResponseFieldIR[] = [];
  for (const [key, group] of collectFields(ctx.input.collect, typename, subSelections(nodes))) {
    const node = group[0];
    invariant(node, 'collected at least one node');
    const name = node.name.value;
    if (name === '__typename') fields.push({ kind: 'typename', key, typename });
    else if (name === mutationName(table, 'affected_rows')) fields.push({ kind: 'affected_rows', key });
    else if (name === 'returning') {
      const selection = ctx.selection(table, group, `${errorPath}.selectionSet.${key}`, `${responsePath}.${key}`);
      fields.push({ kind: 'returning', key, selection, where: ctx.input.permissions.filter(table) });
    } else throw new FarjoinError('validation-failed', `field '${name}' not found in type: '${typename}'`, { path: `${errorPath}.selectionSet.${key}` });
  }
  return { kind: 'response', fields };
}

function rowOutput(ctx: Ctx, table: TableModel, nodes: readonly FieldNode[], errorPath: string, responsePath: string): MutationOutputIR {
  return { kind: 'row', selection: ctx.selection(table, nodes, errorPath, responsePath), where: ctx.input.permissions.filter(table) };
}
