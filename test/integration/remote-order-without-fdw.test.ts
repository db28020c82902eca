/**
 * Ordering by remote fields without postgres_fdw (issue 11 item 9): (key, rank) pairs are
 * fetched from the target under the role's permission and shipped as arrays into the
 * parent's statement. Checked against plain SQL on the same data: an engine started before
 * any fdw link exists (every ordering a prefetch), and one started after linking, under
 * every strategy (auto lets the cost model choose; fdw only makes it faster). The ranks
 * come from the target's own comparison, so an enum orders by its declared order. More
 * pairs than the cap is refused with the fix.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { useFixture } from '../helpers/lifecycle.js';
import { executeEach, linkAllSources } from '../helpers/strategies.js';

const SHOP = `
CREATE TABLE customer (id int PRIMARY KEY, name text NOT NULL, region_id int);
CREATE TABLE "order" (id int PRIMARY KEY, customer_id int REFERENCES customer(id), total int NOT NULL);
CREATE TABLE bucket (id int PRIMARY KEY);
INSERT INTO customer VALUES (1, 'Ann', 10), (2, 'Bob', 20), (3, 'Cyd', 30), (4, 'Dan', NULL), (5, 'Eve', 99), (6, 'Fay', 40);
INSERT INTO "order" VALUES (1, 1, 5), (2, 1, 7), (3, 2, 1), (4, 3, 9), (5, 4, 2), (6, 6, 4);
INSERT INTO bucket SELECT generate_series(1, 3);
`;
const GEO = `
CREATE TYPE tier AS ENUM ('gold', 'silver', 'bronze');
CREATE TABLE region (id int PRIMARY KEY, name text, hidden boolean NOT NULL);
CREATE TABLE level (id int PRIMARY KEY, tier tier NOT NULL, hidden boolean NOT NULL);
CREATE TABLE visit (id int PRIMARY KEY, customer_id int, minutes int);
CREATE TABLE big (id int PRIMARY KEY);
INSERT INTO region VALUES (10, 'north', false), (20, 'South', false), (30, NULL, false), (40, 'east', true);
INSERT INTO level VALUES (10, 'bronze', false), (20, 'gold', false), (30, 'silver', false), (40, 'gold', true);
INSERT INTO visit VALUES (1, 1, 30), (2, 1, 10), (3, 2, NULL), (4, 3, 5), (5, 3, 50), (6, 3, 1), (7, 5, 20), (8, NULL, 99);
INSERT INTO big SELECT generate_series(1, 100001);
`;

function metadata(databases: TestDatabases) {
  const perm = (filter: Record<string, unknown> = {}) => [{ role: 'viewer', permission: { columns: '*', filter, allow_aggregations: true } }];
  return {
    version: 3,
    sources: [
      { name: 'shop', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.shop!.url } }, tables: [
        { table: { schema: 'public', name: 'customer' }, select_permissions: perm(),
          array_relationships: [{ name: 'orders', using: { foreign_key_constraint_on: { table: { schema: 'public', name: 'order' }, column: 'customer_id' } } }],
          remote_relationships: [
            { name: 'region', definition: { to_source: { relationship_type: 'object', source: 'geo', table: { schema: 'public', name: 'region' }, field_mapping: { region_id: 'id' } } } },
            { name: 'level', definition: { to_source: { relationship_type: 'object', source: 'geo', table: { schema: 'public', name: 'level' }, field_mapping: { region_id: 'id' } } } },
            { name: 'visits', definition: { to_source: { relationship_type: 'array', source: 'geo', table: { schema: 'public', name: 'visit' }, field_mapping: { id: 'customer_id' } } } },
          ] },
        { table: { schema: 'public', name: 'order' }, select_permissions: perm(), object_relationships: [{ name: 'customer', using: { foreign_key_constraint_on: 'customer_id' } }] },
        { table: { schema: 'public', name: 'bucket' }, select_permissions: perm(),
          remote_relationships: [{ name: 'big', definition: { to_source: { relationship_type: 'object', source: 'geo', table: { schema: 'public', name: 'big' }, field_mapping: { id: 'id' } } } }] },
      ] },
      { name: 'geo', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.geo!.url } }, tables: [
        // The viewer may not see hidden regions: customers there order as if they had none.
        { table: { schema: 'public', name: 'region' }, select_permissions: perm({ hidden: { _eq: false } }) },
        // An enum: postgres_fdw cannot import it (its type exists only here), so only the prefetch can order by it.
        { table: { schema: 'public', name: 'level' }, select_permissions: perm({ hidden: { _eq: false } }) },
        { table: { schema: 'public', name: 'visit' }, select_permissions: perm({ minutes: { _lt: 60 } }) },
        { table: { schema: 'public', name: 'big' }, select_permissions: perm() },
      ] },
    ],
  };
}

interface Fixture { databases: TestDatabases; unlinked: Engine; linked: Engine }

const fixture = useFixture<Fixture>(async () => {
  const databases = await createDatabases({ shop: { server: 'a', sql: SHOP }, geo: { server: 'b', sql: GEO } });
  const md = metadata(databases);
  const unlinked = await createEngine({ metadata: md });
  await linkAllSources(md);
  const linked = await createEngine({ metadata: md });
  return { databases, unlinked, linked };
}, async ({ databases, unlinked, linked }) => {
  await unlinked.close();
  await linked.close();
  await databases.drop();
});

const viewer = { 'x-hasura-role': 'viewer' };
const shop = (text: string) => fixture().databases.dbs.shop!.query(text);
const geo = (text: string) => fixture().databases.dbs.geo!.query(text);

/**
 * The same data from the unlinked engine (prefetch only) and from the linked one under every
 * strategy (`fdw: false`: a target fdw cannot read, so not under the fdw strategy).
 */
