/**
 * Remote joins beyond the demo (issue 2 §5): composite field mappings, remote joins under
 * local arrays and under by-pk lookups, remote under remote, aliases, fragments,
 * variables and directives inside remote fields, hostile identifiers, chunked keys.
 * Every query runs under auto, two-phase and fdw (all sources linked by postgres_fdw).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { executeEach, linkAllSources } from '../helpers/strategies.js';

const STORE = `
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers(id), region text, warehouse_code int);
CREATE TABLE order_lines (order_id int REFERENCES orders(id), line_no int, sku text, qty int, PRIMARY KEY (order_id, line_no));
INSERT INTO customers VALUES (1, 'Ann'), (2, 'Ben'), (3, 'Cy');
INSERT INTO orders VALUES (10, 1, 'eu', 1), (11, 1, 'us', 1), (12, 2, 'eu', 2), (13, 3, NULL, 1), (14, 3, 'eu', 9);
INSERT INTO order_lines VALUES (10, 1, 'A', 2), (10, 2, 'B', 1), (11, 1, 'A', 5), (12, 1, 'C', 1), (14, 1, 'ZZZ', 1);
`;

const STOCK = `
CREATE TABLE warehouses (region text, code int, name text NOT NULL, PRIMARY KEY (region, code));
CREATE TABLE products (sku text PRIMARY KEY, title text NOT NULL, maker_id int);
CREATE TABLE "Odd ""Table""" ("select" int PRIMARY KEY, "we""ird" text);
INSERT INTO warehouses VALUES ('eu', 1, 'Dublin'), ('us', 1, 'Ohio'), ('eu', 2, 'Berlin'), ('us', 2, 'Texas');
INSERT INTO products VALUES ('A', 'Apple', 1), ('B', 'Banana', 2), ('C', 'Cherry', 1);
INSERT INTO "Odd ""Table""" VALUES (1, 'x"y'), (2, 'it''s');
`;

const MAKERS = `
CREATE TABLE makers (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO makers VALUES (1, 'Orchard Co'), (2, 'Tropic Ltd');
`;

let databases: TestDatabases;
let engine: Engine;

beforeAll(async () => {
  databases = await createDatabases({
    store: { server: 'a', sql: STORE },
    stock: { server: 'b', sql: STOCK },
    makers: { server: 'a', sql: MAKERS },
  });
  const { store, stock, makers } = databases.dbs;
  const metadata = {
    version: 3,
    sources: [
      {
        name: 'store', kind: 'postgres',
        configuration: { connection_info: { database_url: store!.url } },
        tables: [
          { table: { schema: 'public', name: 'customers' },
            array_relationships: [{ name: 'orders', using: { foreign_key_constraint_on: { table: { schema: 'public', name: 'orders' }, column: 'customer_id' } } }] },
          { table: { schema: 'public', name: 'orders' },
            object_relationships: [{ name: 'customer', using: { foreign_key_constraint_on: 'customer_id' } }],
            array_relationships: [{ name: 'lines', using: { manual_configuration: { remote_table: { schema: 'public', name: 'order_lines' }, column_mapping: { id: 'order_id' } } } }],
            remote_relationships: [{ name: 'warehouse', definition: { to_source: {
              relationship_type: 'object', source: 'stock', table: { schema: 'public', name: 'warehouses' },
              field_mapping: { region: 'region', warehouse_code: 'code' } } } }] },
          { table: { schema: 'public', name: 'order_lines' },
            remote_relationships: [{ name: 'product', definition: { to_source: {
              relationship_type: 'object', source: 'stock', table: { schema: 'public', name: 'products' }, field_mapping: { sku: 'sku' } } } }] },
        ],
      },
      {
        name: 'stock', kind: 'postgres',
        configuration: { connection_info: { database_url: stock!.url } },
        tables: [
          { table: { schema: 'public', name: 'warehouses' } },
          { table: { schema: 'public', name: 'products' },
            remote_relationships: [{ name: 'maker', definition: { to_source: {
              relationship_type: 'object', source: 'makers', table: { schema: 'public', name: 'makers' }, field_mapping: { maker_id: 'id' } } } }] },
          { table: { schema: 'public', name: 'Odd "Table"' },
            configuration: { custom_name: 'odd', column_config: { 'we"ird': { custom_name: 'weird' } } } },
        ],
      },
      {
        name: 'makers', kind: 'postgres',
        configuration: { connection_info: { database_url: makers!.url } },
        tables: [{ table: { schema: 'public', name: 'makers' } }],
      },
    ],
  };
  await linkAllSources(metadata);
  engine = await createEngine({ limits: { maxKeysPerStatement: 2 }, metadata });
});

afterAll(async () => {
  await engine?.close();
  await databases?.drop();
});

/** The data, the same under every strategy (auto, two-phase, fdw). */
const run = async (query: string, variables?: Record<string, unknown>) => (await executeEach(engine, { query, variables: variables ?? null })).same();

