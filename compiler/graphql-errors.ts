/**
 * graphql-js parse, validation and variable errors → Hasura's errors (DESIGN.md §4): code
 * `validation-failed`, Hasura's words, and Hasura's path — `$.selectionSet.<key>…` of the
 * field, `.args.<arg>.<input field>…` inside argument values, `$.variableValues.<name>` for
 * a variable's own value. Only the first error is reported, as Hasura does.
 *
 * The words are Hasura v2's (server `Hasura.GraphQL.Parser`, tests-py `graphql_validation/`,
 * `graphql_query/basic/*_err.yaml`): `field 'x' not found in type: 'T'`, `'f' has no argument
 * named 'a'`, `missing required field 'a'`, `expected a 32-bit integer for type 'Int', but
 * found a string`, `null value found for non-nullable type: T!`, `variable "v" is declared as
 * String, but used where Int is expected`. A graphql-js message with no Hasura counterpart
 * is passed through unchanged. test/unit/graphql-errors.test.ts checks every row.
 */
import {
  Kind,
  type ASTNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLSchema,
  isEnumType,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { FarjoinError } from './errors.js';

export function fromParseError(e: GraphQLError): FarjoinError {
  return new FarjoinError('validation-failed', `not a valid graphql query: ${e.message}`, { path: '$.query' });
}

/** Where a Hasura error points, relative to the AST node graphql-js reports. */
type Anchor = 'node' | 'field' | 'args' | 'selection-set' | 'root';

interface Rule {
  readonly pattern: RegExp;
  readonly message: (m: RegExpExecArray, schema: GraphQLSchema | undefined) => string;
  readonly anchor: Anchor;
}

/** Hasura's words for a JSON/GraphQL value (`describeValue`). */
function describeLiteral(text: string): string {
  if (text === 'null') return 'null';
  if (text === 'true' || text === 'false') return 'a boolean';
  if (text.startsWith('"')) return 'a string';
  if (text.startsWith('[')) return 'a list';
  if (text.startsWith('{')) return 'an object';
  if (/^-?\d+$/.test(text)) return 'an integer';
  if (/^-?[\d.eE+-]+$/.test(text)) return 'a float';
  return 'an enum value';
}

const EXPECTED: Readonly<Record<string, string>> = {
  Int: 'a 32-bit integer',
  Float: 'a float',
  String: 'a string',
  Boolean: 'a boolean',
  ID: 'a String or a 32-bit integer',
};

const mismatch = (type: string, found: string): string => `expected ${EXPECTED[type] ?? 'a value'} for type '${type}', but found ${describeLiteral(found)}`;

/** The mapping table: graphql-js message (its own words, v16) → Hasura's message and path anchor. */
export const VALIDATION_RULES: readonly Rule[] = [
  { pattern: /^Cannot query field "([^"]+)" on type "([^"]+)"/, message: (m) => `field '${m[1]}' not found in type: '${m[2]}'`, anchor: 'node' },
  { pattern: /^Field "([^"]+)" is not defined by type "([^"]+)"/, message: (m) => `field '${m[1]}' not found in type: '${m[2]}'`, anchor: 'node' },
  { pattern: /^Unknown argument "([^"]+)" on field "[^".]+\.([^"]+)"/, message: (m) => `'${m[2]}' has no argument named '${m[1]}'`, anchor: 'field' },
  { pattern: /^Field "[^"]+" argument "([^"]+)" of type "[^"]+" is required, but it was not provided/, message: (m) => `missing required field '${m[1]}'`, anchor: 'args' },
  { pattern: /^Field "[^".]+\.([^"]+)" of required type "[^"]+" was not provided/, message: (m) => `missing required field '${m[1]}'`, anchor: 'node' },
  { pattern: /^Field "[^"]+" of type "\[*([^"!\]]+)[!\]]*" must have a selection of subfields/, message: (m) => `missing selection set for '${m[1]}'`, anchor: 'field' },
  { pattern: /^Variable "\$([^"]+)" of type "([^"]+)" used in position expecting type "([^"]+)"/, message: (m) => `variable "${m[1]}" is declared as ${m[2]}, but used where ${m[3]} is expected`, anchor: 'node' },
  { pattern: /^Expected value of type "([^"]+!)", found null/, message: (m) => `null value found for non-nullable type: ${m[1]}`, anchor: 'node' },
  { pattern: /^(Int|Float|String|Boolean|ID) cannot represent [^:]*: (.*)$/, message: (m) => mismatch(m[1] ?? '', m[2] ?? ''), anchor: 'node' },
  { pattern: /^Enum "([^"]+)" cannot represent non-enum value: (.*?)(\.|$)/, message: (m) => `expected an enum value for type '${m[1]}', but found ${describeLiteral(m[2] ?? '')}`, anchor: 'node' },
  { pattern: /^Value "([^"]+)" does not exist in "([^"]+)" enum/, message: (m, schema) => enumMismatch(schema, m[2] ?? '', m[1] ?? ''), anchor: 'node' },
  { pattern: /^Expected value of type "([^"!]+)!?", found (.*?)(; |\.$|$)/, message: (m) => `expected an object for type '${m[1]}', but found ${describeLiteral(m[2] ?? '')}`, anchor: 'node' },
  { pattern: /^Unknown directive "@([^"]+)"/, message: (m) => `directive "${m[1]}" is not defined in the schema`, anchor: 'selection-set' },
  { pattern: /^The directive "@([^"]+)" can only be used once at this location/, message: (m) => `the following directives are used more than once: ${m[1]}`, anchor: 'selection-set' },
  { pattern: /^Directive "@([^"]+)" may not be used on QUERY/, message: (m) => `directive "${m[1]}" is not allowed on a query`, anchor: 'root' },
];

