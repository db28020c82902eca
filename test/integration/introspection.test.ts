/**
 * Full introspection (DESIGN.md §4; issue 3): the standard introspection query that
 * GraphiQL, graphql-codegen and Apollo tooling send runs through `engine.execute`, and
 * graphql-js rebuilds a valid client schema from the answer with Hasura's type names.
 */
import { buildClientSchema, getIntrospectionQuery, isEnumType, isInputObjectType, isObjectType, printSchema, type IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type DemoContext } from '../helpers/demo.js';

let demo: DemoContext;
beforeAll(async () => {
  demo = await startDemo();
});
afterAll(async () => {
  await demo?.close();
});

describe('introspection', () => {
  it('answers getIntrospectionQuery() with a schema buildClientSchema accepts', async () => {
    const r = await demo.engine.execute({ query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true }), variables: null });
    expect(r.errors).toBeUndefined();
    const schema = buildClientSchema(r.data as unknown as IntrospectionQuery);
    expect(schema.getQueryType()?.name).toBe('query_root');
    expect(printSchema(schema).length).toBeGreaterThan(500);

    for (const name of ['orders', 'user']) expect(isObjectType(schema.getType(name)), name).toBe(true);
    for (const name of ['orders_bool_exp', 'orders_order_by', 'Int_comparison_exp', 'String_comparison_exp']) {
      expect(isInputObjectType(schema.getType(name)), name).toBe(true);
    }
    expect(isEnumType(schema.getType('order_by'))).toBe(true);
    expect(isEnumType(schema.getType('orders_select_column'))).toBe(true);

    const orders = schema.getType('orders');
    if (!isObjectType(orders)) throw new Error('orders is not an object type');
    expect(Object.keys(orders.getFields())).toEqual(expect.arrayContaining(['id', 'user_id', 'user']));
    const root = schema.getQueryType()!.getFields();
    expect(Object.keys(root)).toEqual(expect.arrayContaining(['orders', 'orders_by_pk', 'user', 'user_by_pk']));
    expect(root.orders!.args.map((a) => a.name).sort()).toEqual(['distinct_on', 'limit', 'offset', 'order_by', 'where']);

    const intCmp = schema.getType('Int_comparison_exp');
    if (!isInputObjectType(intCmp)) throw new Error('Int_comparison_exp is not an input type');
    expect(Object.keys(intCmp.getFields())).toEqual(expect.arrayContaining(['_eq', '_neq', '_gt', '_lt', '_gte', '_lte', '_in', '_nin', '_is_null']));
    const strCmp = schema.getType('String_comparison_exp');
    if (!isInputObjectType(strCmp)) throw new Error('String_comparison_exp is not an input type');
    expect(Object.keys(strCmp.getFields())).toEqual(expect.arrayContaining(['_like', '_ilike', '_nlike', '_nilike', '_similar', '_regex', '_iregex']));
    const orderBy = schema.getType('order_by');
    if (!isEnumType(orderBy)) throw new Error('order_by is not an enum');
    expect(orderBy.getValues().map((v) => v.name).sort()).toEqual(['asc', 'asc_nulls_first', 'asc_nulls_last', 'desc', 'desc_nulls_first', 'desc_nulls_last']);
  });

  it('answers __type and __schema queries mixed with data in one request', async () => {
    const r = await demo.engine.execute({
      query: '{ __type(name: "orders") { name kind fields { name } } __schema { queryType { name } } orders(order_by: {id: asc}, limit: 1) { id user { name } } }',
      variables: null,
    });
    expect(r.errors).toBeUndefined();
    expect(r.data).toMatchObject({
      __type: { name: 'orders', kind: 'OBJECT' },
      __schema: { queryType: { name: 'query_root' } },
      orders: [{ id: 1, user: { name: 'Alice' } }],
    });
  });
});