async function ordered(query: string, headers: Record<string, string> = {}, options: { fdw?: boolean } = {}): Promise<unknown> {
  const { unlinked, linked } = fixture();
  const without = await unlinked.execute({ query, headers });
  expect(without.errors, JSON.stringify(without.errors)).toBeUndefined();
  if (options.fdw === false) {
    for (const strategy of ['auto', 'two-phase', 'semi-join'] as const) expect(await linked.execute({ query, headers, strategy }), strategy).toEqual(without);
    return without.data;
  }
  const each = await executeEach(linked, { query, headers }, { remoteOrder: true });
  expect(each.strategies).toEqual(['auto', 'two-phase', 'fdw', 'semi-join']);
  expect(each.same()).toEqual(without.data);
  return without.data;
}

/** Customers with their region row as the viewer may see it. */
async function customersWithRegion(viewerOnly: boolean) {
  const hidden = viewerOnly ? ' WHERE NOT hidden' : '';
  const regions = await geo(`SELECT id, name FROM region${hidden}`);
  const levels = await geo(`SELECT id, array_position(enum_range(NULL::tier), tier) AS tier_pos FROM level${hidden}`);
  return (await shop('SELECT id, region_id FROM customer')).map((c) => ({
    id: c.id as number, region: regions.find((r) => r.id === c.region_id), level: levels.find((l) => l.id === c.region_id),
  }));
}

/** Sorts like SQL: nulls first or last, then by id. */
function sortBy<T extends { readonly [k: string]: unknown }>(rows: T[], value: (r: T) => string | number | null | undefined, dir: 'asc' | 'desc', nulls: 'first' | 'last'): number[] {
  return [...rows].sort((a, b) => {
    const va = value(a) ?? null;
    const vb = value(b) ?? null;
    if (va === null || vb === null) {
      if (va === vb) return (a.id as number) - (b.id as number);
      return (va === null) === (nulls === 'first') ? -1 : 1;
    }
    const c = va < vb ? -1 : va > vb ? 1 : 0;
    return c !== 0 ? (dir === 'asc' ? c : -c) : (a.id as number) - (b.id as number);
  }).map((r) => r.id as number);
}

describe('ordering by a remote object field', () => {
  it('by a text column, both directions, nulls where asked, null keys and missing targets as null (as admin)', async () => {
    const rows = await customersWithRegion(false);
    // The target's comparison decides (here its collation): ask the target database for the name order.
    const names = (await geo('SELECT name FROM region WHERE name IS NOT NULL ORDER BY name')).map((r) => r.name as string);
    const rank = (r: (typeof rows)[number]) => (r.region?.name == null ? null : names.indexOf(r.region.name as string));
    for (const [dir, nulls, arg] of [['asc', 'last', 'asc'], ['desc', 'first', 'desc'], ['asc', 'first', 'asc_nulls_first'], ['desc', 'last', 'desc_nulls_last']] as const) {
      const data = await ordered(`{ customer(order_by: [{region: {name: ${arg}}}, {id: asc}]) { id } }`) as { customer: { id: number }[] };
      expect(data.customer.map((c) => c.id), arg).toEqual(sortBy(rows, rank, dir, nulls));
    }
  });

  it('by an enum in its declared order (the target ranks it), under the role\'s permission', async () => {
    const rows = await customersWithRegion(true);
    const data = await ordered('{ customer(order_by: [{level: {tier: asc}}, {id: asc}]) { id } }', viewer, { fdw: false }) as { customer: { id: number }[] };
    expect(data.customer.map((c) => c.id)).toEqual(sortBy(rows, (r) => (r.level ? r.level.tier_pos as number : null), 'asc', 'last'));
    // Customer 6's region is hidden from the viewer: it orders as null, after every tier.
    expect(data.customer.map((c) => c.id).slice(-3)).toEqual([4, 5, 6]);
  });
});

