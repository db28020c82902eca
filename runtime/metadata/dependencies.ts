/**
 * What depends on a table or a source: relationships of other tables that point at it
 * (local ones in the same source, remote ones from any source). Untracking or dropping
 * refuses with Hasura's `dependency-error` unless `cascade` is set, which removes them.
 */
import { apiError, type MetadataApiError } from './errors.js';
import { isObject, listOf, dropEmpty, qualifiedName, sameName, showName, tableName, type QualifiedName, type RawMetadata, type RawTable } from './doc.js';
import type { OpContext } from './operation.js';

export const RELATIONSHIP_KINDS = ['object_relationships', 'array_relationships', 'remote_relationships'] as const;
export type RelationshipKind = (typeof RELATIONSHIP_KINDS)[number];

export interface RelationshipRef {
  readonly source: string;
  readonly table: QualifiedName;
  readonly kind: RelationshipKind;
  readonly name: string;
}

/** The table a relationship of `owner` (in `source`) points at, as far as metadata and catalog tell. */
export function relationshipTarget(source: string, owner: QualifiedName, kind: RelationshipKind, rel: Record<string, unknown>, ctx: OpContext):
  { source: string; table: QualifiedName } | undefined {
  if (kind === 'remote_relationships') {
    const ts = isObject(rel.definition) && isObject(rel.definition.to_source) ? rel.definition.to_source : undefined;
    if (!ts || typeof ts.source !== 'string') return undefined;
    try {
      return { source: ts.source, table: qualifiedName(ts.table, '$') };
    } catch {
      return undefined;
    }
  }
  const using = isObject(rel.using) ? rel.using : {};
  try {
    if (isObject(using.manual_configuration)) return { source, table: qualifiedName(using.manual_configuration.remote_table, '$') };
    const fk = using.foreign_key_constraint_on;
    if (isObject(fk) && fk.table !== undefined) return { source, table: qualifiedName(fk.table, '$') };
    const cols = typeof fk === 'string' ? [fk] : isObject(fk) ? (Array.isArray(fk.columns) ? fk.columns : [fk.column]) : [];
    const tc = ctx.catalog(source)?.tables.find((t) => t.schema === owner.schema && t.name === owner.name);
    const key = tc?.foreignKeys.find((k) => k.columns.length === cols.length && k.columns.every((c) => cols.includes(c)));
    return key ? { source, table: { schema: key.refSchema, name: key.refTable } } : undefined;
  } catch {
    return undefined;
  }
}

function* relationships(md: RawMetadata): Generator<{ source: string; owner: RawTable; table: QualifiedName; kind: RelationshipKind; rel: Record<string, unknown> }> {
  for (const s of md.sources) {
    for (const owner of s.tables) {
      let table: QualifiedName;
      try {
        table = tableName(owner);
      } catch {
        continue;
      }
      for (const kind of RELATIONSHIP_KINDS) {
        const list = owner[kind];
        if (!Array.isArray(list)) continue;
        for (const rel of list) if (isObject(rel) && typeof rel.name === 'string') yield { source: s.name, owner, table, kind, rel };
      }
    }
  }
}

/** Relationships of other tables that point at `table` of `source`. */
export function dependentsOfTable(md: RawMetadata, source: string, table: QualifiedName, ctx: OpContext): RelationshipRef[] {
  const out: RelationshipRef[] = [];
  for (const r of relationships(md)) {
    if (r.source === source && sameName(r.table, table)) continue; // its own: removed with it
    const target = relationshipTarget(r.source, r.table, r.kind, r.rel, ctx);
    if (target && target.source === source && sameName(target.table, table)) {
      out.push({ source: r.source, table: r.table, kind: r.kind, name: r.rel.name as string });
    }
  }
  return out;
}

/** Remote relationships of other sources that point into `source`. */
export function dependentsOfSource(md: RawMetadata, source: string): RelationshipRef[] {
  const out: RelationshipRef[] = [];
  for (const r of relationships(md)) {
    if (r.source === source || r.kind !== 'remote_relationships') continue;
    const ts = isObject(r.rel.definition) && isObject(r.rel.definition.to_source) ? r.rel.definition.to_source : undefined;
    if (ts?.source === source) out.push({ source: r.source, table: r.table, kind: r.kind, name: r.rel.name as string });
  }
  return out;
}

export function describeRelationship(r: RelationshipRef): string {
  return `${r.kind === 'remote_relationships' ? 'remote relationship' : 'relationship'} ${showName(r.table)}.${r.name}${r.kind === 'remote_relationships' ? ` in source ${r.source}` : ''}`;
}

export function dependencyError(deps: readonly RelationshipRef[]): MetadataApiError {
  return apiError('dependency-error', `cannot drop due to the following dependent objects : ${deps.map(describeRelationship).join(', ')}`);
}

export function removeRelationships(md: RawMetadata, refs: readonly RelationshipRef[]): void {
  for (const ref of refs) {
    const source = md.sources.find((s) => s.name === ref.source);
    const owner = source?.tables.find((t) => {
      try {
        return sameName(tableName(t), ref.table);
      } catch {
        return false;
      }
    });
    if (!owner) continue;
    owner[ref.kind] = listOf(owner, ref.kind).filter((r) => r.name !== ref.name);
    dropEmpty(owner, ref.kind);
  }
}
