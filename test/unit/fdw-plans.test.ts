/**
 * fdw pushdown plans (issue 4, DESIGN.md §5.2), compiled without a database from a catalog
 * that has postgres_fdw links: remote filters and ordering run in one statement on the
 * parent's source, keys travel as `= ANY(ARRAY(SELECT …))`, never a plain local⋈foreign
 * join; without links the planner says why and falls back (semi-join for filters, (key,
 * rank) pairs for ordering).
 */
import { readFileSync } from 'node:fs';
import { parse as parsePg } from 'pgsql-ast-parser';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../compiler/catalog/types.js';
import { createCompiler } from '../../compiler/index.js';
import { explainPlan } from '../../compiler/explain/json.js';
import type { StrategyRequest } from '../../compiler/plan/strategy.js';
import { packageFile } from '../../runtime/paths.js';
import { demoCatalog } from '../helpers/catalog.js';

const metadata = parseYaml(readFileSync(packageFile('fixtures', 'demo', 'metadata.yaml'), 'utf8')) as unknown;

function withLinks(): Catalog {
  const c = demoCatalog();
  const link = (target: string, schema: string, name: string) => ({
    target, server: `farjoin_${target}`, targetServerVersion: 170010, fetchSize: 10000,
    tables: [{ schema, name, localSchema: `farjoin_fdw_${target}`, localName: name }],
  });
  return {
    sources: {
      source_db: { ...c.sources.source_db!, fdwLinks: [link('target_db', 'public', 'user')] },
      target_db: { ...c.sources.target_db!, fdwLinks: [link('source_db', 'public', 'orders')] },
    },
  };
}

const linked = createCompiler(metadata, withLinks());
const unlinked = createCompiler(metadata, demoCatalog());

function explain(compiler: typeof linked, query: string, strategy: StrategyRequest = 'auto') {
  const r = compiler.explain({ query }, { strategy });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  for (const s of r.explain.steps) expect(() => parsePg(s.sql)).not.toThrow();
  return r.explain;
}

