/**
 * Per-role differential (issue 5): for every role and session of the three-database shop,
 * every query's answer equals the same data read by direct SQL under that role's
 * permission filter — in each strategy that applies (two-phase, and semi-join for filters
 * through remote relationships). A query naming something the role may not read must be
 * rejected, never answered.
 */
import { describe, expect, it } from 'vitest';
import { useShop } from '../helpers/shop.js';
import { expectEachStrategy } from '../helpers/strategies.js';

const fixture = useShop();

interface Customer { id: number; name: string }
interface Order { id: number; customer_id: number; total: string }
interface Payment { id: number; order_id: number; amount: string }

/** The rows a session may read, by direct SQL with the role's filter written out by hand. */
interface Visible { customers: Customer[]; orders: Order[]; payments: Payment[]; orderLimit: number | undefined }

interface Session {
  readonly label: string;
  readonly headers: Record<string, string>;
  readonly visible: () => Promise<Visible>;
  /** Queries (by name) this role's schema cannot express. */
  readonly rejects: readonly string[];
}

const shop = () => fixture().databases.dbs.shop!;
const billing = () => fixture().databases.dbs.billing!;

const SESSIONS: readonly Session[] = [1, 2, 3].map((uid): Session => ({
  label: `customer ${uid}`,
  headers: { 'x-hasura-role': 'customer', 'x-hasura-user-id': String(uid), 'x-hasura-tenant-id': uid === 3 ? '20' : '10' },
  rejects: [],
  visible: async () => ({
    customers: await shop().query('SELECT id, name FROM customer WHERE id = $1 ORDER BY id', [uid]),
    orders: await shop().query('SELECT id, customer_id, total FROM "order" WHERE customer_id = $1 ORDER BY id', [uid]),
    payments: await billing().query('SELECT id, order_id, amount FROM payment WHERE tenant = $1 ORDER BY id', [uid === 3 ? 20 : 10]),
    orderLimit: 2,
  }),
})).concat([10, 20].map((tenant): Session => ({
  label: `analyst of tenant ${tenant}`,
  headers: { 'x-hasura-role': 'analyst', 'x-hasura-tenant-id': String(tenant) },
  rejects: [],
  visible: async () => ({
    customers: await shop().query('SELECT id, name FROM customer WHERE tenant = $1 ORDER BY id', [tenant]),
    orders: await shop().query('SELECT id, customer_id, total FROM "order" WHERE tenant = $1 ORDER BY id', [tenant]),
    payments: await billing().query('SELECT id, order_id, amount FROM payment WHERE tenant = $1 ORDER BY id', [tenant]),
    orderLimit: undefined,
  }),
})), [{
  label: 'support',
  headers: { 'x-hasura-role': 'support' },
  // support may read neither ids of customers/orders nor the join keys of remote relationships
  rejects: ['customers', 'orders with payments', 'payments with order', 'customers with orders', 'orders filtered by payments'],
  // its payment permission has no filter: every payment, columns id and amount
  visible: async () => ({ customers: [], orders: [], payments: await billing().query('SELECT id, order_id, amount FROM payment ORDER BY id'), orderLimit: undefined }),
}]);

const n = (v: string) => Number(v);
const cap = <T>(rows: T[], limit: number | undefined) => (limit === undefined ? rows : rows.slice(0, limit));

interface Query {
  readonly name: string;
  readonly text: string;
  readonly expected: (v: Visible) => unknown;
}

const QUERIES: readonly Query[] = [
  { name: 'customers', text: '{ customer(order_by: {id: asc}) { id name } }', expected: (v) => ({ customer: v.customers }) },
  {
    name: 'orders with payments',
    text: '{ order(order_by: {id: asc}) { id total payments(order_by: {id: asc}) { id amount } } }',
    expected: (v) => ({ order: cap(v.orders, v.orderLimit).map((o) => ({ id: o.id, total: n(o.total), payments: v.payments.filter((p) => p.order_id === o.id).map((p) => ({ id: p.id, amount: n(p.amount) })) })) }),
  },
  {
    name: 'payments with order',
    text: '{ payment(order_by: {id: asc}) { id order { id total } } }',
    expected: (v) => ({ payment: v.payments.map((p) => {
      const o = v.orders.find((x) => x.id === p.order_id);
      return { id: p.id, order: o ? { id: o.id, total: n(o.total) } : null };
    }) }),
  },
  {
    name: 'customers with orders',
    text: '{ customer(order_by: {id: asc}) { id orders(order_by: {id: asc}) { id } } }',
    expected: (v) => ({ customer: v.customers.map((c) => ({ id: c.id, orders: cap(v.orders.filter((o) => o.customer_id === c.id), v.orderLimit).map((o) => ({ id: o.id })) })) }),
  },
  {
    name: 'orders filtered by payments',
    text: '{ order(where: {payments: {amount: {_gt: 5}}}, order_by: {id: asc}) { id } }',
    expected: (v) => ({ order: cap(v.orders.filter((o) => v.payments.some((p) => p.order_id === o.id && n(p.amount) > 5)), v.orderLimit).map((o) => ({ id: o.id })) }),
  },
  {
    name: 'payment totals',
    text: '{ payment(order_by: {id: asc}) { amount } }',
    expected: (v) => ({ payment: v.payments.map((p) => ({ amount: n(p.amount) })) }),
  },
];

describe('each role reads exactly what direct SQL under its filter reads', () => {
  for (const session of SESSIONS) {
    for (const q of QUERIES) {
      it(`${session.label}: ${q.name}`, async () => {
        if (session.rejects.includes(q.name)) {
          const r = await fixture().engine.execute({ query: q.text, headers: session.headers });
          expect(r.data ?? undefined).toBeUndefined();
          expect(r.errors?.[0]?.extensions.code).toBe('validation-failed');
          return;
        }
        await expectEachStrategy(fixture().engine, { query: q.text, headers: session.headers }, q.expected(await session.visible()));
      });
    }
  }
});