/** The first validation error, in Hasura's words at Hasura's path. */
export function fromValidationError(e: GraphQLError, document: DocumentNode, schema?: GraphQLSchema): FarjoinError {
  for (const rule of VALIDATION_RULES) {
    const m = rule.pattern.exec(e.message);
    if (m) return new FarjoinError('validation-failed', rule.message(m, schema), { path: anchoredPath(document, e.nodes ?? [], rule.anchor) });
  }
  return new FarjoinError('validation-failed', e.message, { path: anchoredPath(document, e.nodes ?? [], 'node') });
}

/**
 * The first fragment cycle as Hasura's inliner meets it: spreads are followed depth-first
 * from the operations, the path names the fields and the fragments entered
 * (`$.selectionSet.author.selectionSet.authorFragment.selectionSet.articles…`) and ends at
 * the selection set holding the spread that closes the cycle; the message lists the
 * fragments from there back to the one spread again. Iterative, and each fragment is
 * explored once (one found free of cycles is not entered again): input-bounds.ts calls it
 * before anything recursive has looked at the document.
 */
export function fragmentCycleError(document: DocumentNode): FarjoinError | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const clean = new Set<string>();
  interface Frame { readonly selections: readonly SelectionNode[]; i: number; readonly prefix: string; readonly fragment?: string }
  for (const def of document.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    const entered: string[] = [];
    const depthOf = new Map<string, number>();
    const frames: Frame[] = [{ selections: def.selectionSet.selections, i: 0, prefix: '$' }];
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const sel = frame.selections[frame.i++];
      if (!sel) {
        frames.pop();
        if (frame.fragment !== undefined) {
          entered.pop();
          depthOf.delete(frame.fragment);
          clean.add(frame.fragment);
        }
        continue;
      }
      if (sel.kind === Kind.FIELD) {
        if (sel.selectionSet) frames.push({ selections: sel.selectionSet.selections, i: 0, prefix: `${frame.prefix}.selectionSet.${sel.alias?.value ?? sel.name.value}` });
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        frames.push({ selections: sel.selectionSet.selections, i: 0, prefix: frame.prefix });
      } else {
        const name = sel.name.value;
        const at = depthOf.get(name);
        if (at !== undefined) {
          const via = [...entered.slice(at + 1), name].join(',');
          return new FarjoinError('validation-failed', `cannot spread fragment "${name}" within itself via ${via}`, { path: `${frame.prefix}.selectionSet` });
        }
        const f = fragments.get(name);
        if (!f || clean.has(name)) continue;
        depthOf.set(name, entered.length);
        entered.push(name);
        frames.push({ selections: f.selectionSet.selections, i: 0, prefix: `${frame.prefix}.selectionSet.${name}`, fragment: name });
      }
    }
  }
  return undefined;
}

/**
 * A variable's value that graphql-js could not coerce (`getVariableValues`): Hasura reports
 * a missing or null non-null variable at `$.variableValues.<name>` / `$`, and a value of the
 * wrong type where the variable is used, as if it were written there.
 */
