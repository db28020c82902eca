/**
 * Postgres type → GraphQL scalar, named as Hasura names them (DESIGN.md §4): int2/int4 → Int,
 * float4 → Float, text/varchar/bpchar/citext → String, bool → Boolean; every other type
 * becomes a custom scalar named after the Postgres type (bigint, numeric, float8, uuid,
 * timestamptz, jsonb, …), arrays `_<element>`.
 */
import { GraphQLBoolean, GraphQLEnumType, GraphQLFloat, GraphQLInt, GraphQLScalarType, GraphQLString, valueFromASTUntyped } from 'graphql';
import type { PgType } from '../catalog/types.js';
import type { ColumnModel, EnumReference } from '../metadata/model.js';

const BUILT_IN: Readonly<Record<string, GraphQLScalarType>> = {
  int2: GraphQLInt,
  int4: GraphQLInt,
  float4: GraphQLFloat,
  text: GraphQLString,
  varchar: GraphQLString,
  bpchar: GraphQLString,
  citext: GraphQLString,
  name: GraphQLString,
  bool: GraphQLBoolean,
};

const HASURA_NAMES: Readonly<Record<string, string>> = { int8: 'bigint' };

/** Text-like scalars get the pattern operators (_like, _ilike, _similar, _regex …). */
export function isTextType(t: PgType): boolean {
  return ['text', 'varchar', 'bpchar', 'citext', 'name'].includes(t.name);
}

/** One registry per schema build, so each custom scalar is created once. */
export class ScalarRegistry {
  private readonly custom = new Map<string, GraphQLScalarType>();
  private readonly enums = new Map<string, GraphQLEnumType>();

  /** A column's type: its enum table's GraphQL enum (metadata/enums.ts), else its scalar. */
  forColumn(c: ColumnModel): GraphQLScalarType | GraphQLEnumType {
    return c.enumReference ? this.enumOf(c.enumReference) : this.forType(c.catalog.type);
  }

  /** `<table>_enum`: one value per row, named as the convention names it, standing for the row's text. */
  enumOf(ref: EnumReference): GraphQLEnumType {
    let e = this.enums.get(ref.typeName);
    if (!e) {
      const values: Record<string, { value: string; description?: string }> = {};
      for (const v of ref.values) values[v.name] = v.description === null ? { value: v.value } : { value: v.value, description: v.description };
      e = new GraphQLEnumType({ name: ref.typeName, values });
      this.enums.set(ref.typeName, e);
    }
    return e;
  }

  forType(t: PgType): GraphQLScalarType {
    const builtIn = builtInOf(t);
    if (builtIn) return builtIn;
    return this.named(scalarNameOf(t), t.category === 'A' && t.element ? `array of ${t.element.name}` : `Postgres type ${t.name}`);
  }

  private named(name: string, description: string): GraphQLScalarType {
    let s = this.custom.get(name);
    if (!s) {
      s = new GraphQLScalarType({
        name,
        description,
        serialize: (v) => v,
        parseValue: (v) => v,
        parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
      });
      this.custom.set(name, s);
    }
    return s;
  }
}

function builtInOf(t: PgType): GraphQLScalarType | undefined {
  const builtIn = t.category === 'A' ? undefined : BUILT_IN[t.name];
  return builtIn && t.schema === 'pg_catalog' ? builtIn : undefined;
}

/** The GraphQL name of a Postgres type's scalar (`Int`, `bigint`, `_text` …), as forType names it. */
export function scalarNameOf(t: PgType): string {
  if (t.category === 'A' && t.element) return `_${scalarBaseName(t.element)}`;
  return builtInOf(t)?.name ?? scalarBaseName(t);
}

/** The GraphQL name of a column's type: its enum's, else its scalar's. */
export function columnTypeName(c: ColumnModel): string {
  return c.enumReference ? c.enumReference.typeName : scalarNameOf(c.catalog.type);
}

function scalarBaseName(t: PgType): string {
  const name = HASURA_NAMES[t.name] ?? t.name;
  return /^[_A-Za-z][_0-9A-Za-z]*$/.test(name) ? name : `pg_${name.replace(/[^_0-9A-Za-z]/g, '_')}`;
}
