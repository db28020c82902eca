/**
 * Staged resolution of metadata against the catalogs (DESIGN.md §3):
 * sources → tables → relationships. Every problem makes its object inconsistent: it is
 * reported with its metadata path, reason and fix, and left out of the model, so that
 * everything else is served. Unlike Hasura, join keys whose types cannot be compared are
 * found here, at load time, instead of failing at query time.
 */
import type { MetadataError } from '../errors.js';
import type { Catalog, PgType, SourceCatalog, TableCatalog } from '../catalog/types.js';
import { findTable } from '../catalog/types.js';
import { Inconsistencies, sourceObject, tableChildObject, tableObject, type InconsistentObject, type MetadataObjectRef } from './inconsistent.js';
import { didYouMean } from './keys.js';
import { checkPermissionColumns } from './permission-columns.js';
import { parseQualifiedTable } from './parse.js';
import type { ColumnModel, ColumnPair, Model, RelationshipModel, SourceModel, TableModel } from './model.js';
import { ModelIndex } from './model.js';
import type { ForeignKeyUsing, LocalRelationshipMetadata, Metadata, TableMetadata } from './types.js';
import { typesComparable } from './type-compat.js';
import { resolveFunctionsStage } from './functions-stage.js';
import { enumTypeName, resolveEnums } from './enums.js';
import { namespaceTypeName } from '../schema/naming.js';
import {
  columnFieldName, readCustomization, rootFieldWrap, tableIdentifier, tableRootField, tableTypeName,
  type NamingConvention, type SourceCustomization, type TableNaming,
} from '../schema/naming.js';

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

export interface ResolveOptions {
  /** Inconsistencies found by earlier stages (shape.ts); their objects are skipped, new ones are added. */
  readonly issues?: Inconsistencies;
  /** Why a source has no catalog (its connection error), for the source's inconsistency. */
  readonly sourceErrors?: Readonly<Record<string, string>>;
  /** Naming convention of sources without one (HASURA_GRAPHQL_DEFAULT_NAMING_CONVENTION). */
  readonly defaultNamingConvention?: NamingConvention;
}

export interface ResolveResult {
  readonly model: Model;
  readonly inconsistent: readonly InconsistentObject[];
}

function tableLabel(source: string, schema: string, name: string): string {
  return `${source}.${schema}.${name}`;
}

function describeType(t: PgType): string {
  return t.schema === 'pg_catalog' ? t.name : `${t.schema}.${t.name}`;
}

interface Shell {
  readonly table: TableModel;
  readonly meta: TableMetadata;
  readonly cat: SourceCatalog;
  readonly ref: MetadataObjectRef;
}

