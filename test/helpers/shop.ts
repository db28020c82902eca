/**
 * The three-database shop used by the permission tests (issue 5): `shop` (customer,
 * order) and `crm` (note) on server a, `billing` (payment) on server b, with remote
 * relationships between them and roles customer, analyst, support and bigspender. The
 * three are linked with each other by postgres_fdw, so queries run under every strategy
 * (helpers/strategies.ts).
 */
import { createEngine, type Engine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from './databases.js';
import { useFixture } from './lifecycle.js';
import { linkAllSources } from './strategies.js';

export const SHOP = `
CREATE TABLE customer (id int PRIMARY KEY, name text NOT NULL, email text, tenant int NOT NULL);
CREATE TABLE "order" (id int PRIMARY KEY, customer_id int REFERENCES customer(id), total numeric(8,2), tenant int NOT NULL, secret_note text);
INSERT INTO customer VALUES (1, 'Ann', 'ann@x', 10), (2, 'Bob', 'bob@x', 10), (3, 'Cyd', 'cyd@y', 20);
INSERT INTO "order" VALUES (100, 1, 10.00, 10, 's100'), (101, 1, 25.50, 10, 's101'), (102, 2, 7.00, 10, 's102'), (103, 3, 99.00, 20, 's103'), (104, 1, 1.00, 10, 's104');
`;
const BILLING = `
CREATE TABLE payment (id int PRIMARY KEY, order_id int, amount numeric(8,2), tenant int NOT NULL, card_last4 text);
INSERT INTO payment VALUES (1, 100, 10.00, 10, '1111'), (2, 101, 20.00, 10, '2222'), (3, 101, 5.50, 99, '3333'), (4, 103, 99.00, 20, '4444'), (5, 102, 7.00, 10, '5555');
`;
const CRM = `
CREATE TABLE note (id int PRIMARY KEY, customer_id int, body text NOT NULL);
INSERT INTO note VALUES (1, 1, 'vip'), (2, 3, 'churn risk');
`;


export const CUSTOMER_ROLE = {
  customer: { columns: ['id', 'name'], filter: { id: { _eq: 'X-Hasura-User-Id' } } },
  order: { columns: ['id', 'customer_id', 'total'], filter: { customer_id: { _eq: 'X-Hasura-User-Id' } }, limit: 2 },
  payment: { columns: ['id', 'order_id', 'amount'], filter: { tenant: { _eq: 'X-Hasura-Tenant-Id' } } },
};

export async function startShop(): Promise<{ databases: TestDatabases; engine: Engine }> {
  const databases = await createDatabases({ shop: { server: 'a', sql: SHOP }, billing: { server: 'b', sql: BILLING }, crm: { server: 'a', sql: CRM } });
  const perms = (table: keyof typeof CUSTOMER_ROLE, extra: Record<string, unknown>[] = []) => [
    { role: 'customer', permission: CUSTOMER_ROLE[table] },
    ...extra,
  ];
  const metadata = {
    version: 3,
    sources: [
      { name: 'shop', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.shop!.url } }, tables: [
        { table: { schema: 'public', name: 'customer' },
          array_relationships: [{ name: 'orders', using: { foreign_key_constraint_on: { table: { schema: 'public', name: 'order' }, column: 'customer_id' } } }],
          remote_relationships: [{ name: 'notes', definition: { to_source: { relationship_type: 'array', source: 'crm', table: { schema: 'public', name: 'note' }, field_mapping: { id: 'customer_id' } } } }],
          select_permissions: perms('customer', [
            { role: 'analyst', permission: { columns: '*', filter: { tenant: { _eq: 'X-Hasura-Tenant-Id' } }, allow_aggregations: true } },
            { role: 'support', permission: { columns: ['name'], filter: {}, query_root_fields: ['select'] } },
          ]) },
        { table: { schema: 'public', name: 'order' },
          object_relationships: [{ name: 'customer', using: { foreign_key_constraint_on: 'customer_id' } }],
          remote_relationships: [{ name: 'payments', definition: { to_source: { relationship_type: 'array', source: 'billing', table: { schema: 'public', name: 'payment' }, field_mapping: { id: 'order_id' } } } }],
          select_permissions: perms('order', [
            { role: 'analyst', permission: { columns: ['id', 'customer_id', 'total', 'tenant'], filter: { tenant: { _eq: 'X-Hasura-Tenant-Id' } }, allow_aggregations: true } },
            { role: 'support', permission: { columns: ['total'], filter: {} } },
            // A permission filter through a remote relationship (billing database).
            { role: 'bigspender', permission: { columns: ['id', 'total'], filter: { payments: { amount: { _gte: 20 } } } } },
          ]) },
      ] },
      { name: 'billing', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.billing!.url } }, tables: [
        { table: { schema: 'public', name: 'payment' },
          remote_relationships: [{ name: 'order', definition: { to_source: { relationship_type: 'object', source: 'shop', table: { schema: 'public', name: 'order' }, field_mapping: { order_id: 'id' } } } }],
          select_permissions: perms('payment', [
            { role: 'analyst', permission: { columns: ['id', 'order_id', 'amount', 'tenant'], filter: { tenant: { _eq: 'X-Hasura-Tenant-Id' } }, allow_aggregations: true } },
            { role: 'support', permission: { columns: ['id', 'amount'], filter: {} } },
          ]) },
      ] },
      { name: 'crm', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.crm!.url } }, tables: [
        { table: { schema: 'public', name: 'note' }, select_permissions: [{ role: 'analyst', permission: { columns: ['id', 'body'], filter: {} } }] },
      ] },
    ],
  };
  await linkAllSources(metadata);
  const engine = await createEngine({ metadata });
  return { databases, engine };
}

/** The shop for one test file: started before its tests, its engine closed and databases dropped after. */
export function useShop(): () => { databases: TestDatabases; engine: Engine } {
  return useFixture(() => startShop(), async ({ databases, engine }) => {
    await engine.close();
    await databases.drop();
  });
}

