/**
 * Field collection (GraphQL spec §6.3.2 CollectFields): resolves fragments, inline
 * fragments and @skip/@include, grouping field nodes by response key in document order.
 */
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getDirectiveValues,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export interface CollectContext {
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  readonly variables: Readonly<Record<string, unknown>>;
}

export function collectFields(
  ctx: CollectContext,
  typeName: string,
  selectionSets: readonly SelectionSetNode[],
): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>();
  const visited = new Set<string>();
  const visit = (set: SelectionSetNode): void => {
    for (const sel of set.selections) {
      if (!shouldInclude(ctx, sel)) continue;
      switch (sel.kind) {
        case Kind.FIELD: {
          const key = sel.alias?.value ?? sel.name.value;
          const list = fields.get(key);
          if (list) list.push(sel);
          else fields.set(key, [sel]);
          break;
        }
        case Kind.INLINE_FRAGMENT:
          if (!sel.typeCondition || sel.typeCondition.name.value === typeName) visit(sel.selectionSet);
          break;
        case Kind.FRAGMENT_SPREAD: {
          const name = sel.name.value;
          if (visited.has(name)) break;
          visited.add(name);
          const frag = ctx.fragments.get(name);
          if (frag && frag.typeCondition.name.value === typeName) visit(frag.selectionSet);
          break;
        }
      }
    }
  };
  for (const set of selectionSets) visit(set);
  return fields;
}

function shouldInclude(ctx: CollectContext, node: Parameters<typeof getDirectiveValues>[1]): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, ctx.variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, ctx.variables);
  if (include?.if === false) return false;
  return true;
}

/** The sub-selection sets of all field nodes merged under one response key. */
export function subSelections(nodes: readonly FieldNode[]): SelectionSetNode[] {
  const sets: SelectionSetNode[] = [];
  for (const n of nodes) if (n.selectionSet) sets.push(n.selectionSet);
  return sets;
}
