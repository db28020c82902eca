/**
 * Hasura reads `offset` as a big integer that may also be written as a string
 * (`offset: "1"`, tests-py `offset/select_query_article_string_offset.yaml`), while its
 * schema still declares the argument `Int`. Before validation, a string literal of digits
 * given to a field's `offset` argument becomes the integer literal it spells; only field
 * arguments are touched (every `offset` argument of the schema is the list offset), and a
 * string that is not an integer is left for validation to refuse. graphql-js `visit` is
 * iterative, so this is safe on any document the input bounds let through.
 */
import { Kind, visit, type ArgumentNode, type DocumentNode } from 'graphql';

export function acceptStringOffsets(document: DocumentNode): DocumentNode {
  return visit(document, {
    Argument(node: ArgumentNode): ArgumentNode | undefined {
      if (node.name.value !== 'offset' || node.value.kind !== Kind.STRING || !/^-?\d+$/.test(node.value.value)) return undefined;
      return { ...node, value: { kind: Kind.INT, value: node.value.value, ...(node.value.loc ? { loc: node.value.loc } : {}) } };
    },
  });
}