/** Resolves metadata; every problem found is an inconsistency, none stops the others. */
export function resolveMetadata(metadata: Metadata, catalog: Catalog, options: ResolveOptions = {}): ResolveResult {
  const issues = options.issues ?? new Inconsistencies();
  const sources: SourceModel[] = [];
  let shells: Shell[] = [];
  /** Sources declared in the metadata (consistent or not), for relationship targets. */
  const declared = new Set(metadata.sources.map((s) => s.name));

  // Stage 1: sources and tables.
  metadata.sources.forEach((source, si) => {
    const sp = `$.sources[${si}]`;
    if (issues.has(source)) return;
    const cat = catalog.sources[source.name];
    if (!cat) {
      const why = options.sourceErrors?.[source.name] ?? 'the database could not be introspected';
      issues.report(sourceObject(source, source.name), why, `make the database reachable (check ${sp}.configuration.connection_info); farjoin retries and serves the source when it answers`, sp);
      return;
    }
    const customization = sourceCustomization(source, options.defaultNamingConvention, sp, issues);
    if (!customization) return;
    sources.push({ name: source.name, serverVersion: cat.serverVersion, fdwLinks: cat.fdwLinks ?? [], customization });
    source.tables.forEach((meta, ti) => {
      if (issues.has(meta)) return;
      const shell = resolveTable(source.name, meta, `${sp}.tables[${ti}]`, cat, customization, issues);
      if (shell) shells.push(shell);
    });
  });

  shells = withoutNameCollisions(withEnums(shells, issues), issues);

  // Stage 2: relationships (need every table shell to exist).
  const index = new ModelIndex({ sources, tables: shells.map((s) => s.table) });
  const tables: TableModel[] = shells.map(({ table, meta, cat }) => {
    const rels: RelationshipModel[] = [];
    const ctx: Ctx = { table, index, cat, issues, declared };
    (meta.object_relationships ?? []).forEach((r, i) =>
      pushIf(rels, resolveLocal(ctx, r, 'object', `${table.path}.object_relationships[${i}]`)));
    (meta.array_relationships ?? []).forEach((r, i) =>
      pushIf(rels, resolveLocal(ctx, r, 'array', `${table.path}.array_relationships[${i}]`)));
    (meta.remote_relationships ?? []).forEach((r, i) => {
      if (issues.has(r)) return;
      const path = `${table.path}.remote_relationships[${i}]`;
      const ts = r.definition.to_source!; // shape.ts reported every remote relationship without one
      const ref = childRef(ctx, 'remote_relationship', r, r.name);
      if (!declared.has(ts.source)) {
        issues.report(ref, `the target source "${ts.source}" is not declared in the metadata`, `add source "${ts.source}" under "sources", or fix the name`, `${path}.definition.to_source.source`);
        return;
      }
      const tq = parseQualifiedTable(ts.table, `${path}.definition.to_source.table`);
      const mapping = Object.entries(ts.field_mapping ?? {}).map(([from, to]) => ({ from, to }));
      pushIf(rels, finishRelationship(ctx, ref, r.name, ts.relationship_type, { source: ts.source, schema: tq.schema, name: tq.name }, mapping, path, `${path}.definition.to_source`));
    });
    return { ...table, relationships: withoutFieldClashes(ctx, rels) };
  });

  // Stage 3: computed fields and tracked functions (functions.ts).
  const model = resolveFunctionsStage(metadata, catalog, { sources, tables }, issues);
  return { model, inconsistent: issues.list };
}

