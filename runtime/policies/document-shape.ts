/**
 * The shape figures Hasura's API limits read off an operation (docs: security/api-limits):
 * - depth: the most fields with a selection set on one path (`viewer { name }` is 1,
 *   `viewer { albums { title } }` is 2); inline fragments and fragment spreads add nothing;
 * - nodes: how many fields with a selection set the operation has, fragments expanded.
 * Both are measured with an explicit stack (no recursion over user input), fragments
 * memoised; a fragment cycle (which validation refuses anyway) counts as nothing.
 */
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

export interface OperationShape {
  readonly depth: number;
  readonly nodes: number;
  /** Every root field is an introspection field (`__schema`, `__type`, `__typename`). */
  readonly introspection: boolean;
}

interface SetFigures {
  depth: number;
  nodes: number;
}

export function operationShape(document: DocumentNode, operation: OperationDefinitionNode): OperationShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const measure = new ShapeMeasure(fragments);
  const figures = measure.of(operation.selectionSet);
  const introspection = operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__'));
  return { depth: figures.depth, nodes: figures.nodes, introspection };
}

class ShapeMeasure {
  private readonly fragmentFigures = new Map<string, SetFigures>();
  private readonly sets = new WeakMap<SelectionSetNode, SetFigures>();

  constructor(private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>) {}

  /**
   * Figures of a selection set, post-order over an explicit stack: a set is computed once
   * every set below it (fields' sets, inline fragments, spread fragments) is known.
   */
  of(root: SelectionSetNode): SetFigures {
    const stack: { set: SelectionSetNode; expanded: boolean; fragment?: string }[] = [{ set: root, expanded: false }];
    const visiting = new Set<string>();
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (this.sets.has(top.set)) {
        stack.pop();
        continue;
      }
      if (!top.expanded) {
        top.expanded = true;
        for (const s of top.set.selections) {
          if (s.kind === Kind.FIELD && s.selectionSet && !this.sets.has(s.selectionSet)) stack.push({ set: s.selectionSet, expanded: false });
          else if (s.kind === Kind.INLINE_FRAGMENT && !this.sets.has(s.selectionSet)) stack.push({ set: s.selectionSet, expanded: false });
          else if (s.kind === Kind.FRAGMENT_SPREAD) {
            const name = s.name.value;
            const f = this.fragments.get(name);
            if (f && !this.fragmentFigures.has(name) && !visiting.has(name) && !this.sets.has(f.selectionSet)) {
              visiting.add(name);
              stack.push({ set: f.selectionSet, expanded: false, fragment: name });
            }
          }
        }
        continue;
      }
      stack.pop();
      const figures: SetFigures = { depth: 0, nodes: 0 };
      for (const s of top.set.selections) {
        let child: SetFigures | undefined;
        if (s.kind === Kind.FIELD) {
          if (!s.selectionSet) continue;
          const below = this.sets.get(s.selectionSet) ?? { depth: 0, nodes: 0 };
          child = { depth: below.depth + 1, nodes: below.nodes + 1 };
        } else if (s.kind === Kind.INLINE_FRAGMENT) {
          child = this.sets.get(s.selectionSet);
        } else {
          child = this.fragmentFigures.get(s.name.value);
        }
        if (!child) continue;
        figures.depth = Math.max(figures.depth, child.depth);
        figures.nodes += child.nodes;
      }
      this.sets.set(top.set, figures);
      if (top.fragment) {
        this.fragmentFigures.set(top.fragment, figures);
        visiting.delete(top.fragment);
      }
    }
    return this.sets.get(root) ?? { depth: 0, nodes: 0 };
  }
}
