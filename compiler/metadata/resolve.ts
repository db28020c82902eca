/**
 * Staged resolution of metadata against the catalogs (DESIGN.md §3):
 * sources → tables → relationships. Every problem is reported with its metadata path
 * and, where there is one, the fix. Unlike Hasura, join keys whose types cannot be
 * compared are rejected here, at load time, instead of failing at query time.
 */
import { MetadataError } from '../errors.js';
import type { Catalog, PgType, SourceCatalog, TableCatalog } from '../catalog/types.js';
import { findTable } from '../catalog/types.js';
import { parseQualifiedTable } from './parse.js';
import type { ColumnModel, ColumnPair, Model, RelationshipModel, SourceModel, TableModel } from './model.js';
import { ModelIndex } from './model.js';
import type { ForeignKeyUsing, LocalRelationshipMetadata, Metadata, TableMetadata } from './types.js';
import { typesComparable } from './type-compat.js';
import { resolveFunctions } from './functions.js';
import { resolveEnums } from './enums.js';
import {
  columnFieldName, DEFAULT_CUSTOMIZATION, readCustomization, rootFieldWrap, tableIdentifier, tableRootField, tableTypeName,
  type NamingConvention, type SourceCustomization, type TableNaming,
} from '../schema/naming.js';

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

export interface ResolveResult {
  readonly model: Model;
  readonly errors: readonly MetadataError[];
}

function tableLabel(source: string, schema: string, name: string): string {
  return `${source}.${schema}.${name}`;
}

function describeType(t: PgType): string {
  return t.schema === 'pg_catalog' ? t.name : `${t.schema}.${t.name}`;
}