function resolveTable(source: string, meta: TableMetadata, tp: string, cat: SourceCatalog, customization: SourceCustomization, issues: Inconsistencies): Shell | undefined {
  const qt = parseQualifiedTable(meta.table, `${tp}.table`);
  const ref = tableObject(meta, source, qt);
  const key = `${qt.schema}.${qt.name}`;
  const tc = findTable(cat, qt.schema, qt.name);
  if (!tc) {
    issues.report(ref, `no such table/view exists in source: "${key}"`, `create ${key} in source "${source}", or remove it from the metadata`, `${tp}.table`);
    return undefined;
  }
  let ok = true;
  const columnConfig = meta.configuration?.column_config ?? {};
  for (const colName of Object.keys(columnConfig)) {
    if (!tc.columns.some((c) => c.name === colName)) {
      const guess = didYouMean(colName, tc.columns.map((c) => c.name));
      issues.report(ref, `column_config names unknown column "${colName}" of ${key}`, guess ? `did you mean "${guess}"?` : `remove column_config.${colName}`, `${tp}.configuration.column_config.${colName}`);
      ok = false;
    }
  }
  const customColumnNames = meta.configuration?.custom_column_names ?? {};
  const columns: ColumnModel[] = tc.columns.map((c) => ({
    name: c.name,
    fieldName: columnFieldName(customization, c.name, columnConfig[c.name]?.custom_name ?? customColumnNames[c.name]),
    catalog: c,
  }));
  const naming: TableNaming = { identifier: tableIdentifier(qt.schema, qt.name, meta.configuration?.custom_name), customization };
  const typeName = tableTypeName(naming);
  if (!GRAPHQL_NAME.test(typeName)) {
    issues.report(ref, `table ${key} maps to "${typeName}", which is not a valid GraphQL name`, 'set configuration.custom_name to a GraphQL name', `${tp}.table`);
    return undefined;
  }
  for (const c of columns) {
    if (!GRAPHQL_NAME.test(c.fieldName)) {
      issues.report(ref, `column "${c.name}" of ${key} is not a valid GraphQL name`, `set configuration.column_config.${c.name}.custom_name`, `${tp}.table`);
      ok = false;
    }
  }
  const custom = meta.configuration?.custom_root_fields ?? {};
  const rootName = (field: string, fallback: string): string => {
    const v = custom[field];
    const name = typeof v === 'string' ? v : v && typeof v === 'object' && typeof v.name === 'string' ? v.name : undefined;
    if (name !== undefined && !GRAPHQL_NAME.test(name)) {
      issues.report(ref, `custom root field "${name}" is not a valid GraphQL name`, 'use letters, digits and underscores, not starting with a digit', `${tp}.configuration.custom_root_fields.${field}`);
      ok = false;
    }
    // The source's root prefix/suffix apply to custom root field names too.
    return name === undefined ? fallback : rootFieldWrap(customization, name);
  };
  const rootFields = {
    select: rootName('select', tableRootField(naming, [], [])),
    selectByPk: rootName('select_by_pk', tableRootField(naming, [], ['by', 'pk'])),
    selectAggregate: rootName('select_aggregate', tableRootField(naming, [], ['aggregate'])),
    selectStream: rootName('select_stream', tableRootField(naming, [], ['stream'])),
  };
  const mutationRootFields = {
    insert: rootName('insert', tableRootField(naming, ['insert'], [])),
    insertOne: rootName('insert_one', tableRootField(naming, ['insert'], ['one'])),
    update: rootName('update', tableRootField(naming, ['update'], [])),
    updateByPk: rootName('update_by_pk', tableRootField(naming, ['update'], ['by', 'pk'])),
    updateMany: rootName('update_many', tableRootField(naming, ['update'], ['many'])),
    delete: rootName('delete', tableRootField(naming, ['delete'], [])),
    deleteByPk: rootName('delete_by_pk', tableRootField(naming, ['delete'], ['by', 'pk'])),
  };
  if (!ok) return undefined;
  checkPermissionColumns(source, meta, tc, tp, issues);
  const consistent = <T>(list: readonly T[] | undefined): T[] => (list ?? []).filter((p) => !issues.has(p));
  const permissions = consistent(meta.select_permissions);
  const mutationPermissions = { insert: consistent(meta.insert_permissions), update: consistent(meta.update_permissions), delete: consistent(meta.delete_permissions) };
  return {
    table: { source, schema: qt.schema, name: qt.name, typeName, rootFields, mutationRootFields, catalog: tc, columns, relationships: [], permissions, mutationPermissions, path: tp, naming },
    meta, cat, ref,
  };
}

/** The source's customization (with the default naming convention); undefined, and the source inconsistent, when it is wrong. */
function sourceCustomization(source: Metadata['sources'][number], fallback: NamingConvention | undefined, sourcePath: string, issues: Inconsistencies): SourceCustomization | undefined {
  const read = readCustomization(source.customization, fallback ?? 'hasura-default', `${sourcePath}.customization`);
  if ('customization' in read) return read.customization;
  issues.report(sourceObject(source, source.name), read.error, 'fix the source\'s customization', read.path);
  return undefined;
}

/** Enum tables type the columns that reference them (enums.ts); a table that cannot be an enum is inconsistent. */
function withEnums(shells: readonly Shell[], issues: Inconsistencies): Shell[] {
  const problems: MetadataError[] = [];
  const clashing = enumNameClashes(shells, issues);
  const typed = resolveEnums(shells.map((s) => ({ table: s.table, isEnum: s.meta.is_enum === true && !clashing.has(s) })), problems);
  const bad = new Set<string>();
  for (const p of problems) {
    const shell = shells.find((s) => p.path === `${s.table.path}.is_enum`);
    if (!shell) continue;
    issues.report(shell.ref, p.message.replace(/; fix the table or set is_enum: false$/, ''), 'fix the table, or set is_enum: false', p.path ?? shell.table.path);
    bad.add(shell.table.path);
  }
  return shells.flatMap((s, i) => (bad.has(s.table.path) ? [] : [{ ...s, table: typed[i] ?? s.table }]));
}

/**
 * An enum table whose GraphQL enum (`<table>_enum`) is named like another enum or a table
 * type, in any source, would make two definitions of one type: Hasura's schema build refuses
 * that. The later enum table is reported in Hasura's words and served as a plain table (its
 * referencing columns keep their scalar type), as an enum table breaking the rules is.
 */
