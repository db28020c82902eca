/**
 * DESIGN.md §2: the orders → user example, end to end on real Postgres. The answers are
 * checked under every strategy, on a second engine that finds the databases linked by
 * postgres_fdw; the explained plans are the default engine's (no links).
 */
import { describe, expect, it } from 'vitest';
import { EXAMPLE_ANSWER, EXAMPLE_QUERY, useLinkedDemo } from '../helpers/demo.js';
import { executeEach } from '../helpers/strategies.js';

const fixture = useLinkedDemo();

/** The data, the same under every strategy. */
const run = async (query: string, headers?: Record<string, string>) => (await executeEach(fixture().linked, { query, ...(headers ? { headers } : {}) })).same();

describe('demo: orders → user (object remote relationship)', () => {
  it('answers the first example with Alice, Alice, Bob, Carol, null, null', async () => {
    expect(await run(EXAMPLE_QUERY)).toEqual(EXAMPLE_ANSWER.data);
  });

  it('fetches the join key under a hidden slot when the query does not select it', async () => {
    expect(await run('{ orders(order_by: {id: asc}, limit: 3) { id user { name } } }')).toEqual({ orders: [{ id: 1, user: { name: 'Alice' } }, { id: 2, user: { name: 'Alice' } }, { id: 3, user: { name: 'Bob' } }] });
  });

  it('sends distinct keys only and never sends a null key (explain --analyze counts them)', async () => {
    const e = await fixture().demo.engine.explain({ query: '{ orders { id user { name } } }' }, { analyze: true });
    if ('errors' in e) throw new Error(JSON.stringify(e.errors));
    const join = e.steps.find((s) => s.kind === 'remote-join');
    // user_id values 1,1,2,3,NULL,99 → distinct non-null keys 1,2,3,99
    expect(join?.analyze?.keys).toBe(4);
    expect(join?.analyze?.statements).toBe(1);
    expect(join?.analyze?.rows).toBe(3);
  });
});

describe('demo: user → orders (array remote relationship)', () => {
  it('answers the second example with Alice [1, 2], Bob [3], Carol [4]', async () => {
    expect(await run('{ user(order_by: {id: asc}) { name orders(order_by: {id: asc}) { id } } }')).toEqual({
      user: [
        { name: 'Alice', orders: [{ id: 1 }, { id: 2 }] },
        { name: 'Bob', orders: [{ id: 3 }] },
        { name: 'Carol', orders: [{ id: 4 }] },
      ],
    });
  });

  it('applies where/order_by/limit per parent row (DESIGN.md §2 second example)', async () => {
    expect(await run('{ user(where: {name: {_like: "A%"}}) { name orders(order_by: {id: desc}, limit: 2) { id } } }')).toEqual({ user: [{ name: 'Alice', orders: [{ id: 2 }, { id: 1 }] }] });
    expect(await run('{ user(order_by: {id: asc}) { id orders(order_by: {id: desc}, limit: 1) { id } } }')).toEqual({ user: [{ id: 1, orders: [{ id: 2 }] }, { id: 2, orders: [{ id: 3 }] }, { id: 3, orders: [{ id: 4 }] }] });
    expect(await run('{ user(order_by: {id: asc}) { id orders(order_by: {id: asc}, offset: 1) { id } } }')).toEqual({ user: [{ id: 1, orders: [{ id: 2 }] }, { id: 2, orders: [] }, { id: 3, orders: [] }] });
  });

  it('filters the remote rows with where, per parent', async () => {
    expect(await run('{ user(order_by: {id: asc}) { id orders(where: {id: {_gt: 1}}) { id } } }')).toEqual({ user: [{ id: 1, orders: [{ id: 2 }] }, { id: 2, orders: [{ id: 3 }] }, { id: 3, orders: [{ id: 4 }] }] });
  });

  it('nests remote inside remote: user → orders → user', async () => {
    expect(await run('{ user(where: {id: {_eq: 1}}) { name orders(order_by: {id: asc}) { id user { name } } } }')).toEqual({ user: [{ name: 'Alice', orders: [{ id: 1, user: { name: 'Alice' } }, { id: 2, user: { name: 'Alice' } }] }] });
  });
});

describe('demo: explain', () => {
  it('shows exactly two steps, one per database, and strategy two-phase', async () => {
    const e = await fixture().demo.engine.explain({ query: '{ orders(order_by: {id: asc}) { id user { name } } }' });
    if ('errors' in e) throw new Error(JSON.stringify(e.errors));
    expect(e.version).toBe(1);
    expect(e.steps.map((s) => [s.id, s.source, s.kind])).toEqual([[1, 'source_db', 'fetch'], [2, 'target_db', 'remote-join']]);
    expect(e.remoteJoins).toHaveLength(1);
    expect(e.remoteJoins[0]).toMatchObject({ path: 'orders.user', relationship: 'user', from: 'source_db', to: 'target_db', strategy: 'two-phase' });
    expect(e.remoteJoins[0]!.reason.length).toBeGreaterThan(10);
    expect(e.steps[1]!.sql).toContain('= ANY($1::"pg_catalog"."int4"[])');
    expect(e.steps[1]!.sql).toContain('"public"."user"');
  });
});

describe('demo: the user role (issue 5)', () => {
  it('shows a user only their own orders and themselves, across both databases', async () => {
    const headers = { 'x-hasura-role': 'user', 'x-hasura-user-id': '1' };
    expect(await run('{ orders(order_by: {id: asc}) { id user { name } } user { name orders { id } } }', headers)).toEqual({
      orders: [{ id: 1, user: { name: 'Alice' } }, { id: 2, user: { name: 'Alice' } }],
      user: [{ name: 'Alice', orders: [{ id: 1 }, { id: 2 }] }],
    });
    expect(await run('{ orders { id user { name } } }', { ...headers, 'x-hasura-user-id': '2' })).toEqual({ orders: [{ id: 3, user: { name: 'Bob' } }] });
  });
});