describe('ordering by a remote aggregate', () => {
  async function visits(viewerOnly: boolean) {
    return geo(`SELECT customer_id, count(*)::int AS n, max(minutes) AS mx, sum(minutes)::int AS s FROM visit WHERE customer_id IS NOT NULL${viewerOnly ? ' AND minutes < 60' : ''} GROUP BY customer_id`);
  }

  it('count (no rows count 0), max and sum, with a limit, as admin and as the viewer', async () => {
    for (const [headers, only] of [[{}, false], [viewer, true]] as const) {
      const v = await visits(only);
      const customers = await shop('SELECT id FROM customer');
      const of = (id: unknown) => v.find((x) => x.customer_id === id);
      const data = await ordered(`{
        by_count: customer(order_by: [{visits_aggregate: {count: desc}}, {id: asc}], limit: 4) { id }
        by_max: customer(order_by: [{visits_aggregate: {max: {minutes: asc_nulls_first}}}, {id: asc}]) { id }
        by_sum: customer(order_by: [{visits_aggregate: {sum: {minutes: desc}}}, {id: asc}]) { id }
      }`, headers) as Record<string, { id: number }[]>;
      expect(data.by_count!.map((c) => c.id)).toEqual(sortBy(customers, (c) => of(c.id)?.n ?? 0, 'desc', 'first').slice(0, 4));
      expect(data.by_max!.map((c) => c.id)).toEqual(sortBy(customers, (c) => of(c.id)?.mx as number | null, 'asc', 'first'));
      expect(data.by_sum!.map((c) => c.id)).toEqual(sortBy(customers, (c) => of(c.id)?.s as number | null, 'desc', 'first'));
    }
  });

  it('in an aggregate\'s order_by: the page is chosen by the remote order, then aggregated', async () => {
    const rows = await customersWithRegion(false);
    const names = (await geo('SELECT name FROM region WHERE name IS NOT NULL ORDER BY name')).map((r) => r.name as string);
    const rank = (r: (typeof rows)[number]) => (r.region?.name == null ? null : names.indexOf(r.region.name as string));
    const page = sortBy(rows, rank, 'desc', 'last').slice(0, 3);
    const data = await ordered('{ customer_aggregate(order_by: [{region: {name: desc_nulls_last}}, {id: asc}], limit: 3) { aggregate { count max { id } } nodes { id } } }');
    expect(data).toEqual({ customer_aggregate: { aggregate: { count: 3, max: { id: Math.max(...page) } }, nodes: page.map((id) => ({ id })) } });
  });
});

describe('plans and limits', () => {
  it('without a link: one prefetch statement on the target, explained', async () => {
    const e = await fixture().unlinked.explain({ query: '{ customer(order_by: {region: {name: asc}}) { id } }' }, { analyze: true });
    if ('errors' in e) throw new Error(JSON.stringify(e.errors));
    expect(e.steps.map((s) => [s.source, s.kind, s.purpose])).toEqual([['shop', 'fetch', undefined], ['geo', 'semi-join', 'order']]);
    expect(e.steps[1]!.analyze).toMatchObject({ statements: 1, rows: 4 });
    expect(e.remoteJoins[0]).toMatchObject({ path: 'customer.region', strategy: 'semi-join', reason: expect.stringContaining('(key, rank) pairs') });
  });

  it('with a link, the cost model chooses and says so', async () => {
    const e = await fixture().linked.explain({ query: '{ customer(order_by: {region: {name: asc}}) { id } }' });
    if ('errors' in e) throw new Error(JSON.stringify(e.errors));
    expect(e.remoteJoins[0]!.reason).toMatch(/cost ≈ prefetch [\d.]+ ms, fdw [\d.]+ ms/);
  });

  it('more pairs than the cap is refused with the fix, never truncated', async () => {
    const r = await fixture().unlinked.execute({ query: '{ bucket(order_by: {big: {id: desc}}) { id } }' });
    expect(r.data).toEqual({ bucket: null });
    expect(r.errors?.[0]?.extensions.code).toBe('not-supported');
    expect(r.errors?.[0]?.message).toBe('ordering by remote relationship bucket.big needs 100001 (key, value) pairs from geo, more than the limit of 100000; narrow the target\'s rows (its permission filter), or run `farjoin fdw setup --from shop --to geo` so the ordering runs as one pushdown statement');
    // With the link, auto runs it over fdw.
    const linked = await fixture().linked.execute({ query: '{ bucket(order_by: {big: {id: desc}}) { id } }' });
    expect(linked).toEqual({ data: { bucket: [{ id: 3 }, { id: 2 }, { id: 1 }] } });
  });
});