function enumNameClashes(shells: readonly Shell[], issues: Inconsistencies): Set<Shell> {
  const owners = new Map<string, TableModel>();
  for (const s of shells) if (!owners.has(s.table.typeName)) owners.set(s.table.typeName, s.table);
  const clashing = new Set<Shell>();
  for (const s of shells) {
    // A table whose own type name is taken is left out by withoutNameCollisions (reported there).
    if (s.meta.is_enum !== true || owners.get(s.table.typeName) !== s.table) continue;
    const name = enumTypeName(s.table);
    const other = owners.get(name);
    if (other && other !== s.table) {
      issues.report(s.ref, typeConflict(name, tableObjectName(other), tableObjectName(s.table)),
        'give one of the tables a configuration.custom_name, or set is_enum: false', `${s.table.path}.is_enum`);
      clashing.add(s);
      continue;
    }
    owners.set(name, s.table);
  }
  return clashing;
}

/** How Hasura names a table in its schema-conflict errors (its metadata object name). */
function tableObjectName(t: TableModel): string {
  return tableObject({}, t.source, t).name;
}

/** Hasura's words when two tables generate one GraphQL type (its collectTypes check). */
export function typeConflict(name: string, first: string, second: string): string {
  return `Found conflicting definitions for "${name}".  The definition at "${first}" differs from the the definition at "${second}".`;
}

/**
 * GraphQL type names and root field names must be unique across all sources, as Hasura
 * checks when it builds the schema. Hasura then refuses the whole metadata; farjoin keeps the
 * first table, reports a later one as inconsistent in Hasura's words and serves the rest
 * (issue 11: cross-source collisions are reported, not a refusal to start). Root fields of a
 * source with `root_fields.namespace` live in the namespace's own type, so they only collide
 * there.
 */
function withoutNameCollisions(shells: readonly Shell[], issues: Inconsistencies): Shell[] {
  const typeOwners = new Map<string, TableModel>();
  const rootOwners = new Map<string, TableModel>();
  const kept: Shell[] = [];
  for (const shell of shells) {
    const { table, ref } = shell;
    const other = typeOwners.get(table.typeName);
    if (other) {
      issues.report(ref, typeConflict(table.typeName, tableObjectName(other), tableObjectName(table)),
        'give one of them a configuration.custom_name', `${table.path}.table`);
      continue;
    }
    const namespace = table.naming?.customization.rootFields.namespace;
    const selectionSet = (root: string) => namespace === undefined ? root : namespaceTypeName(table.naming!.customization, namespace, root === 'query_root' ? 'query' : 'mutation_frontend');
    const names = [
      ...[table.rootFields.select, table.rootFields.selectByPk, table.rootFields.selectAggregate].map((n) => [selectionSet('query_root'), n] as const),
      ...Object.values(table.mutationRootFields ?? {}).map((n) => [selectionSet('mutation_root'), n] as const),
    ];
    const clash = names.find(([set, n]) => rootOwners.has(`${set}.${n}`));
    if (clash !== undefined) {
      const owner = rootOwners.get(`${clash[0]}.${clash[1]}`)!;
      issues.report(ref, `Encountered conflicting definitions in the selection set for '${clash[0]}' for field '${clash[1]}' defined in [${tableObjectName(owner)}, ${tableObjectName(table)}]. Fields must not be defined more than once across all sources.`,
        'rename one with configuration.custom_root_fields or configuration.custom_name', `${table.path}.configuration`);
      continue;
    }
    typeOwners.set(table.typeName, table);
    for (const [set, n] of names) rootOwners.set(`${set}.${n}`, table);
    kept.push(shell);
  }
  return kept;
}

