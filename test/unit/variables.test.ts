/**
 * The compiled variable coercion (compiler/variables.ts) against graphql-js's
 * getVariableValues, differentially: the same coerced values for every accepted input,
 * and graphql-js's own errors for every rejected one.
 */
import { buildSchema, getVariableValues, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { coerceVariables } from '../../compiler/variables.js';

const schema = buildSchema(`
  enum order_by { asc desc }
  scalar jsonb
  input author_insert_input { id: Int name: String info: jsonb articles: article_arr_rel_insert_input }
  input article_insert_input { title: String! views: Int author: author_obj_rel_insert_input }
  input article_arr_rel_insert_input { data: [article_insert_input!]! on_conflict: on_conflict }
  input author_obj_rel_insert_input { data: author_insert_input! }
  input on_conflict { constraint: String! update_columns: [String!]! = [] order: order_by }
  type Query { f(a: [author_insert_input!], b: Int, c: [Int], d: order_by, e: on_conflict): Int }
`);
const op = parse('query($a: [author_insert_input!]!, $b: Int = 7, $c: [Int], $d: order_by, $e: on_conflict, $n: Int!) { f(a: $a, b: $b, c: $c, d: $d, e: $e) }').definitions[0] as OperationDefinitionNode;
const defs = op.variableDefinitions ?? [];

const cases: Record<string, unknown>[] = [
  { a: [{ id: 1, name: 'x' }], n: 1 },
  { a: { id: 1 }, c: 3, n: 1 }, // lists of one
  { a: [{ id: 1, info: { deep: [1, { x: null }] } }], b: null, c: [1, null, 2], d: 'desc', n: 0 },
  { a: [{ articles: { data: [{ title: 't', author: { data: { name: 'n' } } }], on_conflict: { constraint: 'k' } } }], n: 1 },
  { a: [{ id: 1 }], e: { constraint: 'k', update_columns: ['a'], order: 'asc' }, n: 2 },
  { a: Array.from({ length: 500 }, (_, i) => ({ id: i, name: `n${i}` })), n: 1 },
  // rejected: each gives graphql-js's error
  { a: [{ id: 'one' }], n: 1 },
  { a: [{ nope: 1 }], n: 1 },
  { a: [null], n: 1 },
  { a: [{ articles: { data: [{ views: 1 }] } }], n: 1 },
  { a: [{ id: 1 }] },
  { a: [{ id: 1 }], n: null },
  { a: [{ id: 1 }], d: 'sideways', n: 1 },
  { a: [{ id: 2 ** 40 }], n: 1 },
  { a: 'x', n: 1 },
  { a: [[{ id: 1 }]], n: 1 },
];

describe('compiled variable coercion', () => {
  it('gives graphql-js getVariableValues results, values and errors alike', () => {
    for (const inputs of cases) {
      const ours = coerceVariables(schema, defs, inputs);
      const theirs = getVariableValues(schema, defs, { ...inputs });
      expect(JSON.stringify(ours.coerced ?? null), JSON.stringify(inputs).slice(0, 100)).toBe(JSON.stringify(theirs.coerced ?? null));
      expect(ours.coerced ? Object.keys(ours.coerced) : []).toEqual(theirs.coerced ? Object.keys(theirs.coerced) : []);
      expect(ours.errors?.map((e) => e.message)).toEqual(theirs.errors?.map((e) => e.message));
    }
  });
});
