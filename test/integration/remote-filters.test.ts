/**
 * Filtering parents by remote fields (issue 4, beyond Hasura): without postgres_fdw the
 * filter runs as a semi-join — matching keys fetched from the target first, under the
 * role's permission — then `= ANY(keys)` on the parent; with a link, inside the parent's
 * statement. Exists semantics for object and array relationships; nested and combined
 * with `_and/_or/_not`. Every query runs under auto, two-phase, fdw and semi-join on the
 * linked databases; the first engine, started before the links, shows the plans without.
 */
import { describe, expect, it } from 'vitest';
import { useLinkedDemo } from '../helpers/demo.js';
import { executeEach } from '../helpers/strategies.js';

const fixture = useLinkedDemo();

/** The data, the same under every strategy. */
async function ids(query: string, headers?: Record<string, string>): Promise<unknown> {
  const results = await executeEach(fixture().linked, { query, ...(headers ? { headers } : {}) });
  expect(results.strategies).toContain('semi-join');
  return results.same();
}

describe('where on remote fields', () => {
  it('filters orders by their remote user (the issue 4 example)', async () => {
    expect(await ids('{ orders(where: {user: {name: {_eq: "Alice"}}}, order_by: {id: asc}) { id } }')).toEqual({ orders: [{ id: 1 }, { id: 2 }] });
  });

  it('filters users by their remote orders (array: exists semantics)', async () => {
    expect(await ids('{ user(where: {orders: {id: {_gte: 3}}}, order_by: {id: asc}) { name } }')).toEqual({ user: [{ name: 'Bob' }, { name: 'Carol' }] });
  });

  it('combines with _and/_or/_not and local conditions', async () => {
    expect(await ids(`{ orders(where: {_or: [{user: {name: {_like: "B%"}}}, {id: {_eq: 6}}]}, order_by: {id: asc}) { id } }`)).toEqual({ orders: [{ id: 3 }, { id: 6 }] });
    // _not over a remote filter keeps rows with no matching user, null keys included.
    expect(await ids(`{ orders(where: {_not: {user: {name: {_eq: "Alice"}}}}, order_by: {id: asc}) { id } }`)).toEqual({ orders: [{ id: 3 }, { id: 4 }, { id: 5 }, { id: 6 }] });
    expect(await ids(`{ orders(where: {user: {}}, order_by: {id: asc}) { id } }`)).toEqual({ orders: [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }] });
  });

  it('nests: users whose orders point back at a user named Carol', async () => {
    expect(await ids('{ user(where: {orders: {user: {name: {_eq: "Carol"}}}}) { name } }')).toEqual({ user: [{ name: 'Carol' }] });
  });

  it('works inside remote joins and aggregates too', async () => {
    expect(await ids('{ user(order_by: {id: asc}) { name orders(where: {user: {name: {_neq: "Bob"}}}, order_by: {id: asc}) { id } } }')).toEqual({
      user: [{ name: 'Alice', orders: [{ id: 1 }, { id: 2 }] }, { name: 'Bob', orders: [] }, { name: 'Carol', orders: [{ id: 4 }] }],
    });
    expect(await ids('{ orders_aggregate(where: {user: {name: {_in: ["Alice", "Carol"]}}}) { aggregate { count } } }')).toEqual({ orders_aggregate: { aggregate: { count: 3 } } });
  });

  it('applies the role permission on the target side of the filter', async () => {
    // The user role sees only itself (id 2) in target_db: a filter on Alice matches nothing.
    const bob = { 'x-hasura-role': 'user', 'x-hasura-user-id': '2' };
    expect(await ids('{ orders(where: {user: {name: {_eq: "Alice"}}}) { id } }', bob)).toEqual({ orders: [] });
    expect(await ids('{ orders(where: {user: {name: {_eq: "Bob"}}}) { id } }', bob)).toEqual({ orders: [{ id: 3 }] });
  });

  it('explains the semi-join: a step on target_db that runs before the fetch it feeds', async () => {
    const e = await fixture().demo.engine.explain({ query: '{ orders(where: {user: {name: {_eq: "Alice"}}}) { id } }' }, { analyze: true });
    if ('errors' in e) throw new Error(JSON.stringify(e.errors));
    expect(e.steps.map((s) => [s.id, s.source, s.kind])).toEqual([[1, 'source_db', 'fetch'], [2, 'target_db', 'semi-join']]);
    expect(e.steps[1]).toMatchObject({ feeds: 1, analyze: { keys: 1, statements: 1 } });
    expect(e.remoteJoins).toEqual([expect.objectContaining({ path: 'orders.user', strategy: 'semi-join', from: 'source_db', to: 'target_db' })]);
    expect(e.steps[0]!.sql).toContain(`("_0"."user_id" IS NOT NULL) AND ("_0"."user_id" = ANY($1::"pg_catalog"."int4"[]))`);
  });

  it('refuses --strategy fdw without a foreign server, naming farjoin fdw setup', async () => {
    const r = await fixture().demo.engine.execute({ query: '{ orders(where: {user: {name: {_eq: "Alice"}}}) { id } }', strategy: 'fdw' });
    expect(r.errors?.[0]?.message).toContain('farjoin fdw setup');
  });
});
