/**
 * Variable coercion (the compiler's "coerce variables" phase), as graphql-js's
 * `getVariableValues` does it, but by a coercer compiled once per input type: a mutation
 * with 10,000 insert objects spent most of its compile time in graphql-js's generic walk
 * (a path object per value, a type test per level; issue 12, DESIGN §7).
 *
 * The fast path only ever succeeds with exactly graphql-js's result: same values, same
 * objects (fields in type order, defaults filled in). Anything it does not handle the same
 * way — a value that fails to coerce, a variable left out, an iterable that is not an array,
 * a @oneOf type — gives up, and graphql-js coerces the request itself, so every error
 * (message, path) is graphql-js's own.
 */
import {
  getVariableValues,
  isEnumType,
  isInputObjectType,
  isInputType,
  isListType,
  isNonNullType,
  isScalarType,
  typeFromAST,
  valueFromAST,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
  type VariableDefinitionNode,
} from 'graphql';

/** A compiled coercer: the coerced value, or FAIL (then graphql-js decides). */
type Coercer = (value: unknown) => unknown;
const FAIL = Symbol('fail');

export function coerceVariables(
  schema: GraphQLSchema, definitions: readonly VariableDefinitionNode[], inputs: Readonly<Record<string, unknown>>,
): ReturnType<typeof getVariableValues> {
  const fast = typeof inputs === 'object' && inputs !== null && !Array.isArray(inputs) ? fastCoerce(schema, definitions, inputs) : undefined;
  return fast ?? getVariableValues(schema, definitions, { ...inputs });
}

function fastCoerce(schema: GraphQLSchema, definitions: readonly VariableDefinitionNode[], inputs: Readonly<Record<string, unknown>>): { coerced: Record<string, unknown> } | undefined {
  const coerced: Record<string, unknown> = {};
  for (const def of definitions) {
    const name = def.variable.name.value;
    const type = typeFromAST(schema, def.type);
    if (!type || !isInputType(type)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(inputs, name)) {
      if (!def.defaultValue) return undefined; // graphql-js reports a missing required one, or leaves it out
      coerced[name] = valueFromAST(def.defaultValue, type);
      continue;
    }
    const value = compile(type)(inputs[name]);
    if (value === FAIL) return undefined;
    coerced[name] = value;
  }
  return { coerced };
}

/** Input object types' coercers, built once per type (schemas are built once per role). */
const objects = new WeakMap<GraphQLInputObjectType, Coercer>();

function compile(type: GraphQLInputType): Coercer {
  if (isNonNullType(type)) {
    const inner = compile(type.ofType);
    return (v) => (v === null || v === undefined ? FAIL : inner(v));
  }
  if (isListType(type)) {
    const item = compile(type.ofType);
    return (v) => {
      if (v === null || v === undefined) return null;
      if (Array.isArray(v)) {
        const out = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) {
          const c = item(v[i]);
          if (c === FAIL) return FAIL;
          out[i] = c;
        }
        return out;
      }
      if (typeof v === 'object' && Symbol.iterator in v) return FAIL; // graphql-js's Array.from of other iterables
      const c = item(v); // a non-list value is a list of one
      return c === FAIL ? FAIL : [c];
    };
  }
  if (isInputObjectType(type)) return inputObject(type);
  if (isScalarType(type) || isEnumType(type)) {
    return (v) => {
      if (v === null || v === undefined) return null;
      let parsed: unknown;
      try {
        parsed = type.parseValue(v);
      } catch {
        return FAIL;
      }
      return parsed === undefined ? FAIL : parsed;
    };
  }
  return () => FAIL;
}

function inputObject(type: GraphQLInputObjectType): Coercer {
  const known = objects.get(type);
  if (known) return known;
  // Fields are compiled on first use, so recursive types (insert inputs through relationships) terminate.
  let fields: { name: string; coerce: Coercer; defaultValue: unknown; required: boolean }[] | undefined;
  let names: Set<string> | undefined;
  const coercer: Coercer = (v) => {
    if (v === null || v === undefined) return null;
    if (typeof v !== 'object' || Array.isArray(v) || type.isOneOf) return FAIL;
    if (!fields) {
      fields = Object.values(type.getFields()).map((f) => ({ name: f.name, coerce: compile(f.type), defaultValue: f.defaultValue, required: isNonNullType(f.type) }));
      names = new Set(fields.map((f) => f.name));
    }
    const input = v as Record<string, unknown>;
    for (const key of Object.keys(input)) if (!names!.has(key)) return FAIL;
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const value = input[f.name];
      if (value === undefined) {
        if (f.defaultValue !== undefined) out[f.name] = f.defaultValue;
        else if (f.required) return FAIL;
        continue;
      }
      const c = f.coerce(value);
      if (c === FAIL) return FAIL;
      out[f.name] = c;
    }
    return out;
  };
  objects.set(type, coercer);
  return coercer;
}
