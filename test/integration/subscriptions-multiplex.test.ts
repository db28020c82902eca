/**
 * Multiplexed live queries (issue 14, DESIGN.md §9): the cohorts of one poller — same
 * query text and role, other variables or session values — run one statement per source
 * for their root fields and one per remote join for all their keys, each poll, whatever
 * their number; and each subscriber still gets its own result, checked against SQL.
 */
import { describe, expect, it } from 'vitest';
import { startDemo, type DemoContext } from '../helpers/demo.js';
import { useFixture } from '../helpers/lifecycle.js';
import { Collected, sleep, sql } from '../helpers/live.js';
import type { Engine, GraphQLResponse } from '../../runtime/engine.js';
import type { ExplainJson } from '../../compiler/explain/json.js';
import { listen } from '../helpers/http.js';

/** Every statement sent, with the number of the poll it belongs to (polls of one poller never overlap). */
const statements: { source: string; text: string; poll: number }[] = [];
let live: Engine['live'] | undefined;
const fixture = useFixture(
  async () => {
    const demo = await startDemo({
      liveQueries: { refetchIntervalMs: 50 },
      onStatement: (source, text) => statements.push({ source, text, poll: live?.stats().polls ?? 0 }),
    });
    live = demo.engine.live;
    return demo;
  },
  (d: DemoContext) => d.close(),
);
type Orders = { orders: { id: number; user: { name: string } | null }[] };
const ordersOf = (r: GraphQLResponse) => (r.data as Orders | undefined)?.orders;

/** Statements of one whole poll: the last one that has finished. */
async function onePoll(engine: Engine): Promise<{ source: string; text: string }[]> {
  const seen = engine.live.stats().polls;
  while (engine.live.stats().polls < seen + 2) await sleep(5);
  return statements.filter((s) => s.poll === seen + 1);
}

/** `orders` of a user as the query shapes them, from SQL on both databases. */
async function expectedOrders(userId: number, limit?: number): Promise<unknown[]> {
  const orders = await fixture().databases.dbs.source_db!.query<{ id: number; user_id: number }>(
    `SELECT id, user_id FROM orders WHERE user_id = $1 ORDER BY id${limit === undefined ? '' : ` LIMIT ${Number(limit)}`}`, [userId],
  );
  const users = await fixture().databases.dbs.target_db!.query<{ id: number; name: string }>('SELECT id, name FROM "user"');
  return orders.map((o) => ({ id: o.id, user: users.find((u) => u.id === o.user_id) ? { name: users.find((u) => u.id === o.user_id)!.name } : null }));
}

