/**
 * Introspection root fields (`__schema`, `__type`) depend only on the schema, so the
 * compiler answers them itself with graphql-js (synchronously, no I/O) and the plan
 * carries the result as a constant.
 */
import {
  executeSync,
  Kind,
  type DocumentNode,
  type OperationDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { FarjoinError } from './errors.js';

const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);

export function hasIntrospection(operation: OperationDefinitionNode, document: DocumentNode): boolean {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode): boolean =>
    set.selections.some((s) => {
      if (s.kind === Kind.FIELD) return INTROSPECTION_FIELDS.has(s.name.value);
      if (s.kind === Kind.INLINE_FRAGMENT) return visit(s.selectionSet);
      if (seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      const f = fragments.get(s.name.value);
      return !!f && visit(f.selectionSet);
    });
  return visit(operation.selectionSet);
}

/** Runs only the introspection root fields of `operation`; returns them by response key. */
export function answerIntrospection(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
): Map<string, unknown> {
  const rootTypeName = schema.getQueryType()?.name;
  const keepRoot = (set: SelectionSetNode): SelectionSetNode => ({
    ...set,
    selections: set.selections
      .filter((s) => s.kind !== Kind.FIELD || INTROSPECTION_FIELDS.has(s.name.value))
      .map((s) => (s.kind === Kind.INLINE_FRAGMENT ? { ...s, selectionSet: keepRoot(s.selectionSet) } : s)),
  });
  const definitions = document.definitions.map((d) => {
    if (d === operation) return { ...operation, selectionSet: keepRoot(operation.selectionSet) };
    if (d.kind === Kind.FRAGMENT_DEFINITION && d.typeCondition.name.value === rootTypeName) {
      return { ...d, selectionSet: keepRoot(d.selectionSet) };
    }
    return d;
  });
  const result = executeSync({
    schema,
    document: { ...document, definitions },
    operationName: operation.name?.value,
    variableValues: variables as Record<string, unknown>,
  });
  if (result.errors && result.errors.length > 0) {
    const first = result.errors[0];
    throw new FarjoinError('validation-failed', first?.message ?? 'introspection failed', { path: '$' });
  }
  return new Map(Object.entries(result.data ?? {}));
}