/** A relationship whose GraphQL field clashes with a column (or `<rel>_aggregate` with a field) is inconsistent. */
function withoutFieldClashes(ctx: Ctx, rels: readonly RelationshipModel[]): RelationshipModel[] {
  const { table } = ctx;
  const names = new Map<string, string>();
  for (const c of table.columns) names.set(c.fieldName, `column "${c.name}"`);
  const kept: RelationshipModel[] = [];
  for (const r of rels) {
    const fields = r.type === 'object' ? [r.name] : [r.name, `${r.name}_aggregate`];
    const clash = fields.map((f) => [f, names.get(f)] as const).find(([, c]) => c !== undefined);
    if (clash) {
      ctx.issues.report(REFS.get(r)!, `relationship "${r.name}" of ${table.typeName} clashes with ${clash[1]} (GraphQL field "${clash[0]}")`, 'rename the relationship', r.path);
      continue;
    }
    for (const f of fields) names.set(f, `relationship "${r.name}"`);
    kept.push(r);
  }
  return kept;
}

function pushIf<T>(list: T[], item: T | undefined): void {
  if (item !== undefined) list.push(item);
}

interface Ctx {
  readonly table: TableModel;
  readonly index: ModelIndex;
  readonly cat: SourceCatalog;
  readonly issues: Inconsistencies;
  readonly declared: ReadonlySet<string>;
}

/** The metadata object of each resolved relationship (for clashes found after it resolved). */
const REFS = new WeakMap<RelationshipModel, MetadataObjectRef>();

function childRef(ctx: Ctx, type: 'object_relation' | 'array_relation' | 'remote_relationship', raw: object, name: string): MetadataObjectRef {
  return tableChildObject(type, raw, ctx.table.source, ctx.table, name);
}

function resolveLocal(ctx: Ctx, r: LocalRelationshipMetadata, type: 'object' | 'array', path: string): RelationshipModel | undefined {
  if (ctx.issues.has(r)) return undefined;
  const { table } = ctx;
  const ref = childRef(ctx, type === 'object' ? 'object_relation' : 'array_relation', r, r.name);
  const using = r.using ?? {};
  if (using.manual_configuration) {
    const mc = using.manual_configuration;
    const tq = parseQualifiedTable(mc.remote_table, `${path}.using.manual_configuration.remote_table`);
    const mapping = Object.entries(mc.column_mapping ?? {}).map(([from, to]) => ({ from, to }));
    return finishRelationship(ctx, ref, r.name, type, { source: table.source, schema: tq.schema, name: tq.name }, mapping, path, `${path}.using.manual_configuration`);
  }
  const fk = using.foreign_key_constraint_on;
  if (fk === undefined) {
    ctx.issues.report(ref, 'the relationship needs using.foreign_key_constraint_on or using.manual_configuration', 'add one of the two', `${path}.using`);
    return undefined;
  }
  const found = resolveForeignKey(ctx, ref, fk, `${path}.using.foreign_key_constraint_on`);
  if (!found) return undefined;
  const model = finishRelationship(ctx, ref, r.name, type, found.target, found.mapping, path, `${path}.using.foreign_key_constraint_on`);
  // Hasura: an object relationship along this table's own foreign key columns is non-null when every one is NOT NULL.
  const required = type === 'object' && found.own && found.mapping.every((m) => ctx.table.catalog.columns.find((c) => c.name === m.from)?.nullable === false);
  return model && required ? { ...model, nonNullable: true } : model;
}

