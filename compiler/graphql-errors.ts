/**
 * graphql-js parse/validation errors → Hasura-shaped errors: code `validation-failed`,
 * path `$.selectionSet.<key>…` of the offending field, Hasura's wording where it differs.
 */
import { Kind, type ASTNode, type DocumentNode, type GraphQLError, type SelectionSetNode } from 'graphql';
import { FarjoinError } from './errors.js';

export function fromParseError(e: GraphQLError): FarjoinError {
  return new FarjoinError('validation-failed', `not a valid graphql query: ${e.message}`, { path: '$.query' });
}

export function fromValidationError(e: GraphQLError, document: DocumentNode): FarjoinError {
  const unknownField = /^Cannot query field "([^"]+)" on type "([^"]+)"/.exec(e.message);
  const message = unknownField ? `field '${unknownField[1]}' not found in type: '${unknownField[2]}'` : e.message;
  const node = e.nodes?.[0];
  const path = node ? pathOf(document, node) : undefined;
  return new FarjoinError('validation-failed', message, { path: path ?? '$' });
}

/** Hasura-style path of a node inside the document's operations, e.g. `$.selectionSet.orders.selectionSet.foo`. */
export function pathOf(document: DocumentNode, target: ASTNode): string | undefined {
  const search = (set: SelectionSetNode, prefix: string): string | undefined => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const here = `${prefix}.selectionSet.${sel.alias?.value ?? sel.name.value}`;
        if (sel === target || sel.name === target) return here;
        if (sel.arguments?.some((a) => contains(a, target))) return `${here}.args`;
        if (sel.selectionSet) {
          const found = search(sel.selectionSet, here);
          if (found) return found;
        }
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const found = search(sel.selectionSet, prefix);
        if (found) return found;
      }
    }
    return undefined;
  };
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION || def.kind === Kind.FRAGMENT_DEFINITION) {
      const found = search(def.selectionSet, '$');
      if (found) return found;
    }
  }
  return undefined;
}

function contains(node: ASTNode, target: ASTNode): boolean {
  const loc = node.loc;
  const t = target.loc;
  return !!loc && !!t && t.start >= loc.start && t.end <= loc.end;
}
