/**
 * Join keys of different but comparable types (compiler/plan/key-form.ts): values that are
 * equal in Postgres meet in the hash join, digits are never lost, and keys that cannot
 * exist in the target type match nothing instead of failing the statement — under every
 * strategy (the two databases are linked by postgres_fdw).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { expectEachStrategy, linkAllSources } from '../helpers/strategies.js';

const LEFT = `
CREATE TABLE ref (id int PRIMARY KEY, as_numeric numeric, as_bigint int8, as_int int4);
INSERT INTO ref VALUES (1, 1, 1, 1), (2, 1.50, 9007199254740993, 2), (3, 2.00, 3000000000, 3), (4, 3.7, -1, NULL), (5, 99999999999, 2, 9);
`;
const RIGHT = `
CREATE TABLE small (id int4 PRIMARY KEY, label text);
CREATE TABLE exact (id numeric PRIMARY KEY, label text);
CREATE TABLE huge (id int8 PRIMARY KEY, label text);
INSERT INTO small VALUES (1, 's1'), (2, 's2'), (3, 's3'), (-1, 's-1');
INSERT INTO exact VALUES (1.0, 'e1'), (2, 'e2'), (3.00, 'e3');
INSERT INTO huge VALUES (9007199254740993, 'h-big'), (9007199254740992, 'h-neighbour'), (2, 'h2');
`;

let databases: TestDatabases;
let engine: Engine;
beforeAll(async () => {
  databases = await createDatabases({ left: { server: 'a', sql: LEFT }, right: { server: 'b', sql: RIGHT } });
  const rel = (name: string, table: string, from: string) =>
    ({ name, definition: { to_source: { relationship_type: 'object', source: 'right', table: { schema: 'public', name: table }, field_mapping: { [from]: 'id' } } } });
  const metadata = {
    version: 3,
    sources: [
      { name: 'left', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.left!.url } }, tables: [
        { table: { schema: 'public', name: 'ref' }, remote_relationships: [
          rel('numeric_to_int', 'small', 'as_numeric'), rel('bigint_to_int', 'small', 'as_bigint'),
          rel('int_to_numeric', 'exact', 'as_int'), rel('bigint_to_bigint', 'huge', 'as_bigint'),
        ] },
      ] },
      { name: 'right', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.right!.url } }, tables: [
        { table: { schema: 'public', name: 'small' } }, { table: { schema: 'public', name: 'exact' } }, { table: { schema: 'public', name: 'huge' } },
      ] },
    ],
  };
  await linkAllSources(metadata);
  engine = await createEngine({ metadata });
});
afterAll(async () => {
  await engine?.close();
  await databases?.drop();
});

describe('join keys across types', () => {
  it('matches numeric parents with int targets by value; fractions and out-of-range keys match nothing', async () => {
    await expectEachStrategy(engine, { query: '{ ref(order_by: {id: asc}) { id numeric_to_int { label } bigint_to_int { label } } }' }, { ref: [
      { id: 1, numeric_to_int: { label: 's1' }, bigint_to_int: { label: 's1' } },
      { id: 2, numeric_to_int: null, bigint_to_int: null }, // 1.50; 9007199254740993 exceeds int4
      { id: 3, numeric_to_int: { label: 's2' }, bigint_to_int: null }, // 2.00 = 2; 3000000000 exceeds int4
      { id: 4, numeric_to_int: null, bigint_to_int: { label: 's-1' } }, // 3.7
      { id: 5, numeric_to_int: null, bigint_to_int: { label: 's2' } }, // 99999999999 exceeds int4
    ] });
  });

  it('matches int parents with numeric targets whatever the scale (1 = 1.0 = 1.00)', async () => {
    await expectEachStrategy(engine, { query: '{ ref(order_by: {id: asc}) { id int_to_numeric { label } } }' }, { ref: [
      { id: 1, int_to_numeric: { label: 'e1' } }, { id: 2, int_to_numeric: { label: 'e2' } },
      { id: 3, int_to_numeric: { label: 'e3' } }, { id: 4, int_to_numeric: null }, { id: 5, int_to_numeric: null },
    ] });
  });

  it('keeps every digit of bigint keys above 2^53', async () => {
    await expectEachStrategy(engine, { query: '{ ref(where: {id: {_in: [2, 5]}}, order_by: {id: asc}) { id bigint_to_bigint { label } } }' }, { ref: [{ id: 2, bigint_to_bigint: { label: 'h-big' } }, { id: 5, bigint_to_bigint: { label: 'h2' } }] });
  });
});
