/**
 * Object relationships along foreign keys, as Hasura types and resolves them (issue 11,
 * found with tests-py graphql_introspection/nullable_object_relationship): a relationship
 * along this table's own foreign key columns is non-null (`warehouse!`) when every column
 * is NOT NULL, nullable otherwise and whenever the constraint is on the other table; and
 * `foreign_key_constraint_on` may list the columns of a composite key (`[a, b]`).
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { useFixture } from '../helpers/lifecycle.js';

const SQL = `
CREATE TABLE warehouse (id int PRIMARY KEY, city text NOT NULL);
CREATE TABLE courier (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE parcel (id int PRIMARY KEY, code text NOT NULL, batch int, warehouse_id int NOT NULL REFERENCES warehouse(id),
                     courier_id int REFERENCES courier(id), UNIQUE (code, batch));
CREATE TABLE manifest (id int PRIMARY KEY, parcel_id int NOT NULL UNIQUE REFERENCES parcel(id));
CREATE TABLE label (id int PRIMARY KEY, parcel_code text NOT NULL, parcel_batch int, FOREIGN KEY (parcel_code, parcel_batch) REFERENCES parcel (code, batch));
INSERT INTO warehouse VALUES (1, 'Leeds'), (2, 'Hull');
INSERT INTO courier VALUES (7, 'Quick');
INSERT INTO parcel VALUES (10, 'A', 1, 1, 7), (11, 'A', 2, 2, NULL), (12, 'B', NULL, 1, NULL);
INSERT INTO manifest VALUES (100, 10);
INSERT INTO label VALUES (1000, 'A', 2), (1001, 'B', NULL), (1002, 'A', 1);
`;

const t = (name: string) => ({ schema: 'public', name });

const fixture = useFixture<{ databases: TestDatabases; engine: Engine }>(async () => {
  const databases = await createDatabases({ depot: { server: 'a', sql: SQL } });
  const engine = await createEngine({ metadata: { version: 3, sources: [{ name: 'depot', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.depot!.url } }, tables: [
    { table: t('warehouse') },
    { table: t('courier') },
    { table: t('parcel'), object_relationships: [
      { name: 'warehouse', using: { foreign_key_constraint_on: 'warehouse_id' } },
      { name: 'courier', using: { foreign_key_constraint_on: 'courier_id' } },
      { name: 'manifest', using: { foreign_key_constraint_on: { table: t('manifest'), columns: ['parcel_id'] } } },
    ] },
    { table: t('manifest') },
    { table: t('label'), object_relationships: [{ name: 'parcel', using: { foreign_key_constraint_on: ['parcel_code', 'parcel_batch'] } }] },
  ] }] } });
  return { databases, engine };
}, async ({ databases, engine }) => {
  await engine.close();
  await databases.drop();
});

async function data(query: string) {
  const r = await fixture().engine.execute({ query });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data as Record<string, unknown>;
}

describe('object relationships along foreign keys', () => {
  it('are non-null exactly when this table\'s own key columns are all NOT NULL', async () => {
    const d = await data('{ parcel: __type(name: "parcel") { fields { name type { kind } } } label: __type(name: "label") { fields { name type { kind } } } }');
    const kinds = (type: string) => Object.fromEntries((d[type] as { fields: { name: string; type: { kind: string } }[] }).fields.map((f) => [f.name, f.type.kind]));
    expect(kinds('parcel')).toMatchObject({ warehouse: 'NON_NULL', courier: 'OBJECT', manifest: 'OBJECT' });
    expect(kinds('label')).toMatchObject({ parcel: 'OBJECT' });
    expect(fixture().engine.inconsistencies()).toEqual([]);
  });

  it('follow a composite foreign key named by its column list', async () => {
    const d = await data('{ label(order_by: {id: asc}) { id parcel { id warehouse { city } } } }');
    const rows = await fixture().databases.dbs.depot!.query(`SELECT l.id, p.id AS parcel, w.city FROM label l
      LEFT JOIN parcel p ON p.code = l.parcel_code AND p.batch = l.parcel_batch LEFT JOIN warehouse w ON w.id = p.warehouse_id ORDER BY l.id`);
    expect(d.label).toEqual(rows.map((r) => ({ id: r.id, parcel: r.parcel === null ? null : { id: r.parcel, warehouse: { city: r.city } } })));
    expect(d.label).toContainEqual({ id: 1001, parcel: null }); // a null key part matches no row
  });
});
