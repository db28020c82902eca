/**
 * Bad input (issue 2 "Bad input", DESIGN.md §8): malformed GraphQL, unknown fields, wrong
 * variable types and hostile values get Hasura-shaped errors; nothing crashes; database
 * errors never leak SQL text to non-admin callers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FarjoinError } from '../../compiler/errors.js';
import { toErrorJson } from '../../runtime/server/errors.js';
import { startDemo, type DemoContext } from '../helpers/demo.js';

let demo: DemoContext;
beforeAll(async () => {
  demo = await startDemo();
});
afterAll(async () => {
  await demo?.close();
});

describe('GraphQL errors in Hasura shape', () => {
  it('reports malformed GraphQL as validation-failed at $.query', async () => {
    const r = await demo.engine.execute({ query: '{ orders { id ' });
    expect(r.data).toBeUndefined();
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]!.extensions).toEqual({ path: '$.query', code: 'validation-failed' });
    expect(r.errors![0]!.message).toMatch(/^not a valid graphql query/);
  });

  it('reports an unknown field with Hasura wording and the selection path', async () => {
    const r = await demo.engine.execute({ query: '{ orders { id user { nope } } }' });
    expect(r.errors).toEqual([{ message: "field 'nope' not found in type: 'user'", extensions: { path: '$.selectionSet.orders.selectionSet.user.selectionSet.nope', code: 'validation-failed' } }]);
  });

  it('reports wrong variable types', async () => {
    const r = await demo.engine.execute({ query: 'query ($id: Int!) { orders(where: {id: {_eq: $id}}) { id } }', variables: { id: 'one' } });
    // Hasura reports a variable's wrong value where the variable is used.
    expect(r.errors?.[0]).toEqual({ message: "expected a 32-bit integer for type 'Int', but found a string", extensions: { path: '$.selectionSet.orders.args.where.id._eq', code: 'validation-failed' } });
    const missing = await demo.engine.execute({ query: 'query ($id: Int!) { orders(where: {id: {_eq: $id}}) { id } }' });
    expect(missing.errors?.[0]?.extensions.code).toBe('validation-failed');
  });

  it('rejects a null comparison instead of widening the filter', async () => {
    const r = await demo.engine.execute({ query: 'query ($v: Int) { orders(where: {user_id: {_eq: $v}}) { id } }', variables: { v: null } });
    expect(r.errors?.[0]?.extensions.code).toBe('validation-failed');
    // Hasura's words (the value type is non-nullable; `_is_null` compares with null).
    expect(r.errors?.[0]?.message).toBe("unexpected null value for type 'Int'");
  });

  it('rejects negative limits and mutations clearly', async () => {
    // Hasura's words for its non-negative Int arguments.
    const neg = await demo.engine.execute({ query: '{ orders(limit: -1) { id } }' });
    expect(neg.errors?.[0]).toEqual({ message: 'unexpected negative value', extensions: { code: 'not-supported', path: '$.selectionSet.orders.args.limit' } });
    const offset = await demo.engine.execute({ query: '{ orders(offset: -2) { id } }' });
    expect(offset.errors?.[0]).toEqual({ message: 'unexpected negative value', extensions: { code: 'not-supported', path: '$.selectionSet.orders.args.offset' } });
    const mut = await demo.engine.execute({ query: 'mutation { orders { id } }' });
    expect(mut.errors?.[0]?.extensions.code).toBe('validation-failed');
  });

  it('reads an offset written as a string of digits as that integer, as Hasura does; other strings are refused', async () => {
    const asString = await demo.engine.execute({ query: '{ orders(offset: "2", limit: 2, order_by: {id: asc}) { id } }' });
    const asInt = await demo.engine.execute({ query: '{ orders(offset: 2, limit: 2, order_by: {id: asc}) { id } }' });
    expect(asString).toEqual(asInt);
    expect(asString.data).toEqual({ orders: [{ id: 3 }, { id: 4 }] });
    const negative = await demo.engine.execute({ query: '{ orders(offset: "-1") { id } }' });
    expect(negative.errors?.[0]?.message).toBe('unexpected negative value');
    const words = await demo.engine.execute({ query: '{ orders(offset: "two") { id } }' });
    expect(words.errors?.[0]).toMatchObject({ message: "expected a 32-bit integer for type 'Int', but found a string", extensions: { path: '$.selectionSet.orders.args.offset' } });
    // limit stays a plain Int, as in Hasura.
    const limit = await demo.engine.execute({ query: '{ orders(limit: "2") { id } }' });
    expect(limit.errors?.[0]?.extensions.code).toBe('validation-failed');
  });

  it('picks operations by name and reports an unknown one', async () => {
    const doc = 'query A { orders(limit: 1, order_by: {id: asc}) { id } } query B { user(limit: 1, order_by: {id: asc}) { id } }';
    expect((await demo.engine.execute({ query: doc, operationName: 'B' })).data).toEqual({ user: [{ id: 1 }] });
    const none = await demo.engine.execute({ query: doc });
    expect(none.errors?.[0]?.message).toContain('operationName');
    const unknown = await demo.engine.execute({ query: doc, operationName: 'C' });
    expect(unknown.errors?.[0]?.message).toContain('"C"');
  });
});

describe('hostile values are bound, never spliced', () => {
  it('treats SQL in string values as data', async () => {
    for (const evil of ["'; DROP TABLE orders; --", 'Alice\' OR \'1\'=\'1', '"user"', '\\', '%', '$1']) {
      const r = await demo.engine.execute({ query: 'query ($n: String!) { user(where: {name: {_eq: $n}}) { id } }', variables: { n: evil } });
      expect(r).toEqual({ data: { user: [] } });
    }
    const still = await demo.engine.execute({ query: '{ orders { id } }' });
    expect((still.data?.orders as unknown[]).length).toBe(6);
  });

  it('handles huge _in lists as one array parameter', async () => {
    const ids = Array.from({ length: 50_000 }, (_, i) => i);
    const r = await demo.engine.execute({ query: 'query ($ids: [Int!]) { orders(where: {id: {_in: $ids}}, order_by: {id: asc}) { id } }', variables: { ids } });
    expect((r.data?.orders as { id: number }[]).map((o) => o.id)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reports a database error without SQL text to non-admins', async () => {
    // 2^31 overflows int4 inside Postgres: a real database error.
    const r = await demo.engine.execute({ query: 'query ($v: Int!) { orders(where: {id: {_eq: $v}}) { id } }', variables: { v: 2 ** 31 } });
    const err = r.errors?.[0];
    expect(err).toBeDefined();
    const text = JSON.stringify(r);
    expect(text).not.toMatch(/SELECT|json_build_array|"public"\."orders"/);
    expect(['postgres-error', 'validation-failed']).toContain(err!.extensions.code);
  });

  it('shows internal detail to admins only', () => {
    const e = new FarjoinError('postgres-error', 'database query error', { internal: { statement: 'SELECT secret' } });
    expect(JSON.stringify(toErrorJson(e, false))).not.toContain('SELECT');
    expect(toErrorJson(e, true).extensions.internal).toEqual({ statement: 'SELECT secret' });
    const crash = toErrorJson(new Error('boom at /srv/app.js'), false);
    expect(crash).toEqual({ message: 'internal error', extensions: { path: '$', code: 'unexpected' } });
  });
});
