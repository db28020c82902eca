/**
 * Authorization across databases (issue 5, DESIGN.md §8): each role sees only the rows and
 * columns its select permissions allow, on both sides of every remote join, in filters,
 * ordering and aggregates. Expected answers come from direct SQL under the same filter;
 * queries across databases run under every strategy.
 */
import { getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { useShop } from '../helpers/shop.js';
import { executeEach } from '../helpers/strategies.js';

const fixture = useShop();

type Headers = Record<string, string>;
const as = (role: string, vars: Record<string, string> = {}): Headers => ({ 'x-hasura-role': role, ...vars });
const customer1 = as('customer', { 'x-hasura-user-id': '1', 'x-hasura-tenant-id': '10' });

async function run(headers: Headers, query: string, variables?: Record<string, unknown>) {
  return fixture().engine.execute({ query, variables: variables ?? null, headers });
}
/** The data, the same under every strategy that applies (helpers/strategies.ts). */
async function data(headers: Headers, query: string, variables?: Record<string, unknown>) {
  return (await executeEach(fixture().engine, { query, variables: variables ?? null, headers })).same();
}
const num = (v: unknown) => Number(v);

describe('each role has its own schema', () => {
  async function schemaOf(headers: Headers) {
    const r = await run(headers, getIntrospectionQuery());
    const types = (r.data as unknown as IntrospectionQuery).__schema.types;
    const fieldsOf = (name: string) => {
      const t = types.find((x) => x.name === name) as { fields?: { name: string }[]; inputFields?: { name: string }[] } | undefined;
      return (t?.fields ?? t?.inputFields ?? []).map((f) => f.name).sort();
    };
    return { types: types.map((t) => t.name), fieldsOf };
  }

  it('hides forbidden columns from object types, filters, ordering and aggregates', async () => {
    const s = await schemaOf(customer1);
    expect(s.fieldsOf('customer')).toEqual(['id', 'name', 'orders']); // no email, no tenant, no notes (crm not allowed)
    expect(s.fieldsOf('customer_bool_exp')).toEqual(['_and', '_not', '_or', 'id', 'name', 'orders']); // _exists only in permissions, as in Hasura
    expect(s.fieldsOf('order')).toEqual(['customer', 'customer_id', 'id', 'payments', 'total']);
    expect(s.fieldsOf('order_order_by')).toEqual(['customer', 'customer_id', 'id', 'total']);
    expect(s.fieldsOf('query_root')).toEqual(['customer', 'customer_by_pk', 'order', 'order_by_pk', 'payment', 'payment_by_pk']);
    expect(s.types).not.toContain('customer_aggregate'); // allow_aggregations is off
  });

  it('shows aggregates with allow_aggregations and respects query_root_fields', async () => {
    const analyst = await schemaOf(as('analyst', { 'x-hasura-tenant-id': '10' }));
    expect(analyst.fieldsOf('query_root')).toContain('order_aggregate');
    expect(analyst.fieldsOf('customer')).toContain('notes');
    const support = await schemaOf(as('support'));
    // customer: only `select`; order: no by-pk because support may not read order.id.
    expect(support.fieldsOf('query_root')).toEqual(['customer', 'order', 'payment', 'payment_by_pk']);
  });

  it('drops a remote relationship whose join key the role may not read', async () => {
    // support may not read order.id, the key of order.payments, nor payment.order_id. The
    // local relationship order.customer stays (its key never leaves the database).
    const support = await schemaOf(as('support'));
    expect(support.fieldsOf('order')).toEqual(['customer', 'total']);
    expect(support.fieldsOf('payment')).toEqual(['amount', 'id']);
  });

  it('rejects a forbidden column as an unknown field', async () => {
    const r = await run(customer1, '{ customer { email } }');
    expect(r.errors?.[0]).toMatchObject({ message: "field 'email' not found in type: 'customer'", extensions: { code: 'validation-failed' } });
    const hidden = await run(customer1, '{ customer(where: {email: {_eq: "ann@x"}}) { id } }');
    expect(hidden.errors?.[0]?.extensions.code).toBe('validation-failed');
  });

  it('a role without permissions sees no queries', async () => {
    const r = await run(as('stranger'), '{ customer { id } }');
    expect(r.errors?.[0]?.extensions.code).toBe('validation-failed');
    expect(await data(as('stranger'), '{ no_queries_available }')).toEqual({ no_queries_available: expect.stringContaining('no queries available') });
  });
});

describe('row filters on both sides of remote joins', () => {
  it('matches direct SQL under the permission filters (customer 1, tenant 10)', async () => {
    const got = await data(customer1, '{ order(order_by: {id: asc}) { id total payments(order_by: {id: asc}) { id amount } } }');
    const orders = await fixture().databases.dbs.shop!.query<{ id: number; total: string }>('SELECT id, total FROM "order" WHERE customer_id = $1 ORDER BY id LIMIT 2', [1]);
    const payments = await fixture().databases.dbs.billing!.query<{ id: number; order_id: number; amount: string }>('SELECT id, order_id, amount FROM payment WHERE tenant = $1 ORDER BY id', [10]);
    expect(got).toEqual({
      order: orders.map((o) => ({ id: o.id, total: num(o.total), payments: payments.filter((p) => p.order_id === o.id).map((p) => ({ id: p.id, amount: num(p.amount) })) })),
    });
    // payment 3 belongs to order 101 but to tenant 99: never visible.
    const ids = (got as { order: { payments: { id: number }[] }[] }).order.flatMap((o) => o.payments.map((p) => p.id));
    expect(ids).not.toContain(3);
  });

  it('applies the target filter on the remote side of an object join (payment → order)', async () => {
    const got = await data(customer1, '{ payment(order_by: {id: asc}) { id order { id total } } }');
    expect(got).toEqual({ payment: [
      { id: 1, order: { id: 100, total: 10 } },
      { id: 2, order: { id: 101, total: 25.5 } },
      { id: 5, order: null }, // order 102 belongs to customer 2
    ] });
  });

  it('applies filters inside relationship filters, ordering and by-pk', async () => {
    // Bob's orders are not visible to customer 1, so no customer matches through them.
    expect(await data(customer1, '{ customer(where: {orders: {total: {_eq: 7}}}) { id } }')).toEqual({ customer: [] });
    expect(await data(customer1, '{ customer_by_pk(id: 2) { id } }')).toEqual({ customer_by_pk: null });
    expect(await data(customer1, '{ order_by_pk(id: 104) { id } }')).toEqual({ order_by_pk: { id: 104 } });
    expect(await data(customer1, '{ order_by_pk(id: 103) { id } }')).toEqual({ order_by_pk: null });
  });

  it('caps rows with the permission limit, also below a larger user limit', async () => {
    const r = (await data(customer1, '{ order(limit: 10, order_by: {id: desc}) { id } }')) as { order: unknown[] };
    expect(r.order).toEqual([{ id: 104 }, { id: 101 }]);
  });

  it('aggregates only what the role may read', async () => {
    const analyst = as('analyst', { 'x-hasura-tenant-id': '10' });
    const got = await data(analyst, '{ order_aggregate { aggregate { count sum { total } } } payment_aggregate { aggregate { count } } }');
    const [o] = await fixture().databases.dbs.shop!.query<{ c: string; s: string }>('SELECT count(*) c, sum(total) s FROM "order" WHERE tenant = 10');
    const [p] = await fixture().databases.dbs.billing!.query<{ c: string }>('SELECT count(*) c FROM payment WHERE tenant = 10');
    expect(got).toEqual({ order_aggregate: { aggregate: { count: num(o!.c), sum: { total: num(o!.s) } } }, payment_aggregate: { aggregate: { count: num(p!.c) } } });
    const nested = await data(analyst, '{ customer(order_by: {id: asc}) { id orders_aggregate { aggregate { count } } } }');
    expect(nested).toEqual({ customer: [{ id: 1, orders_aggregate: { aggregate: { count: 3 } } }, { id: 2, orders_aggregate: { aggregate: { count: 1 } } }] });
  });

  it('cannot reach forbidden rows through aliases, fragments, distinct_on and order_by', async () => {
    const q = `fragment P on payment { id amount }
      { a: payment(distinct_on: order_id, order_by: [{order_id: asc}, {amount: desc}]) { ...P }
        b: order { payments(order_by: {amount: desc}) { ...P } } }`;
    const got = (await data(customer1, q)) as { a: { id: number }[]; b: { payments: { id: number }[] }[] };
    const ids = [...got.a.map((p) => p.id), ...got.b.flatMap((o) => o.payments.map((p) => p.id))];
    expect(ids.length).toBeGreaterThan(0);
    for (const forbidden of [3, 4]) expect(ids).not.toContain(forbidden);
  });
});

describe('permission filters through remote relationships', () => {
  it('keeps only orders with a payment of at least 20 in the other database', async () => {
    const got = await data(as('bigspender'), '{ order(order_by: {id: asc}) { id } }');
    const pays = await fixture().databases.dbs.billing!.query<{ order_id: number }>('SELECT DISTINCT order_id FROM payment WHERE amount >= 20 ORDER BY order_id');
    const orders = await fixture().databases.dbs.shop!.query<{ id: number }>('SELECT id FROM "order" WHERE id = ANY($1) ORDER BY id', [pays.map((p) => p.order_id)]);
    expect(got).toEqual({ order: orders.map((o) => ({ id: o.id })) });
    expect(orders.map((o) => o.id)).toEqual([101, 103]);
  });
});

describe('session variables', () => {
  it('reports a missing session variable as not-found', async () => {
    const r = await run(as('customer', { 'x-hasura-tenant-id': '10' }), '{ customer { id } }');
    expect(r.errors?.[0]).toMatchObject({ message: 'missing session variables: "x-hasura-user-id"', extensions: { code: 'not-found' } });
  });

  it('binds hostile session values as parameters: they fail to cast or match nothing, never widen', async () => {
    for (const evil of ['1 OR 1=1', "1'; DROP TABLE customer; --", '1) OR (1=1', '', '1e3', '{1,2,3}', '1,2', '%', '*']) {
      const r = await run(as('customer', { 'x-hasura-user-id': evil, 'x-hasura-tenant-id': '10' }), '{ customer { id } order { id } }');
      if (r.errors) {
        // The failing fields are null (or the whole data is): no row reaches the caller.
        for (const v of Object.values(r.data ?? {})) expect(v).toBeNull();
        expect(JSON.stringify(r.errors)).not.toMatch(/SELECT|"public"/);
      } else {
        expect(r.data).toEqual({ customer: [], order: [] });
      }
    }
    // Postgres's own cast rules apply: ' 1' is the integer 1, exactly that customer and no other.
    expect(await data(as('customer', { 'x-hasura-user-id': ' 1', 'x-hasura-tenant-id': '10' }), '{ customer { id } }')).toEqual({ customer: [{ id: 1 }] });
    const still = await data(as('analyst', { 'x-hasura-tenant-id': '10' }), '{ customer_aggregate { aggregate { count } } }');
    expect(still).toEqual({ customer_aggregate: { aggregate: { count: 2 } } });
  });

  it('treats X-Hasura-* strings in user filters as plain data, not session variables', async () => {
    expect(await data(customer1, '{ customer(where: {name: {_eq: "X-Hasura-User-Id"}}) { id } }')).toEqual({ customer: [] });
  });
});