export function fromVariableError(e: GraphQLError, document: DocumentNode, operation: OperationDefinitionNode, schema?: GraphQLSchema): FarjoinError {
  const missing = /^Variable "\$([^"]+)" of required type "([^"]+)" was not provided/.exec(e.message);
  if (missing) return new FarjoinError('validation-failed', `expecting a value for non-nullable variable: "${missing[1]}"`, { path: '$' });
  const isNull = /^Variable "\$([^"]+)" of non-null type "([^"]+)" must not be null/.exec(e.message);
  if (isNull) return new FarjoinError('validation-failed', `null value found for non-nullable type: ${isNull[2]}`, { path: `$.variableValues.${isNull[1]}` });
  const invalid = /^Variable "\$([^"]+)" got invalid value (.*?)(?: at "[^".]+((?:\.[^".[\]]+|\[\d+\])*)")?; (.*)$/s.exec(e.message);
  if (invalid) {
    const [, name = '', , inner = '', reason = ''] = invalid;
    const usage = variableUsagePath(document, operation, name);
    const base = usage ?? `$.variableValues.${name}`;
    const mapped = mapValueReason(reason, schema);
    return new FarjoinError('validation-failed', mapped.message, { path: `${base}${inner}${mapped.suffix}` });
  }
  return new FarjoinError('validation-failed', e.message, { path: '$.variableValues' });
}

/** The reason part of a variable coercion error, in Hasura's words (and a path suffix for unknown fields). */
function mapValueReason(reason: string, schema: GraphQLSchema | undefined): { message: string; suffix: string } {
  const unknown = /^Field "([^"]+)" is not defined by type "([^"]+)"/.exec(reason);
  if (unknown) return { message: `field '${unknown[1]}' not found in type: '${unknown[2]}'`, suffix: `.${unknown[1]}` };
  const required = /^Field "([^"]+)" of required type "[^"]+" was not provided/.exec(reason);
  if (required) return { message: `missing required field '${required[1]}'`, suffix: '' };
  const scalar = /^(Int|Float|String|Boolean|ID) cannot represent [^:]*: (.*)$/.exec(reason);
  if (scalar) return { message: mismatch(scalar[1] ?? '', scalar[2] ?? ''), suffix: '' };
  const nonNull = /^Expected non-nullable type "([^"]+)" not to be null/.exec(reason);
  if (nonNull) return { message: `null value found for non-nullable type: ${nonNull[1]}`, suffix: '' };
  const enumValue = /^Value "?([^"]*)"? does not exist in "([^"]+)" enum/.exec(reason);
  if (enumValue) return { message: enumMismatch(schema, enumValue[2] ?? '', enumValue[1] ?? ''), suffix: '' };
  const enumType = /^Enum "([^"]+)" cannot represent non-string value: (.*?)\.?$/.exec(reason);
  if (enumType) return { message: `expected an enum value for type '${enumType[1]}', but found ${describeLiteral(enumType[2] ?? '')}`, suffix: '' };
  const object = /^Expected type "([^"]+)" to be an object/.exec(reason);
  if (object) return { message: `expected an object for type '${object[1]}', but found a value of another kind`, suffix: '' };
  return { message: reason, suffix: '' };
}

/** Hasura's `expected one of the values 'a', 'b', or 'c' for type 'T', but found 'x'` (its `englishList "or"`). */
function enumMismatch(schema: GraphQLSchema | undefined, typeName: string, found: string): string {
  const type = schema?.getType(typeName);
  const values = type && isEnumType(type) ? type.getValues().map((v) => `'${v.name}'`) : [];
  const list = values.length <= 2 ? values.join(' or ') : `${values.slice(0, -1).join(', ')}, or ${values[values.length - 1] ?? ''}`;
  return `expected one of the values ${list} for type '${typeName}', but found '${found}'`;
}

/** Hasura's `missing session variables: "x-hasura-a", "x-hasura-b"` (names lower-cased as Hasura prints them). */
export function missingSessionVariables(names: readonly string[]): string {
  return `missing session variables: ${names.map((n) => `"${n.toLowerCase()}"`).join(', ')}`;
}

