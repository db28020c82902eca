/**
 * Issue 16, item 1: no input can cause an internal error. Documents, literal values and
 * variables are bounded in nesting, size and field count before anything recursive runs
 * (parser, validation, plan-cache key, lowering, SQL builder); each bound answers
 * `validation-failed` naming the limit. Real Postgres behind every case.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { comma, join, param, sql } from '../../compiler/sql/builder.js';
import { stableJson } from '../../runtime/plan-cache.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { useFixture } from '../helpers/lifecycle.js';

const SQL = `
CREATE TABLE item (id int PRIMARY KEY, parent_id int REFERENCES item(id), price numeric(10, 2) NOT NULL);
INSERT INTO item SELECT g, CASE WHEN g > 1 THEN g - 1 END, g * 1.5 FROM generate_series(1, 5) g;
`;

const metadata = (url: string): unknown => ({
  version: 3,
  sources: [{
    name: 'db', kind: 'postgres', configuration: { connection_info: { database_url: url } },
    tables: [{
      table: { schema: 'public', name: 'item' },
      object_relationships: [{ name: 'parent', using: { foreign_key_constraint_on: 'parent_id' } }],
      array_relationships: [{ name: 'children', using: { foreign_key_constraint_on: { table: 'item', column: 'parent_id' } } }],
    }],
  }],
});

interface Fixture { databases: TestDatabases; engine: Engine; wide: Engine }
const fixture = useFixture<Fixture>(async () => {
  const databases = await createDatabases({ db: { server: 'a', sql: SQL } });
  const engine = await createEngine({ metadata: metadata(databases.dbs.db!.url) });
  const wide = await createEngine({ metadata: metadata(databases.dbs.db!.url), limits: { maxFields: 25_000 } });
  return { databases, engine, wide };
}, async (f) => {
  await f.engine.close();
  await f.wide.close();
  await f.databases.drop();
});

const run = (query: string, variables?: Record<string, unknown>, engine = fixture().engine) =>
  engine.execute({ query, ...(variables ? { variables } : {}) });

function nested(levels: number, leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

describe('input bounds (issue 16)', () => {
  it('deeply nested variables, even unused ones, get validation-failed naming the limit', async () => {
    const r = await run('query { item(limit: 1) { id } }', { unused: nested(20_000, 1) });
    expect(r.errors).toEqual([{
      message: 'the nesting of the variables exceeds the limit of 64 (limits.maxVariableDepth); send fewer or flatter variables',
      extensions: { path: '$.variableValues', code: 'validation-failed' },
    }]);
    let list: unknown = 1;
    for (let i = 0; i < 20_000; i++) list = [list];
    const l = await run('query ($v: [numeric!]) { item(where: {price: {_in: $v}}) { id } }', { v: list });
    expect(l.errors?.[0]?.extensions.code).toBe('validation-failed');
    expect(l.errors?.[0]?.message).toContain('limits.maxVariableDepth');
    // within the bound, a nested variable is served as before
    const ok = await run('query ($v: [numeric!]) { item(where: {price: {_in: $v}}, order_by: {id: asc}) { id } }', { v: [1.5, 3], x: nested(50, 1) });
    expect(ok).toEqual({ data: { item: [{ id: 1 }, { id: 2 }] } });
  });

  it('the plan-cache key is iterative: any depth of value gives a key', () => {
    expect(stableJson(nested(100_000, [1, 'x']))).toMatch(/^\{"a":\{"a":/);
    expect(stableJson({ b: [1, { d: null, c: undefined }], a: 'x' })).toBe('{"a":"x","b":[1,{"d":null}]}');
  });

  it('a deeply nested _and literal is refused before the parser recurses', async () => {
    let where = '{id: {_eq: 1}}';
    for (let i = 0; i < 5000; i++) where = `{_and: ${where}}`;
    const r = await run(`{ item(where: ${where}) { id } }`);
    expect(r.errors).toEqual([{
      message: 'the nesting of {, [ and ( in the query exceeds the limit of 128 (limits.maxNesting); flatten the query (nested _and/_or can be one list)',
      extensions: { path: '$.query', code: 'validation-failed' },
    }]);
    // braces inside strings and comments do not count
    const text = await run(`{ item(where: {_not: {id: {_eq: 99}}}, limit: 1) { id } } # ${'{'.repeat(500)}`);
    expect(text.data).toEqual({ item: [{ id: 1 }] });
    const lit = await run(`{ item(where: {price: {_eq: "${'['.repeat(500)}"}}) { id } }`);
    expect(lit.errors?.[0]?.message ?? '').not.toContain('maxNesting');
    // 40 levels of _and are fine
    let shallow = '{id: {_eq: 2}}';
    for (let i = 0; i < 40; i++) shallow = `{_and: ${shallow}}`;
    expect(await run(`{ item(where: ${shallow}) { id } }`)).toEqual({ data: { item: [{ id: 2 }] } });
  });

  it('10,000 aliases: refused by maxFields; raised, the SQL builder answers without overflowing', async () => {
    const columns = Array.from({ length: 10_000 }, (_, i) => `a${i}: children { id }`).join(' ');
    const query = `{ item(where: {id: {_eq: 1}}) { ${columns} } }`;
    const r = await run(query);
    expect(r.errors).toEqual([{
      message: 'the number of fields in the query (each alias counted, fragments expanded) exceeds the limit of 2000 (limits.maxFields); split the request, or raise it with --max-fields / FARJOIN_MAX_FIELDS',
      extensions: { path: '$.query', code: 'validation-failed' },
    }]);
    const fewer = Array.from({ length: 3000 }, (_, i) => `a${i}: children { id }`).join(' ');
    const wide = await run(`{ item(where: {id: {_eq: 1}}) { ${fewer} } }`, undefined, fixture().wide);
    expect(wide.errors).toBeUndefined();
    const row = (wide.data!.item as Record<string, unknown>[])[0]!;
    expect(Object.keys(row)).toHaveLength(3000);
    expect(row.a0).toEqual([{ id: 2 }]);
    expect(row.a2999).toEqual([{ id: 2 }]);
    // the builder itself: a statement of a million parts (spreading them overflowed the stack)
    const big = join(Array.from({ length: 500_000 }, (_, i) => sql`${param(i)} + 1`), comma);
    expect(big.parts.length).toBeGreaterThan(1_000_000);
    expect(sql`SELECT ${big}`.parts.length).toBe(big.parts.length + 1);
  });

  it('fragments are counted expanded: exponential spreads, long chains and cycles are refused', async () => {
    const laughs = ['fragment F0 on item { id price }'];
    for (let i = 1; i <= 40; i++) laughs.push(`fragment F${i} on item { ...F${i - 1} ...F${i - 1} }`);
    const started = performance.now();
    const r = await run(`{ item { ...F40 } } ${laughs.join(' ')}`);
    expect(r.errors?.[0]?.message).toContain('limits.maxFields');
    expect(performance.now() - started).toBeLessThan(5000);

    const chain = ['fragment C0 on item { id }'];
    for (let i = 1; i <= 5000; i++) chain.push(`fragment C${i} on item { parent { ...C${i - 1} } }`);
    const c = await run(`{ item { ...C5000 } } ${chain.join(' ')}`);
    expect(c.errors?.[0]?.message).toContain('limits.maxNesting');

    const cycle = Array.from({ length: 5000 }, (_, i) => `fragment K${i} on item { parent { ...K${(i + 1) % 5000} } }`);
    const k = await run(`{ item { ...K0 } } ${cycle.join(' ')}`);
    expect(k.errors?.[0]?.extensions.code).toBe('validation-failed');
    // Hasura's words: the fragments from the cycle's start back to it.
    expect(k.errors?.[0]?.message).toBe(`cannot spread fragment "K0" within itself via ${[...Array.from({ length: 4999 }, (_, i) => `K${i + 1}`), 'K0'].join(',')}`);
  });

  it('many invalid values answer fast with a clear error, never internal', async () => {
    const values = Array.from({ length: 3000 }, (_, i) => (i % 2 ? '"2023-13-45"' : '"-Infinity"'));
    const started = performance.now();
    const lit = await run(`{ item(where: {_or: [${values.map((v) => `{price: {_eq: ${v}}}`).join(', ')}]}) { id } }`);
    const v = await run('query ($v: [numeric!]) { item(where: {price: {_in: $v}}) { id parent { price } } }', { v: values.map((s) => JSON.parse(s) as string) });
    expect(performance.now() - started).toBeLessThan(10_000);
    for (const r of [lit, v]) {
      expect(r.errors).toHaveLength(1);
      expect(r.errors![0]!.extensions.code).not.toBe('unexpected');
    }
  });
});
