/**
 * graphql-js messages → Hasura's (compiler/graphql-errors.ts), one case per row of the
 * mapping table, through the compiler against the demo schema (DESIGN.md §2). Expected words
 * and paths are Hasura v2's: tests-py `graphql_query/basic/*_err.yaml`,
 * `graphql_validation/variable_type_mismatch.yaml`, `null_value_err.yaml`,
 * `null_variable_value_err.yaml`, `select_query_author_wrong_directive_err.yaml`, and the
 * parser's `typeMismatch` / `describeValue`.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createCompiler } from '../../compiler/index.js';
import { missingSessionVariables, VALIDATION_RULES } from '../../compiler/graphql-errors.js';
import { packageFile } from '../../runtime/paths.js';
import { demoCatalog } from '../helpers/catalog.js';

const compiler = createCompiler(parseYaml(readFileSync(packageFile('fixtures', 'demo', 'metadata.yaml'), 'utf8')) as unknown, demoCatalog());

function error(query: string, variables?: Record<string, unknown>) {
  const r = compiler.compile({ query, variables: variables ?? null });
  if (r.ok) throw new Error('expected an error');
  expect(r.errors).toHaveLength(1);
  const e = r.errors[0]!;
  return { message: e.message, path: e.path, code: e.code };
}

const at = (message: string, path: string) => ({ message, path, code: 'validation-failed' });

describe('validation errors in Hasura words and paths', () => {
  it('unknown output field', () => {
    expect(error('{ orders { id nope } }')).toEqual(at("field 'nope' not found in type: 'orders'", '$.selectionSet.orders.selectionSet.nope'));
    expect(error('{ random { id } }')).toEqual(at("field 'random' not found in type: 'query_root'", '$.selectionSet.random'));
  });

  it('unknown input field, at its path inside the argument', () => {
    expect(error('{ user(where: {name: {_ne: "A"}}) { id } }'))
      .toEqual(at("field '_ne' not found in type: 'String_comparison_exp'", '$.selectionSet.user.args.where.name._ne'));
    expect(error('{ o: orders(where: {_or: [{id: {_eq: 1}}, {nope: {}}]}) { id } }'))
      .toEqual(at("field 'nope' not found in type: 'orders_bool_exp'", '$.selectionSet.o.args.where._or[1].nope'));
  });

  it('_exists is in no GraphQL bool_exp (Hasura has it only in permissions)', () => {
    expect(error('{ orders(where: {_exists: {_table: {name: "orders"}}}) { id } }'))
      .toEqual(at("field '_exists' not found in type: 'orders_bool_exp'", '$.selectionSet.orders.args.where._exists'));
  });

  it('unknown argument, at the field', () => {
    expect(error('{ orders(foo: 1) { id } }')).toEqual(at("'orders' has no argument named 'foo'", '$.selectionSet.orders'));
  });

  it('missing required argument', () => {
    expect(error('{ orders_by_pk { id } }')).toEqual(at("missing required field 'id'", '$.selectionSet.orders_by_pk.args'));
  });

  it('missing required input field, at the object', () => {
    expect(error('subscription { orders_stream(batch_size: 1, cursor: [{}]) { id } }'))
      .toEqual(at("missing required field 'initial_value'", '$.selectionSet.orders_stream.args.cursor[0]'));
  });

  it('wrong literal types', () => {
    expect(error('{ orders(limit: "1") { id } }')).toEqual(at("expected a 32-bit integer for type 'Int', but found a string", '$.selectionSet.orders.args.limit'));
    expect(error('{ orders(where: {id: {_eq: 1.5}}) { id } }')).toEqual(at("expected a 32-bit integer for type 'Int', but found a float", '$.selectionSet.orders.args.where.id._eq'));
    expect(error('{ user(where: {name: {_eq: 5}}) { id } }')).toEqual(at("expected a string for type 'String', but found an integer", '$.selectionSet.user.args.where.name._eq'));
    expect(error('{ orders(where: {id: {_is_null: "yes"}}) { id } }')).toEqual(at("expected a boolean for type 'Boolean', but found a string", '$.selectionSet.orders.args.where.id._is_null'));
    expect(error('{ orders(order_by: {id: up}) { id } }')).toEqual(at(
      "expected one of the values 'asc', 'asc_nulls_first', 'asc_nulls_last', 'desc', 'desc_nulls_first', or 'desc_nulls_last' for type 'order_by', but found 'up'",
      '$.selectionSet.orders.args.order_by.id'));
    expect(error('{ orders(order_by: {id: "asc"}) { id } }')).toEqual(at("expected an enum value for type 'order_by', but found a string", '$.selectionSet.orders.args.order_by.id'));
    expect(error('{ orders(where: 5) { id } }')).toEqual(at("expected an object for type 'orders_bool_exp', but found an integer", '$.selectionSet.orders.args.where'));
  });

  it('null for a non-null argument', () => {
    expect(error('{ orders_by_pk(id: null) { id } }')).toEqual(at('null value found for non-nullable type: Int!', '$.selectionSet.orders_by_pk.args.id'));
  });

  it('missing selection set', () => {
    expect(error('{ orders }')).toEqual(at("missing selection set for 'orders'", '$.selectionSet.orders'));
  });

  it('variables declared with another type than their position', () => {
    expect(error('query get_orders($limit: String) { orders(limit: $limit) { id } }', { limit: '4' }))
      .toEqual(at('variable "limit" is declared as String, but used where Int is expected', '$.selectionSet.orders.args.limit'));
  });

  it('accepts a declared variable the operation does not use, as Hasura does; its type must still exist', () => {
    const r = compiler.compile({ query: 'query ($unused: String, $limit: Int) { orders(limit: $limit, order_by: {id: asc}) { id } }', variables: { unused: 'x', limit: 1 } });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(error('query ($unused: no_such_type) { orders { id } }').message).toContain('no_such_type');
  });

  it('variable values: missing, null, wrong type (reported where the variable is used)', () => {
    const q = 'query ($id: Int!) { orders(where: {id: {_eq: $id}}) { id } }';
    expect(error(q)).toEqual(at('expecting a value for non-nullable variable: "id"', '$'));
    expect(error(q, { id: null })).toEqual(at('null value found for non-nullable type: Int!', '$.variableValues.id'));
    expect(error(q, { id: 'one' })).toEqual(at("expected a 32-bit integer for type 'Int', but found a string", '$.selectionSet.orders.args.where.id._eq'));
    expect(error('query ($w: orders_bool_exp) { orders(where: $w) { id } }', { w: { id: { _ne: 1 } } }))
      .toEqual(at("field '_ne' not found in type: 'Int_comparison_exp'", '$.selectionSet.orders.args.where.id._ne'));
  });

  it('directives', () => {
    expect(error('{ orders { id @exclude(if: true) } }')).toEqual(at('directive "exclude" is not defined in the schema', '$.selectionSet.orders.selectionSet'));
    expect(error('{ orders { id @include(if: true) @include(if: true) } }')).toEqual(at('the following directives are used more than once: include', '$.selectionSet.orders.selectionSet'));
    expect(error('query @include(if: true) { orders { id } }')).toEqual(at('directive "include" is not allowed on a query', '$'));
  });

  it('reports the first error only, through fragments', () => {
    expect(error('{ orders { ...F } } fragment F on orders { nope1 nope2 }')).toEqual(at("field 'nope1' not found in type: 'orders'", '$.selectionSet.orders.selectionSet.nope1'));
  });

  it('fragment cycles: where the inliner meets the spread that closes the cycle, and the fragments on the way', () => {
    expect(error('{ orders { ...O } } fragment O on orders { id user { ...U } } fragment U on user { name orders { ...O } }')).toEqual(
      at('cannot spread fragment "O" within itself via U,O', '$.selectionSet.orders.selectionSet.O.selectionSet.user.selectionSet.U.selectionSet.orders.selectionSet'));
    expect(error('{ orders { ...A } } fragment A on orders { id ...A }')).toEqual(at('cannot spread fragment "A" within itself via A', '$.selectionSet.orders.selectionSet.A.selectionSet'));
  });

  it('every row of the table is exercised above', () => {
    expect(VALIDATION_RULES).toHaveLength(15);
  });

  it("missing session variables in Hasura's words", () => {
    expect(missingSessionVariables(['X-Hasura-Critic-Id'])).toBe('missing session variables: "x-hasura-critic-id"');
  });
});