function anchoredPath(document: DocumentNode, nodes: readonly ASTNode[], anchor: Anchor): string {
  if (anchor === 'root') return '$';
  // Variable-position errors name the definition first and the usage second.
  const node = nodes.length > 1 && nodes[0]?.kind === Kind.VARIABLE_DEFINITION ? nodes[1] : nodes[0];
  if (!node) return '$';
  const found = locate(document, node);
  if (!found) return '$';
  if (anchor === 'field') return found.field;
  if (anchor === 'args') return `${found.field}.args`;
  if (anchor === 'selection-set') return found.selectionSet;
  return found.exact;
}

interface Located {
  /** Path of the exact node (an input value inside arguments ends in its key). */
  readonly exact: string;
  /** Path of the field the node belongs to. */
  readonly field: string;
  /** Path of the selection set holding that field (directive errors). */
  readonly selectionSet: string;
}

/** Finds `target` in the operations (fragment spreads followed, as Hasura inlines them). */
function locate(document: DocumentNode, target: ASTNode): Located | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const search = (set: SelectionSetNode, prefix: string, seen: ReadonlySet<string>): Located | undefined => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const here = `${prefix}.selectionSet.${sel.alias?.value ?? sel.name.value}`;
        const parentSet = `${prefix}.selectionSet`;
        if (sel === target || sel.name === target) return { exact: here, field: here, selectionSet: parentSet };
        if (sel.directives?.some((d) => contains(d, target))) return { exact: here, field: here, selectionSet: parentSet };
        for (const arg of sel.arguments ?? []) {
          const inner = valuePath(arg.value, target, `.args.${arg.name.value}`, arg === target || arg.name === target);
          if (inner !== undefined) return { exact: `${here}${inner}`, field: here, selectionSet: parentSet };
        }
        if (sel.selectionSet) {
          const found = search(sel.selectionSet, here, seen);
          if (found) return found;
        }
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const found = search(sel.selectionSet, prefix, seen);
        if (found) return found;
      } else if (!seen.has(sel.name.value)) {
        const f = fragments.get(sel.name.value);
        const found = f ? search(f.selectionSet, prefix, new Set([...seen, sel.name.value])) : undefined;
        if (found) return found;
      }
    }
    return undefined;
  };
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION) {
      const found = search(def.selectionSet, '$', new Set());
      if (found) return found;
    }
  }
  return undefined;
}

/** Path suffix of `target` inside an argument value: `.args.where.name._ne`, `[0]` for list items. */
function valuePath(value: ValueNode, target: ASTNode, prefix: string, isTarget: boolean): string | undefined {
  if (isTarget || value === target) return prefix;
  if (value.kind === Kind.OBJECT) {
    for (const f of value.fields) {
      const p = valuePath(f.value, target, `${prefix}.${f.name.value}`, f === target || f.name === target);
      if (p !== undefined) return p;
    }
  } else if (value.kind === Kind.LIST) {
    for (let i = 0; i < value.values.length; i++) {
      const item = value.values[i];
      const p = item ? valuePath(item, target, `${prefix}[${i}]`, false) : undefined;
      if (p !== undefined) return p;
    }
  }
  return undefined;
}

/** Where variable `$name` is first used in the operation: `$.selectionSet.author.args.limit`. */
function variableUsagePath(document: DocumentNode, operation: OperationDefinitionNode, name: string): string | undefined {
  let usage: ASTNode | undefined;
  const visit = (node: unknown): void => {
    if (usage || typeof node !== 'object' || node === null) return;
    const n = node as { kind?: string; name?: { value?: string } };
    if (n.kind === Kind.VARIABLE && n.name?.value === name) {
      usage = node as ASTNode;
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === 'loc' || key === 'variableDefinitions') continue;
      if (Array.isArray(child)) child.forEach(visit);
      else if (typeof child === 'object') visit(child);
    }
  };
  visit(operation.selectionSet);
  if (!usage) {
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) visit(d.selectionSet);
  }
  return usage ? locate(document, usage)?.exact : undefined;
}

/** Hasura-style path of a node inside the document's operations, e.g. `$.selectionSet.orders.selectionSet.foo`. */
export function pathOf(document: DocumentNode, target: ASTNode): string | undefined {
  return locate(document, target)?.exact;
}

function contains(node: ASTNode, target: ASTNode): boolean {
  const loc = node.loc;
  const t = target.loc;
  return node === target || (!!loc && !!t && t.start >= loc.start && t.end <= loc.end);
}