describe('fdw pushdown plans', () => {
  it('filters by a remote field in one statement on source_db (the issue 4 example)', () => {
    const e = explain(linked, '{ orders(where: {user: {name: {_eq: "Alice"}}}) { id } }');
    expect(e.steps.map((s) => [s.source, s.kind])).toEqual([['source_db', 'fetch']]);
    expect(e.remoteJoins).toEqual([expect.objectContaining({ path: 'orders.user', strategy: 'fdw', from: 'source_db', to: 'target_db', step: 1 })]);
    expect(e.steps[0]!.sql).toContain('coalesce("_0"."user_id" IN (SELECT "_2"."id" FROM "farjoin_fdw_target_db"."user" AS "_2" WHERE "_2"."name" = $1::"pg_catalog"."text"), false)');
  });

  it('orders by a remote field in one statement: keys once, hash-joined, never a correlated lookup', () => {
    const e = explain(linked, '{ orders(order_by: {user: {name: desc}}) { id user { name } } }');
    expect(e.steps.map((s) => [s.id, s.source, s.kind])).toEqual([[1, 'source_db', 'fetch'], [2, 'target_db', 'remote-join']]);
    expect(e.remoteJoins.map((j) => [j.path, j.strategy])).toEqual([['orders.user', 'two-phase'], ['orders.user', 'fdw']]);
    const sql = e.steps[0]!.sql;
    expect(sql).toContain('LEFT JOIN (SELECT DISTINCT ON ("_2"."id") "_2"."id" AS "k0", "_2"."name" AS "v" FROM "farjoin_fdw_target_db"."user" AS "_2" WHERE ("_2"."id" = ANY(ARRAY(SELECT DISTINCT "_4"."user_id" FROM "public"."orders" AS "_4" WHERE true))) ORDER BY "_2"."id") AS "_3" ON ("_3"."k0" = "_0"."user_id")');
    expect(sql).toContain('ORDER BY "_3"."v" DESC NULLS FIRST');
  });

  it('ships keys as an array over the foreign table with --strategy fdw on a plain remote join', () => {
    const e = explain(linked, '{ orders { id user { name } } }', 'fdw');
    expect(e.steps.map((s) => [s.source, s.kind])).toEqual([['source_db', 'fetch'], ['source_db', 'remote-join']]);
    expect(e.remoteJoins[0]).toMatchObject({ strategy: 'fdw', from: 'source_db', to: 'target_db' });
    expect(e.steps[1]!.sql).toContain('FROM "farjoin_fdw_target_db"."user" AS "_0" WHERE ("_0"."id" = ANY($1::"pg_catalog"."int4"[]))');
  });

  it('keeps two-phase for plain selections on auto, and says why', () => {
    const e = explain(linked, '{ orders { id user { name } } }');
    expect(e.remoteJoins[0]).toMatchObject({ strategy: 'two-phase' });
    expect(e.remoteJoins[0]!.reason).toContain('postgres_fdw link from source_db to target_db exists');
  });

  it('falls back to a semi-join without a link, for filters and for ordering ((key, rank) pairs)', () => {
    const e = explain(unlinked, '{ orders(where: {user: {name: {_eq: "Alice"}}}) { id } }');
    expect(e.remoteJoins[0]).toMatchObject({ strategy: 'semi-join' });
    expect(e.remoteJoins[0]!.reason).toContain('no postgres_fdw link from source_db to target_db');
    const o = explain(unlinked, '{ orders(order_by: {user: {name: asc}}) { id } }');
    expect(o.steps.map((s) => [s.id, s.source, s.kind, s.feeds, s.purpose])).toEqual([[1, 'source_db', 'fetch', undefined, undefined], [2, 'target_db', 'semi-join', 1, 'order']]);
    expect(o.remoteJoins[0]).toMatchObject({ path: 'orders.user', strategy: 'semi-join', reason: expect.stringContaining('no postgres_fdw link from source_db to target_db') });
    expect(o.steps[1]!.sql).toContain('dense_rank() OVER (ORDER BY "_1"."v")');
    expect(o.steps[0]!.sql).toMatch(/LEFT JOIN unnest\(\$1::"pg_catalog"\."int4"\[\], \$2::"pg_catalog"\."int8"\[\]\) AS "_(\d+)"\("k0", "r"\) ON \("_\1"\."k0" = "_0"\."user_id"\)/);
    expect(o.steps[0]!.sql).toMatch(/ORDER BY "_\d+"\."r" ASC NULLS LAST/);
  });

  it('pushes a remote filter nested in an fdw one: the inner keys as an init plan\'s array, shipped with the foreign scan', () => {
    const e = explain(linked, '{ user(where: {orders: {user: {name: {_eq: "Carol"}}}}) { name } }', 'fdw');
    expect(e.steps.map((s) => [s.source, s.kind])).toEqual([['target_db', 'fetch']]);
    expect(e.remoteJoins.map((j) => [j.path, j.strategy])).toEqual([['user.orders', 'fdw'], ['orders.user', 'fdw']]);
    // orders is read through its foreign table in target_db; user is target_db's own table.
    expect(e.steps[0]!.sql).toMatch(/"farjoin_fdw_source_db"\."orders" AS "_\d+" WHERE .*"_\d+"\."user_id" = ANY\(ARRAY\(SELECT "_\d+"\."id" FROM "public"\."user" AS "_\d+" WHERE \("_\d+"\."id" IS NOT NULL\) AND \("_\d+"\."name" = \$1::"pg_catalog"\."text"\)\)\)/);
  });

  it('runs a remote join whose rows filter and order by further remote relationships over fdw', () => {
    const e = explain(linked, '{ user { orders(where: {user: {name: {_neq: "Bob"}}}, order_by: {user: {name: asc}}) { id } } }', 'fdw');
    expect(e.steps.map((s) => [s.source, s.kind])).toEqual([['target_db', 'fetch'], ['target_db', 'remote-join']]);
    // The filter, the ordering, and the filter again where the ordering collects its keys.
    expect(e.remoteJoins.map((j) => [j.path, j.strategy])).toEqual([['user.orders', 'fdw'], ['orders.user', 'fdw'], ['orders.user', 'fdw'], ['orders.user', 'fdw']]);
    // The join reads orders through target_db's foreign table; user is local there.
    expect(e.steps[1]!.sql).toContain('"farjoin_fdw_source_db"."orders"');
    expect(e.steps[1]!.sql).toContain('LEFT JOIN (SELECT DISTINCT ON ("_');
    // Under two-phase the same ordering prefetches (key, rank) pairs for the remote join's statement.
    const twoPhase = explain(linked, '{ user { orders(order_by: {user: {name: asc}}) { id } } }', 'two-phase');
    expect(twoPhase.steps.map((s) => [s.id, s.source, s.kind, s.feeds ?? s.parent])).toEqual([[1, 'target_db', 'fetch', undefined], [2, 'source_db', 'remote-join', 1], [3, 'target_db', 'semi-join', 2]]);
    expect(twoPhase.remoteJoins.find((j) => j.step === 3)).toMatchObject({ strategy: 'semi-join', reason: expect.stringMatching(/^forced by the request \(two-phase\)/) });
  });

  it('runs a forced fdw join two-phase, saying why, when over foreign tables it would query once per key or per row', () => {
    // A per-parent limit needs a list per key: over a foreign table, one remote query per key.
    const limited = explain(linked, '{ user { orders(order_by: {id: desc}, limit: 1) { id } } }', 'fdw');
    expect(limited.steps.map((s) => [s.source, s.kind])).toEqual([['target_db', 'fetch'], ['source_db', 'remote-join']]);
    expect(limited.remoteJoins[0]).toMatchObject({ path: 'user.orders', strategy: 'two-phase' });
    expect(limited.remoteJoins[0]!.reason).toMatch(/^fdw was requested, but over foreign tables a list per parent \(limit\/offset\/distinct_on\) would query source_db once per key/);
    const aggregate = explain(linked, '{ user { orders_aggregate { aggregate { count } } } }', 'fdw');
    expect(aggregate.remoteJoins[0]).toMatchObject({ strategy: 'two-phase', reason: expect.stringContaining('an aggregate per parent would query source_db once per key') });
    // Without the shape, the same join runs over fdw with the keys as one array.
    expect(explain(linked, '{ user { orders(order_by: {id: desc}) { id } } }', 'fdw').remoteJoins[0]).toMatchObject({ strategy: 'fdw' });
  });

  it('honours a forced semi-join for filters even when fdw is available', () => {
    const e = explain(linked, '{ orders(where: {user: {name: {_eq: "Alice"}}}) { id } }', 'semi-join');
    expect(e.steps.map((s) => s.kind)).toEqual(['fetch', 'semi-join']);
  });
});