/** Finds the constraint that `foreign_key_constraint_on` names, in either direction. */
function resolveForeignKey(ctx: Ctx, ref: MetadataObjectRef, fk: ForeignKeyUsing, path: string):
  { target: { source: string; schema: string; name: string }; mapping: ColumnPair[]; own: boolean } | undefined {
  const { table, cat, issues } = ctx;
  const label = `${table.schema}.${table.name}`;
  if (typeof fk === 'string' || isColumnList(fk) || 'column' in fk && !('table' in fk) || 'columns' in fk && !('table' in fk)) {
    // Columns of this table that reference another table: `col`, `[col, …]`, `{column}`, `{columns}`.
    const cols = typeof fk === 'string' ? [fk] : isColumnList(fk) ? [...fk] : 'columns' in fk && fk.columns ? [...fk.columns] : [(fk as { column: string }).column];
    const constraint = table.catalog.foreignKeys.find((k) => sameSet(k.columns, cols));
    if (!constraint) {
      issues.report(ref, `no foreign key constraint on ${label}(${cols.join(', ')})`, 'create the constraint, or use manual_configuration', path);
      return undefined;
    }
    return {
      target: { source: table.source, schema: constraint.refSchema, name: constraint.refTable },
      mapping: constraint.columns.map((c, i) => ({ from: c, to: constraint.refColumns[i] ?? '' })),
      own: true,
    };
  }
  // `{table, column(s)}`: a constraint on the other table that references this one.
  const withTable = fk as { table: unknown; column?: string; columns?: readonly string[] };
  const other = parseQualifiedTable(withTable.table, `${path}.table`);
  const cols = withTable.columns ? [...withTable.columns] : withTable.column ? [withTable.column] : [];
  const otherCat: TableCatalog | undefined = findTable(cat, other.schema, other.name);
  if (!otherCat) {
    issues.report(ref, `table "${other.schema}.${other.name}" does not exist`, `create it in source "${table.source}", or fix the name`, `${path}.table`);
    return undefined;
  }
  const constraint = otherCat.foreignKeys.find((k) => sameSet(k.columns, cols) && k.refSchema === table.schema && k.refTable === table.name);
  if (!constraint) {
    issues.report(ref, `no foreign key constraint on ${other.schema}.${other.name}(${cols.join(', ')}) referencing ${label}`, 'create the constraint, or use manual_configuration', path);
    return undefined;
  }
  return {
    target: { source: table.source, schema: other.schema, name: other.name },
    mapping: constraint.columns.map((c, i) => ({ from: constraint.refColumns[i] ?? '', to: c })),
    own: false,
  };
}

function isColumnList(fk: ForeignKeyUsing): fk is readonly string[] {
  return Array.isArray(fk);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function finishRelationship(
  ctx: Ctx, ref: MetadataObjectRef, name: string, type: 'object' | 'array', target: { source: string; schema: string; name: string },
  mapping: ColumnPair[], path: string, mappingPath: string,
): RelationshipModel | undefined {
  const { table, index, issues } = ctx;
  const targetTable = index.table(target);
  if (!targetTable) {
    const sourceUp = index.model.sources.some((s) => s.name === target.source);
    issues.report(ref,
      sourceUp
        ? `the target ${tableLabel(target.source, target.schema, target.name)} is not a tracked, consistent table`
        : `the target source "${target.source}" is inconsistent`,
      sourceUp ? `track ${target.schema}.${target.name} in source "${target.source}" (or fix it if it is inconsistent), or fix the name` : `fix source "${target.source}"; the relationship is served again once the source is`,
      mappingPath);
    return undefined;
  }
  if (mapping.length === 0) {
    issues.report(ref, 'the column mapping is empty', 'map at least one column pair', mappingPath);
    return undefined;
  }
  let ok = true;
  for (const { from, to } of mapping) {
    const fromCol = table.catalog.columns.find((c) => c.name === from);
    const toCol = targetTable.catalog.columns.find((c) => c.name === to);
    if (!fromCol) {
      issues.report(ref, `${table.schema}.${table.name} has no column "${from}"`, fixColumn(from, table.catalog.columns.map((c) => c.name)), mappingPath);
      ok = false;
    }
    if (!toCol) {
      issues.report(ref, `${target.schema}.${target.name} has no column "${to}"`, fixColumn(to, targetTable.catalog.columns.map((c) => c.name)), mappingPath);
      ok = false;
    }
    if (fromCol && toCol && !typesComparable(fromCol.type, toCol.type)) {
      issues.report(ref,
        `join key ${table.source}.${table.name}.${from} (${describeType(fromCol.type)}) cannot be compared with ${target.source}.${target.name}.${to} (${describeType(toCol.type)})`,
        'change a column type, or map columns of compatible types', mappingPath);
      ok = false;
    }
  }
  if (!ok) return undefined;
  const model: RelationshipModel = { name, type, remote: target.source !== table.source, target: { ...target }, mapping, path };
  REFS.set(model, ref);
  return model;
}

/** "did you mean" one of `columns`, or the list of them. */
export function fixColumn(name: string, columns: readonly string[]): string {
  const guess = didYouMean(name, columns);
  return guess ? `did you mean "${guess}"?` : `use one of its columns: ${columns.join(', ')}`;
}
