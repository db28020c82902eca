/**
 * The three queries of the PostGraphile comparison (issue 17), each as farjoin's text,
 * PostGraphile v5's text (its standard Amber inflection: `allOrders`, `rowId`,
 * `userByUserId`, connections with `nodes`), the mapping from PostGraphile's response to
 * farjoin's shape, and the answer computed with SQL in farjoin's shape, so every response of
 * both is checked against the database rather than against each other.
 *
 * The counts use `totalCount` on the `ordersByUserId` connection: that is what PostGraphile
 * v5 offers for a count per parent. (@graphile/pg-aggregates has no count beyond
 * `totalCount`, and for v5 it exists only as a 0.2.0 release candidate, so it is not used.)
 */
import type pg from 'pg';
import { ARRAY_QUERY, OBJECT_QUERY } from '../schema.js';

export type PeerQueryName = 'q1' | 'q2' | 'q3';

export interface PeerQuery {
  readonly label: string;
  readonly farjoin: string;
  readonly postgraphile: string;
  /** PostGraphile's `data` → farjoin's `data`. */
  readonly fromPostgraphile: (data: unknown) => unknown;
  /** The answer, from SQL, as farjoin's `data`. */
  readonly expected: (client: pg.ClientBase, n: number) => Promise<unknown>;
}

interface Nodes<T> {
  readonly nodes: readonly T[];
}

const USERS_FIRST_N = 'SELECT id, name FROM public."user" ORDER BY id LIMIT $1';

export const PEER_QUERIES: Readonly<Record<PeerQueryName, PeerQuery>> = {
  q1: {
    label: 'orders with their user',
    farjoin: OBJECT_QUERY,
    postgraphile: 'query Orders($n: Int!) { orders: allOrders(orderBy: PRIMARY_KEY_ASC, first: $n) { nodes { id: rowId user_id: userId user: userByUserId { id: rowId name } } } }',
    fromPostgraphile: (data) => ({ orders: (data as { orders: Nodes<unknown> }).orders.nodes }),
    expected: async (client, n) => {
      const rows = (await client.query<{ id: number; user_id: number | null; uid: number | null; name: string | null }>(
        'SELECT o.id, o.user_id, u.id AS uid, u.name FROM (SELECT id, user_id FROM public.orders ORDER BY id LIMIT $1) o LEFT JOIN public."user" u ON u.id = o.user_id ORDER BY o.id', [n])).rows;
      return { orders: rows.map((r) => ({ id: r.id, user_id: r.user_id, user: r.uid === null ? null : { id: r.uid, name: r.name } })) };
    },
  },
  q2: {
    label: 'users with their orders',
    farjoin: ARRAY_QUERY,
    postgraphile: 'query Users($n: Int!) { user: allUsers(orderBy: PRIMARY_KEY_ASC, first: $n) { nodes { id: rowId name orders: ordersByUserId(orderBy: PRIMARY_KEY_ASC) { nodes { id: rowId user_id: userId } } } } }',
    fromPostgraphile: (data) => ({
      user: (data as { user: Nodes<{ orders: Nodes<unknown> }> }).user.nodes.map((u) => ({ ...u, orders: u.orders.nodes })),
    }),
    expected: async (client, n) => {
      const users = (await client.query<{ id: number; name: string }>(USERS_FIRST_N, [n])).rows;
      const orders = (await client.query<{ id: number; user_id: number }>(
        'SELECT id, user_id FROM public.orders WHERE user_id = ANY($1::int[]) ORDER BY id', [users.map((u) => u.id)])).rows;
      const byUser = new Map<number, { id: number; user_id: number }[]>(users.map((u) => [u.id, []]));
      for (const o of orders) byUser.get(o.user_id)!.push({ id: o.id, user_id: o.user_id });
      return { user: users.map((u) => ({ id: u.id, name: u.name, orders: byUser.get(u.id)! })) };
    },
  },
  q3: {
    label: 'order count per user',
    farjoin: 'query Counts($n: Int!) { user(order_by: {id: asc}, limit: $n) { id orders_aggregate { aggregate { count } } } }',
    postgraphile: 'query Counts($n: Int!) { user: allUsers(orderBy: PRIMARY_KEY_ASC, first: $n) { nodes { id: rowId orders: ordersByUserId { totalCount } } } }',
    fromPostgraphile: (data) => ({
      user: (data as { user: Nodes<{ id: number; orders: { totalCount: number } }> }).user.nodes.map((u) => ({ id: u.id, orders_aggregate: { aggregate: { count: u.orders.totalCount } } })),
    }),
    expected: async (client, n) => {
      const rows = (await client.query<{ id: number; count: number }>(
        'SELECT u.id, count(o.id)::int AS count FROM (SELECT id FROM public."user" ORDER BY id LIMIT $1) u LEFT JOIN public.orders o ON o.user_id = u.id GROUP BY u.id ORDER BY u.id', [n])).rows;
      return { user: rows.map((r) => ({ id: r.id, orders_aggregate: { aggregate: { count: r.count } } })) };
    },
  },
};