describe('multiplexed live queries', () => {
  it('runs one statement per source and one per remote join per poll for 100 cohorts, each with its own result', async () => {
    const { engine } = fixture();
    const query = 'subscription ($id: Int!) { orders(where: {user_id: {_eq: $id}}, order_by: {id: asc}) { id user { name } } }';
    const subs = Array.from({ length: 100 }, (_, i) => new Collected(engine.subscribe({ query, variables: { id: i } })));
    const first = await Promise.all(subs.map((s) => s.waitFor(() => true, 0, 30_000)));
    for (let i = 0; i < 100; i++) expect(ordersOf(first[i]!)).toEqual(await expectedOrders(i));
    expect(engine.live.stats()).toMatchObject({ pollers: 1, cohorts: 100, subscribers: 100 });

    const poll = await onePoll(engine);
    expect(poll.filter((s) => s.source === 'source_db')).toHaveLength(1);
    expect(poll.filter((s) => s.source === 'target_db')).toHaveLength(1);
    expect(poll.every((s) => s.text.includes('unnest('))).toBe(true);
    const last = engine.live.stats().lastPoll!;
    expect(last).toMatchObject({ cohorts: 100, sent: 2 });
    expect(last.requested).toBeGreaterThan(100); // a root statement per cohort, plus the remote joins of those with orders

    // A change pushes to the one subscriber it concerns, with the remote user joined.
    const counts = subs.map((s) => s.items.length);
    await sql(fixture().databases.dbs.source_db!.url, 'INSERT INTO orders (id, user_id) VALUES (50, 2)');
    try {
      const pushed = await subs[2]!.waitFor((r) => (ordersOf(r) ?? []).some((o) => o.id === 50), counts[2]);
      expect(ordersOf(pushed)).toEqual(await expectedOrders(2));
      await onePoll(engine);
      subs.forEach((s, i) => { if (i !== 2) expect(s.items.length).toBe(counts[i]); });
    } finally {
      await sql(fixture().databases.dbs.source_db!.url, 'DELETE FROM orders WHERE id = 50');
    }
    await Promise.all(subs.map((s) => s.stop()));
    expect(engine.live.stats()).toMatchObject({ pollers: 0, cohorts: 0, subscribers: 0, timers: 0 });
  }, 60_000);

  it('multiplexes LIMIT and OFFSET counts, which Postgres types itself', async () => {
    const { engine } = fixture();
    const query = 'subscription ($id: Int!, $n: Int!) { orders(where: {user_id: {_eq: $id}}, order_by: {id: asc}, limit: $n) { id user { name } } }';
    const cases = [[1, 1], [1, 2], [2, 5], [3, 0]] as const;
    const subs = cases.map(([id, n]) => new Collected(engine.subscribe({ query, variables: { id, n } })));
    const first = await Promise.all(subs.map((s) => s.waitFor(() => true)));
    for (let i = 0; i < cases.length; i++) expect(ordersOf(first[i]!)).toEqual(await expectedOrders(cases[i]![0], cases[i]![1]));
    const poll = await onePoll(engine);
    expect(poll.filter((s) => s.source === 'source_db')).toHaveLength(1);
    await Promise.all(subs.map((s) => s.stop()));
  });

  it("applies each cohort's session; one whose session value does not cast gets its error alone", async () => {
    const { engine } = fixture();
    const query = 'subscription { orders(order_by: {id: asc}) { id user { name } } }';
    const as = (userId: string) => new Collected(engine.subscribe({ query, headers: { 'x-hasura-role': 'user', 'x-hasura-user-id': userId } }));
    const [one, two, bad] = [as('1'), as('2'), as('not-a-number')];
    const [r1, r2, rBad] = await Promise.all([one.waitFor(() => true), two.waitFor(() => true), bad.waitFor(() => true)]);
    expect(ordersOf(r1)).toEqual(await expectedOrders(1));
    expect(ordersOf(r2)).toEqual(await expectedOrders(2));
    expect(rBad.errors?.length).toBeGreaterThan(0);
    expect(rBad.data?.orders ?? null).toBeNull();
    await Promise.all([one.stop(), two.stop(), bad.stop()]);
  });

  it("explains a cohort's plan and the statements a poll sends for all cohorts, which are those sent", async () => {
    const { engine } = fixture();
    const query = 'subscription ($id: Int!) { orders(where: {user_id: {_eq: $id}}, order_by: {id: asc}) { id user { name } } }';
    const http = await listen(engine.handler);
    let explain: ExplainJson;
    try {
      const res = await fetch(`${http.url}/v1/graphql/explain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: { query, variables: { id: 1 } } }) });
      expect(res.status).toBe(200);
      explain = await res.json() as ExplainJson;
    } finally {
      await http.close();
    }
    expect(explain).toEqual(await engine.explain({ query, variables: { id: 1 } }));
    expect(explain.steps.map((s) => [s.source, s.kind])).toEqual([['source_db', 'fetch'], ['target_db', 'remote-join']]);
    expect(explain.remoteJoins).toHaveLength(1);
    const sub = explain.subscription!;
    expect(sub).toMatchObject({
      kind: 'live', intervalMs: 50, multiplexed: true, statementsPerPoll: 2,
      pollerKey: 'role + operation name + query text', cohortKey: 'variables + session variables',
    });
    expect(sub.statements.map((s) => [s.step, s.source])).toEqual([[1, 'source_db'], [2, 'target_db']]);
    for (const [i, s] of sub.statements.entries()) {
      expect(s.sql).toContain(`FROM (${explain.steps[i]!.sql.replace(/\$(\d+)/g, '"_s"."p$1"')}) AS "_q"`);
    }
    // A query (not a subscription) has no `subscription`.
    const asQuery = await engine.explain({ query: query.replace('subscription', 'query'), variables: { id: 1 } }) as ExplainJson;
    expect(asQuery.steps).toHaveLength(2);
    expect(asQuery.subscription).toBeUndefined();

    // Three cohorts: a whole poll sends exactly the explained statements.
    const subs = [1, 2, 3].map((id) => new Collected(engine.subscribe({ query, variables: { id } })));
    await Promise.all(subs.map((s) => s.waitFor(() => true)));
    const poll = await onePoll(engine);
    expect(poll.map((s) => [s.source, s.text]).sort()).toEqual(sub.statements.map((s) => [s.source, s.sql]).sort());
    await Promise.all(subs.map((s) => s.stop()));
  });
});