/** Resolves metadata; returns all errors found rather than stopping at the first. */
export function resolveMetadata(metadata: Metadata, catalog: Catalog, options: { defaultNamingConvention?: NamingConvention } = {}): ResolveResult {
  const errors: MetadataError[] = [];
  const sources: SourceModel[] = [];
  const shells: { table: TableModel; meta: TableMetadata; cat: SourceCatalog }[] = [];

  // Stage 1: sources and tables.
  metadata.sources.forEach((source, si) => {
    const sp = `$.sources[${si}]`;
    const cat = catalog.sources[source.name];
    if (!cat) {
      errors.push(new MetadataError(`source "${source.name}" has no catalog (the database could not be introspected)`, sp));
      return;
    }
    const customization = sourceCustomization(source.customization, options.defaultNamingConvention, sp, errors);
    sources.push({ name: source.name, serverVersion: cat.serverVersion, fdwLinks: cat.fdwLinks ?? [], customization });
    const seen = new Set<string>();
    source.tables.forEach((meta, ti) => {
      const tp = `${sp}.tables[${ti}]`;
      const qt = parseQualifiedTable(meta.table, `${tp}.table`);
      const key = `${qt.schema}.${qt.name}`;
      if (seen.has(key)) {
        errors.push(new MetadataError(`table ${key} is tracked twice in source "${source.name}"`, `${tp}.table`));
        return;
      }
      seen.add(key);
      const tc = findTable(cat, qt.schema, qt.name);
      if (!tc) {
        errors.push(new MetadataError(
          `table ${tableLabel(source.name, qt.schema, qt.name)} does not exist in the database; create it, or remove it from the metadata`,
          `${tp}.table`));
        return;
      }
      const columnConfig = meta.configuration?.column_config ?? {};
      for (const colName of Object.keys(columnConfig)) {
        if (!tc.columns.some((c) => c.name === colName)) {
          errors.push(new MetadataError(`column_config names unknown column "${colName}" of ${key}`, `${tp}.configuration.column_config.${colName}`));
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
        errors.push(new MetadataError(
          `table ${key} maps to "${typeName}", which is not a valid GraphQL name; set configuration.custom_name`,
          `${tp}.table`));
        return;
      }
      for (const c of columns) {
        if (!GRAPHQL_NAME.test(c.fieldName)) {
          errors.push(new MetadataError(
            `column "${c.name}" of ${key} is not a valid GraphQL name; set configuration.column_config.${c.name}.custom_name`,
            `${tp}.table`));
        }
      }
      const custom = meta.configuration?.custom_root_fields ?? {};
      const rootName = (key: string, fallback: string): string => {
        const v = custom[key];
        const name = typeof v === 'string' ? v : v && typeof v === 'object' && typeof v.name === 'string' ? v.name : undefined;
        if (name !== undefined && !GRAPHQL_NAME.test(name)) {
          errors.push(new MetadataError(`custom root field "${name}" is not a valid GraphQL name`, `${tp}.configuration.custom_root_fields.${key}`));
          return fallback;
        }
        // The source's root prefix/suffix apply to custom root field names too.
        return name === undefined ? fallback : rootFieldWrap(customization, name);
      };
      const rootFields = {
        select: rootName('select', tableRootField(naming, [], [])),
        selectByPk: rootName('select_by_pk', tableRootField(naming, [], ['by', 'pk'])),
        selectAggregate: rootName('select_aggregate', tableRootField(naming, [], ['aggregate'])),
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
      const mutationPermissions = { insert: meta.insert_permissions ?? [], update: meta.update_permissions ?? [], delete: meta.delete_permissions ?? [] };
      shells.push({
        table: { source: source.name, schema: qt.schema, name: qt.name, typeName, rootFields, mutationRootFields, catalog: tc, columns, relationships: [], permissions: meta.select_permissions ?? [], mutationPermissions, path: tp, naming },
        meta,
        cat,
      });
    });
  });

  // Enum tables type the columns that reference them (metadata/enums.ts).
  const typed = resolveEnums(shells.map((s) => ({ table: s.table, isEnum: s.meta.is_enum === true })), errors);
  shells.forEach((s, i) => {
    s.table = typed[i] ?? s.table;
  });

  // GraphQL type names must be unique across all sources.
  const byTypeName = new Map<string, TableModel>();
  for (const { table } of shells) {
    const other = byTypeName.get(table.typeName);
    if (other) {
      errors.push(new MetadataError(
        `tables ${tableLabel(other.source, other.schema, other.name)} and ${tableLabel(table.source, table.schema, table.name)} both map to the GraphQL name "${table.typeName}"; give one a configuration.custom_name`,
        `${table.path}.table`));
    } else byTypeName.set(table.typeName, table);
  }

  // Root field names must be unique across all sources.
  const rootOwners = new Map<string, TableModel>();
  for (const { table } of shells) {
    for (const name of [table.rootFields.select, table.rootFields.selectByPk, table.rootFields.selectAggregate, ...Object.values(table.mutationRootFields ?? {})]) {
      const other = rootOwners.get(name);
      if (other && other !== table) {
        errors.push(new MetadataError(`root field "${name}" of ${table.schema}.${table.name} is already used by ${other.schema}.${other.name} (source "${other.source}"); rename one with custom_root_fields or custom_name`, `${table.path}.configuration`));
      } else rootOwners.set(name, table);
    }
  }

  // Stage 2: relationships (need every table shell to exist).
  const index = new ModelIndex({ sources, tables: shells.map((s) => s.table) });
  const tables: TableModel[] = shells.map(({ table, meta, cat }) => {
    const rels: RelationshipModel[] = [];
    const ctx = { table, index, cat, errors };
    (meta.object_relationships ?? []).forEach((r, i) =>
      pushIf(rels, resolveLocal(ctx, r, 'object', `${table.path}.object_relationships[${i}]`)));
    (meta.array_relationships ?? []).forEach((r, i) =>
      pushIf(rels, resolveLocal(ctx, r, 'array', `${table.path}.array_relationships[${i}]`)));
    (meta.remote_relationships ?? []).forEach((r, i) => {
      const path = `${table.path}.remote_relationships[${i}]`;
      const ts = r.definition?.to_source;
      if (!ts) {
        errors.push(new MetadataError(`remote relationship "${r.name}": only "to_source" (database-to-database) relationships are supported; remote schemas are not`, `${path}.definition`));
        return;
      }
      if (ts.relationship_type !== 'object' && ts.relationship_type !== 'array') {
        errors.push(new MetadataError(`relationship_type must be "object" or "array"`, `${path}.definition.to_source.relationship_type`));
        return;
      }
      if (!metadata.sources.some((s) => s.name === ts.source)) {
        errors.push(new MetadataError(`remote relationship "${r.name}" points at unknown source "${ts.source}"; add the source or fix the name`, `${path}.definition.to_source.source`));
        return;
      }
      const tq = parseQualifiedTable(ts.table, `${path}.definition.to_source.table`);
      const mapping = Object.entries(ts.field_mapping ?? {}).map(([from, to]) => ({ from, to }));
      pushIf(rels, finishRelationship(ctx, r.name, ts.relationship_type, { source: ts.source, schema: tq.schema, name: tq.name }, mapping, path, `${path}.definition.to_source`));
    });
    return { ...table, relationships: rels };
  });

  // Stage 3: field names must be unique within a type.
  for (const t of tables) {
    const names = new Map<string, string>();
    for (const c of t.columns) names.set(c.fieldName, `column "${c.name}"`);
    for (const r of t.relationships) {
      for (const fieldName of [r.name, `${r.name}_aggregate`]) {
        const clash = names.get(fieldName);
        if (clash) {
          errors.push(new MetadataError(`relationship "${r.name}" of ${t.typeName} clashes with ${clash} (GraphQL field "${fieldName}"); rename the relationship`, r.path));
        }
        if (r.type === 'object') break;
      }
      names.set(r.name, `relationship "${r.name}"`);
    }
  }

  // Stage 4: computed fields and tracked functions (functions.ts).
  const resolved = resolveFunctions(metadata, catalog, { sources, tables }, errors);
  return { model: { sources, tables: resolved.tables, functions: resolved.functions }, errors };
}

/** The source's customization, with the default naming convention (HASURA_GRAPHQL_DEFAULT_NAMING_CONVENTION). */
function sourceCustomization(raw: unknown, fallback: NamingConvention | undefined, sourcePath: string, errors: MetadataError[]): SourceCustomization {
  const read = readCustomization(raw, fallback ?? 'hasura-default', `${sourcePath}.customization`);
  if ('customization' in read) return read.customization;
  errors.push(new MetadataError(read.error, read.path));
  return DEFAULT_CUSTOMIZATION;
}

function pushIf<T>(list: T[], item: T | undefined): void {
  if (item !== undefined) list.push(item);
}

interface Ctx {
  readonly table: TableModel;
  readonly index: ModelIndex;
  readonly cat: SourceCatalog;
  readonly errors: MetadataError[];
}

function resolveLocal(ctx: Ctx, r: LocalRelationshipMetadata, type: 'object' | 'array', path: string): RelationshipModel | undefined {
  const { table } = ctx;
  const using = r.using ?? {};
  if (using.manual_configuration) {
    const mc = using.manual_configuration;
    const tq = parseQualifiedTable(mc.remote_table, `${path}.using.manual_configuration.remote_table`);
    const mapping = Object.entries(mc.column_mapping ?? {}).map(([from, to]) => ({ from, to }));
    return finishRelationship(ctx, r.name, type, { source: table.source, schema: tq.schema, name: tq.name }, mapping, path, `${path}.using.manual_configuration`);
  }
  const fk = using.foreign_key_constraint_on;
  if (fk === undefined) {
    ctx.errors.push(new MetadataError(`relationship "${r.name}" needs using.foreign_key_constraint_on or using.manual_configuration`, `${path}.using`));
    return undefined;
  }
  const found = resolveForeignKey(ctx, fk, type, `${path}.using.foreign_key_constraint_on`);
  if (!found) return undefined;
  return finishRelationship(ctx, r.name, type, found.target, found.mapping, path, `${path}.using.foreign_key_constraint_on`);
}

/** Finds the constraint that `foreign_key_constraint_on` names, in either direction. */
function resolveForeignKey(ctx: Ctx, fk: ForeignKeyUsing, type: 'object' | 'array', path: string):
  { target: { source: string; schema: string; name: string }; mapping: ColumnPair[] } | undefined {
  const { table, cat, errors } = ctx;
  const label = `${table.schema}.${table.name}`;
  if (typeof fk === 'string' || 'column' in fk && !('table' in fk) || 'columns' in fk && !('table' in fk)) {
    // Columns of this table that reference another table.
    const cols = typeof fk === 'string' ? [fk] : 'columns' in fk && fk.columns ? [...fk.columns] : [(fk as { column: string }).column];
    const constraint = table.catalog.foreignKeys.find((k) => sameSet(k.columns, cols));
    if (!constraint) {
      errors.push(new MetadataError(`no foreign key constraint on ${label}(${cols.join(', ')}); create one, or use manual_configuration`, path));
      return undefined;
    }
    return {
      target: { source: table.source, schema: constraint.refSchema, name: constraint.refTable },
      mapping: constraint.columns.map((c, i) => ({ from: c, to: constraint.refColumns[i] ?? '' })),
    };
  }
  // `{table, column(s)}`: a constraint on the other table that references this one.
  const withTable = fk as { table: unknown; column?: string; columns?: readonly string[] };
  const other = parseQualifiedTable(withTable.table, `${path}.table`);
  const cols = withTable.columns ? [...withTable.columns] : withTable.column ? [withTable.column] : [];
  const otherCat: TableCatalog | undefined = findTable(cat, other.schema, other.name);
  if (!otherCat) {
    errors.push(new MetadataError(`table ${other.schema}.${other.name} does not exist in source "${table.source}"`, `${path}.table`));
    return undefined;
  }
  const constraint = otherCat.foreignKeys.find((k) => sameSet(k.columns, cols) && k.refSchema === table.schema && k.refTable === table.name);
  if (!constraint) {
    errors.push(new MetadataError(`no foreign key constraint on ${other.schema}.${other.name}(${cols.join(', ')}) referencing ${label}; create one, or use manual_configuration`, path));
    return undefined;
  }
  void type;
  return {
    target: { source: table.source, schema: other.schema, name: other.name },
    mapping: constraint.columns.map((c, i) => ({ from: constraint.refColumns[i] ?? '', to: c })),
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function finishRelationship(
  ctx: Ctx, name: string, type: 'object' | 'array', target: { source: string; schema: string; name: string },
  mapping: ColumnPair[], path: string, mappingPath: string,
): RelationshipModel | undefined {
  const { table, index, errors } = ctx;
  const targetTable = index.table(target);
  if (!targetTable) {
    errors.push(new MetadataError(
      `relationship "${name}" targets ${tableLabel(target.source, target.schema, target.name)}, which is not a tracked table; track it in source "${target.source}" or fix the name`,
      mappingPath));
    return undefined;
  }
  if (mapping.length === 0) {
    errors.push(new MetadataError(`relationship "${name}" has an empty column mapping`, mappingPath));
    return undefined;
  }
  let ok = true;
  for (const { from, to } of mapping) {
    const fromCol = table.catalog.columns.find((c) => c.name === from);
    const toCol = targetTable.catalog.columns.find((c) => c.name === to);
    if (!fromCol) {
      errors.push(new MetadataError(`relationship "${name}": ${table.schema}.${table.name} has no column "${from}"`, mappingPath));
      ok = false;
    }
    if (!toCol) {
      errors.push(new MetadataError(`relationship "${name}": ${target.schema}.${target.name} has no column "${to}"`, mappingPath));
      ok = false;
    }
    if (fromCol && toCol && !typesComparable(fromCol.type, toCol.type)) {
      errors.push(new MetadataError(
        `relationship "${name}": join key ${table.source}.${table.name}.${from} (${describeType(fromCol.type)}) cannot be compared with ${target.source}.${target.name}.${to} (${describeType(toCol.type)}); change a column type or map columns of compatible types`,
        mappingPath));
      ok = false;
    }
  }
  if (!ok) return undefined;
  return { name, type, remote: target.source !== table.source, target: { ...target }, mapping, path };
}
