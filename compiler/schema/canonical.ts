/**
 * Renamed surfaces back to Hasura's default names (issue 11 item 5). Under
 * `graphql-default` an argument is `orderBy`, an operator `_isNull`, an aggregate
 * `stddevPop`; lowering reads Hasura's default names only. Every renamed argument, input
 * field and output field carries its default name in `extensions.hasura` (`as(name,
 * default)` builds that), enum values stand for their default values (`ASC` → `asc`), and
 * `canonicalArgs` rewrites coerced argument values by walking their GraphQL input types.
 * Column, relationship and table names are not rewritten: lowering matches those by their
 * GraphQL names.
 */
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  type FieldNode,
  type GraphQLField,
  type GraphQLInputObjectType,
  type GraphQLInputType,
} from 'graphql';

/** `{extensions: {hasura}}` when `name` differs from Hasura's default name. */
export function as(name: string, hasura: string): { extensions?: { hasura: string } } {
  return name === hasura ? {} : { extensions: { hasura } };
}

/** A field's or argument's Hasura default name. */
export function hasuraName(field: { readonly name: string; readonly extensions?: unknown }): string {
  const ext = field.extensions as { hasura?: unknown } | undefined;
  return typeof ext?.hasura === 'string' ? ext.hasura : field.name;
}

/**
 * Whether some input field reachable from `type` has another Hasura name (so values of
 * it must be rewritten); cached per named type. Reachability is collected first, so
 * recursive input types (insert inputs through relationships) are answered correctly.
 */
function renames(type: GraphQLInputType): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named)) return false;
  let known = renaming.get(named);
  if (known !== undefined) return known;
  const seen = new Set<GraphQLInputObjectType>([named]);
  const todo = [named];
  known = false;
  while (todo.length > 0 && !known) {
    for (const f of Object.values(todo.pop()!.getFields())) {
      if (hasuraName(f) !== f.name) known = true;
      const inner = getNamedType(f.type);
      if (isInputObjectType(inner) && !seen.has(inner)) {
        seen.add(inner);
        todo.push(inner);
      }
    }
  }
  renaming.set(named, known);
  return known;
}

const renaming = new WeakMap<GraphQLInputObjectType, boolean>();

/** A field's arguments, coerced by graphql-js, under Hasura's default names. */
export function argumentsOf(def: GraphQLField<unknown, unknown>, node: FieldNode, variables: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const values = getArgumentValues(def, node, variables as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const arg of def.args) {
    if (arg.name in values) out[hasuraName(arg)] = canonicalValue(arg.type, values[arg.name]);
  }
  return out;
}

function canonicalValue(type: GraphQLInputType, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (!renames(type)) return value; // nothing under this type is renamed: the value is already canonical
  const t = getNullableType(type);
  if (isListType(t)) return Array.isArray(value) ? value.map((v) => canonicalValue(t.ofType, v)) : canonicalValue(t.ofType, value);
  if (!isInputObjectType(t) || typeof value !== 'object') return value;
  const fields = t.getFields();
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const f = fields[key];
    out[f ? hasuraName(f) : key] = f ? canonicalValue(f.type, v) : v;
  }
  return out;
}
