/**
 * Live queries and streams through the library (DESIGN.md §9, issue 14): `engine.subscribe`
 * on the demo, with remote relationships both ways, at a 50 ms refetch interval.
 */
import { describe, expect, it } from 'vitest';
import { startDemo, type DemoContext } from '../helpers/demo.js';
import { useFixture } from '../helpers/lifecycle.js';
import { Collected, sleep, sql } from '../helpers/live.js';
import type { GraphQLResponse } from '../../runtime/engine.js';

const statements: { source: string; text: string }[] = [];
const fixture = useFixture(
  () => startDemo({ liveQueries: { refetchIntervalMs: 50 }, onStatement: (source, text) => statements.push({ source, text }) }),
  (d: DemoContext) => d.close(),
);
const urls = () => ({ source: fixture().databases.dbs.source_db!.url, target: fixture().databases.dbs.target_db!.url });
type Orders = { orders: { id: number; user: { name: string } | null }[] };
const ordersOf = (r: GraphQLResponse) => (r.data as Orders | undefined)?.orders;

describe('live queries', () => {
  it('pushes the first result, then after an insert on the parent database and an update on the remote one — and not otherwise', async () => {
    const { engine } = fixture();
    const live = new Collected(engine.subscribe({ query: 'subscription { orders(order_by: {id: asc}) { id user { name } } }' }));
    const first = await live.waitFor((r) => ordersOf(r) !== undefined);
    expect(ordersOf(first)!.map((o) => o.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ordersOf(first)![0]).toEqual({ id: 1, user: { name: 'Alice' } });
    await sleep(300); // six polls with nothing changed
    expect(live.items).toHaveLength(1);

    await sql(urls().source, 'INSERT INTO orders (id, user_id) VALUES (7, 2)');
    const afterInsert = await live.waitFor((r) => ordersOf(r)?.length === 7, 1);
    expect(ordersOf(afterInsert)![6]).toEqual({ id: 7, user: { name: 'Bob' } });

    const seen = live.items.length;
    await sql(urls().target, `UPDATE "user" SET name = 'Robert' WHERE id = 2`);
    const afterUpdate = await live.waitFor((r) => ordersOf(r)?.[6]?.user?.name === 'Robert', seen);
    expect(ordersOf(afterUpdate)![2]).toEqual({ id: 3, user: { name: 'Robert' } });
    expect(live.items).toHaveLength(seen + 1);

    await live.stop();
    await sql(urls().target, `UPDATE "user" SET name = 'Bob' WHERE id = 2`);
    await sql(urls().source, 'DELETE FROM orders WHERE id = 7');
    expect(engine.live.stats()).toMatchObject({ subscribers: 0, pollers: 0, timers: 0 });
  });

  it("applies the role's permissions on both sides of the remote join", async () => {
    const { engine } = fixture();
    const asUser = (id: string) => new Collected(engine.subscribe({
      query: 'subscription { orders(order_by: {id: asc}) { id user { name } } }',
      headers: { 'x-hasura-role': 'user', 'x-hasura-user-id': id },
    }));
    const one = asUser('1');
    const two = asUser('2');
    expect(ordersOf(await one.waitFor((r) => r.data !== undefined))).toEqual([{ id: 1, user: { name: 'Alice' } }, { id: 2, user: { name: 'Alice' } }]);
    expect(ordersOf(await two.waitFor((r) => r.data !== undefined))).toEqual([{ id: 3, user: { name: 'Bob' } }]);
    // Same query text and role, different session: one poller, two cohorts.
    expect(engine.live.stats()).toMatchObject({ pollers: 1, cohorts: 2, subscribers: 2 });
    await sql(urls().source, 'INSERT INTO orders (id, user_id) VALUES (8, 2)');
    expect(ordersOf(await two.waitFor((r) => ordersOf(r)?.length === 2, 1))).toEqual([{ id: 3, user: { name: 'Bob' } }, { id: 8, user: { name: 'Bob' } }]);
    await sleep(200);
    expect(one.items).toHaveLength(1); // user 1's result did not change
    await Promise.all([one.stop(), two.stop()]);
    await sql(urls().source, 'DELETE FROM orders WHERE id = 8');
  });

  it('answers an invalid subscription with its errors and ends it', async () => {
    const { engine } = fixture();
    const bad = new Collected(engine.subscribe({ query: 'subscription { orders { nope } }' }));
    const r = await bad.waitFor(() => true);
    expect(r.errors?.[0]?.extensions.code).toBe('validation-failed');
    await bad.waitFor(() => false).catch(() => undefined);
    expect(bad.ended).toBe(true);
    expect(engine.live.stats().subscribers).toBe(0);
  });

  it('runs a query sent to subscribe once', async () => {
    const { engine } = fixture();
    const q = new Collected(engine.subscribe({ query: '{ user_by_pk(id: 1) { name orders(order_by: {id: asc}) { id } } }' }));
    const r = await q.waitFor(() => true);
    expect(r).toEqual({ data: { user_by_pk: { name: 'Alice', orders: [{ id: 1 }, { id: 2 }] } } });
    await sleep(50);
    expect(q.ended).toBe(true);
  });

  it('lives on by-pk and aggregate root fields too', async () => {
    const { engine } = fixture();
    const agg = new Collected(engine.subscribe({ query: 'subscription { orders_aggregate { aggregate { count } } }' }));
    expect(await agg.waitFor(() => true)).toEqual({ data: { orders_aggregate: { aggregate: { count: 6 } } } });
    const pk = new Collected(engine.subscribe({ query: 'subscription ($id: Int!) { user_by_pk(id: $id) { name orders { id } } }', variables: { id: 3 } }));
    expect(await pk.waitFor(() => true)).toEqual({ data: { user_by_pk: { name: 'Carol', orders: [{ id: 4 }] } } });
    await sql(urls().source, 'INSERT INTO orders (id, user_id) VALUES (9, 3)');
    expect(await agg.waitFor((r) => JSON.stringify(r).includes('"count":7'), 1)).toBeTruthy();
    expect((await pk.waitFor(() => true, 1)).data).toEqual({ user_by_pk: { name: 'Carol', orders: [{ id: 4 }, { id: 9 }] } });
    await Promise.all([agg.stop(), pk.stop()]);
    await sql(urls().source, 'DELETE FROM orders WHERE id = 9');
  });
});

describe('cohorts', () => {
  it('shares one execution per poll among subscribers with equal variables, and each of 1,000 subscribers with different variables gets its own result', async () => {
    const { engine } = fixture();
    const query = 'subscription ($id: Int!) { orders(where: {user_id: {_eq: $id}}, order_by: {id: asc}) { id user { name } } }';
    const same = Array.from({ length: 50 }, () => new Collected(engine.subscribe({ query, variables: { id: 1 } })));
    await Promise.all(same.map((s) => s.waitFor(() => true)));
    expect(engine.live.stats()).toMatchObject({ pollers: 1, cohorts: 1, subscribers: 50 });
    // One poll of one cohort: the parent statement and one remote join, whatever the subscriber count.
    const polls = engine.live.stats().polls;
    while (engine.live.stats().polls < polls + 2) await sleep(10);
    const before = statements.length;
    const at = engine.live.stats().polls;
    while (engine.live.stats().polls < at + 1) await sleep(5);
    await sleep(20);
    const perPoll = statements.slice(before).filter((s) => s.source === 'source_db').length;
    expect(perPoll).toBeGreaterThanOrEqual(1);
    expect(perPoll).toBeLessThanOrEqual(2);
    await Promise.all(same.map((s) => s.stop()));

    const many = Array.from({ length: 1000 }, (_, i) => new Collected(engine.subscribe({ query, variables: { id: i % 4 } })));
    const results = await Promise.all(many.map((s) => s.waitFor(() => true, 0, 60_000)));
    results.forEach((r, i) => {
      const expected = { 0: [], 1: [1, 2], 2: [3], 3: [4] }[i % 4 as 0 | 1 | 2 | 3];
      expect(ordersOf(r)!.map((o) => o.id)).toEqual(expected);
    });
    expect(engine.live.stats()).toMatchObject({ pollers: 1, cohorts: 4, subscribers: 1000 });
    await Promise.all(many.map((s) => s.stop()));
    expect(engine.live.stats()).toMatchObject({ pollers: 0, cohorts: 0, subscribers: 0, timers: 0 });
  }, 90_000);
});

describe('streaming subscriptions', () => {
  it('streams rows after the cursor in batches, with the remote relationship on each row, then new rows as they arrive', async () => {
    const { engine } = fixture();
    const stream = new Collected(engine.subscribe({
      query: 'subscription { orders_stream(batch_size: 2, cursor: {initial_value: {id: 1}, ordering: ASC}) { id user { name } } }',
    }));
    const batch = (r: GraphQLResponse) => (r.data as { orders_stream: { id: number; user: { name: string } | null }[] }).orders_stream;
    await stream.waitFor((r) => batch(r)?.some((o) => o.id === 6) ?? false);
    expect(stream.items.map(batch)).toEqual([
      [{ id: 2, user: { name: 'Alice' } }, { id: 3, user: { name: 'Bob' } }],
      [{ id: 4, user: { name: 'Carol' } }, { id: 5, user: null }],
      [{ id: 6, user: null }],
    ]);
    await sleep(200);
    expect(stream.items).toHaveLength(3); // no new rows, nothing sent
    await sql(urls().source, 'INSERT INTO orders (id, user_id) VALUES (10, 1)');
    expect(batch(await stream.waitFor(() => true, 3))).toEqual([{ id: 10, user: { name: 'Alice' } }]);
    await stream.stop();
    await sql(urls().source, 'DELETE FROM orders WHERE id = 10');
  });

  it('streams in descending order with a where filter', async () => {
    const { engine } = fixture();
    const stream = new Collected(engine.subscribe({
      query: 'subscription { orders_stream(batch_size: 10, cursor: [{initial_value: {id: 5}, ordering: DESC}], where: {user_id: {_is_null: false}}) { id } }',
    }));
    expect((await stream.waitFor(() => true)).data).toEqual({ orders_stream: [{ id: 4 }, { id: 3 }, { id: 2 }, { id: 1 }] });
    await stream.stop();
  });
});