describe('composite field mapping (two columns)', () => {
  it('joins on (region, code) and yields null for a null key part or a missing target', async () => {
    expect(await run('{ orders(order_by: {id: asc}) { id warehouse { name } } }')).toEqual({
      orders: [
        { id: 10, warehouse: { name: 'Dublin' } },
        { id: 11, warehouse: { name: 'Ohio' } },
        { id: 12, warehouse: { name: 'Berlin' } },
        { id: 13, warehouse: null }, // region is NULL: no key sent
        { id: 14, warehouse: null }, // ('eu', 9) does not exist
      ],
    });
  });

  it('ships composite keys as unnest arrays', async () => {
    const e = await engine.explain({ query: '{ orders { warehouse { name } } }' });
    if ('errors' in e) throw new Error(JSON.stringify(e.errors));
    expect(e.steps[1]!.sql).toContain('IN (SELECT * FROM unnest($1::"pg_catalog"."text"[], $2::"pg_catalog"."int4"[]))');
  });
});

describe('remote joins inside local relationships', () => {
  it('collects keys from every local array row (customers → orders → lines → product)', async () => {
    expect(await run(`{ customers(order_by: {id: asc}) { name orders(order_by: {id: asc}) { id lines(order_by: {line_no: asc}) { sku product { title } } } } }`)).toEqual({
      customers: [
        { name: 'Ann', orders: [
          { id: 10, lines: [{ sku: 'A', product: { title: 'Apple' } }, { sku: 'B', product: { title: 'Banana' } }] },
          { id: 11, lines: [{ sku: 'A', product: { title: 'Apple' } }] },
        ] },
        { name: 'Ben', orders: [{ id: 12, lines: [{ sku: 'C', product: { title: 'Cherry' } }] }] },
        { name: 'Cy', orders: [{ id: 13, lines: [] }, { id: 14, lines: [{ sku: 'ZZZ', product: null }] }] },
      ],
    });
  });

  it('joins under an object relationship and under a by-pk root field', async () => {
    expect(await run('{ orders_by_pk(id: 12) { id customer { name } warehouse { name } } }')).toEqual({
      orders_by_pk: { id: 12, customer: { name: 'Ben' }, warehouse: { name: 'Berlin' } },
    });
    expect(await run('{ orders_by_pk(id: 999) { id warehouse { name } } }')).toEqual({ orders_by_pk: null });
  });

  it('chains remote under remote across three databases (lines → product → maker)', async () => {
    expect(await run('{ order_lines(order_by: [{order_id: asc}, {line_no: asc}]) { sku product { title maker { name } } } }')).toEqual({
      order_lines: [
        { sku: 'A', product: { title: 'Apple', maker: { name: 'Orchard Co' } } },
        { sku: 'B', product: { title: 'Banana', maker: { name: 'Tropic Ltd' } } },
        { sku: 'A', product: { title: 'Apple', maker: { name: 'Orchard Co' } } },
        { sku: 'C', product: { title: 'Cherry', maker: { name: 'Orchard Co' } } },
        { sku: 'ZZZ', product: null },
      ],
    });
  });
});

describe('GraphQL features inside remote fields', () => {
  it('supports the same remote field twice under two aliases, with fragments and __typename', async () => {
    const data = await run(`
      fragment W on warehouses { name __typename }
      { orders(where: {id: {_eq: 10}}) { a: warehouse { ...W } b: warehouse { region code } } }`);
    expect(data).toEqual({ orders: [{ a: { name: 'Dublin', __typename: 'warehouses' }, b: { region: 'eu', code: 1 } }] });
  });

  it('honours variables and @skip/@include inside remote fields', async () => {
    const q = `query Q($id: Int!, $withName: Boolean!, $skipRegion: Boolean!) {
      orders(where: {id: {_eq: $id}}) { warehouse { name @include(if: $withName) region @skip(if: $skipRegion) } } }`;
    expect(await run(q, { id: 11, withName: true, skipRegion: true })).toEqual({ orders: [{ warehouse: { name: 'Ohio' } }] });
    expect(await run(q, { id: 11, withName: false, skipRegion: false })).toEqual({ orders: [{ warehouse: { region: 'us' } }] });
  });

  it('supports inline fragments on the remote type', async () => {
    expect(await run('{ orders(where: {id: {_eq: 12}}) { warehouse { ... on warehouses { name } } } }')).toEqual({ orders: [{ warehouse: { name: 'Berlin' } }] });
  });
});

describe('identifiers and chunking', () => {
  it('quotes hostile table and column names everywhere', async () => {
    expect(await run('{ odd(order_by: {select: asc}) { select weird } }')).toEqual({ odd: [{ select: 1, weird: 'x"y' }, { select: 2, weird: "it's" }] });
    expect(await run(`{ odd(where: {weird: {_eq: "it's"}}) { select } }`)).toEqual({ odd: [{ select: 2 }] });
  });

  it('splits keys into several statements above maxKeysPerStatement, with the same answer', async () => {
    const e = await engine.explain({ query: '{ orders { id warehouse { name } } }' }, { analyze: true });
    if ('errors' in e) throw new Error(JSON.stringify(e.errors));
    const join = e.steps.find((s) => s.kind === 'remote-join');
    // keys: (eu,1) (us,1) (eu,2) (eu,9) → 4 keys, 2 per statement
    expect(join?.analyze).toMatchObject({ keys: 4, statements: 2, rows: 3 });
  });
});
