/**
 * Hasura's exported metadata directory holds more than databases/: actions.yaml and
 * actions.graphql, cron_triggers.yaml, remote_schemas.yaml, inherited_roles.yaml,
 * query_collections.yaml, allow_list.yaml, api_limits.yaml … (issue 11). farjoin reads
 * every one of them: what it serves applies (the allow-list), what it does not serve
 * (actions, cron triggers, remote schemas, inherited roles) is reported once, with its path,
 * and everything else is served. Before, only databases/ was read and the rest was dropped
 * without a word. The fixture (test/fixtures/hasura-export-shop) is a small shop exported
 * by an older Hasura: its insert permission names no columns, which Hasura reads as all.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { packageFile } from '../../runtime/paths.js';
import { runCli } from '../helpers/cli.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { useFixture } from '../helpers/lifecycle.js';

const DIR = packageFile('test', 'fixtures', 'hasura-export-shop');

const fixture = useFixture(async () => {
  const databases = await createDatabases({
    shop: { server: 'a', sql: `
      CREATE TABLE item (id int PRIMARY KEY, title text NOT NULL);
      CREATE TABLE basket_line (id serial PRIMARY KEY, item_id int NOT NULL REFERENCES item (id), quantity int NOT NULL, shopper_id text NOT NULL);
      INSERT INTO item VALUES (1, 'kettle'), (2, 'teapot');
      INSERT INTO basket_line (item_id, quantity, shopper_id) VALUES (1, 2, 'u1');` },
  });
  const env = { SHOP_DB_URL: databases.dbs.shop!.url };
  const engine = await createEngine({ metadataPath: DIR, env, enableAllowlist: true });
  return { databases, env, engine };
}, async (f: { databases: TestDatabases; engine: Engine }) => {
  await f.engine.close();
  await f.databases.drop();
});

const SHOPPER = { 'x-hasura-role': 'shopper', 'x-hasura-user-id': 'u1' };

describe('the other files of an exported metadata directory', () => {
  it('reports actions, cron triggers, remote schemas and inherited roles once each, with their paths', () => {
    const list = fixture().engine.inconsistencies();
    expect(list.map((o) => [o.type, o.name, o.path])).toEqual([
      ['remote_schema', 'remote_schema payments', '$.remote_schemas[0]'],
      ['action', 'action placeOrder', '$.actions[0]'],
      ['cron_trigger', 'cron_trigger nightly_restock', '$.cron_triggers[0]'],
      ['inherited_role', 'inherited_role staff', '$.inherited_roles[0]'],
    ]);
    expect(list.find((o) => o.type === 'inherited_role')?.reason).toBe('Inconsistent object: inherited roles are not supported by farjoin');
  });

  it('serves the tables, and applies the allow-list from allow_list.yaml and query_collections.yaml', async () => {
    const { engine } = fixture();
    const listed = await engine.execute({ query: 'query Items {\n  item(order_by: {id: asc}) { id title }\n}', headers: SHOPPER });
    expect(listed).toEqual({ data: { item: [{ id: 1, title: 'kettle' }, { id: 2, title: 'teapot' }] } });
    const other = await engine.execute({ query: '{ item { title } }', headers: SHOPPER });
    expect(other.errors?.[0]?.message).toBe('query is not allowed');
    // The action is not part of the schema.
    const action = await engine.execute({ query: 'mutation { placeOrder(input: {basketId: 1}) { orderId } }' });
    expect(action.errors?.[0]?.message).toBe("field 'placeOrder' not found in type: 'mutation_root'");
  });

  it('reads an insert permission without "columns" as every column, as Hasura does', async () => {
    const { engine } = fixture();
    const query = 'mutation AddToBasket($item: Int!, $shopper: String!) {\n  insert_basket_line_one(object: {item_id: $item, quantity: 1, shopper_id: $shopper}) { item { title } quantity }\n}';
    const r = await engine.execute({ query, variables: { item: 2, shopper: 'u1' }, headers: SHOPPER });
    expect(r).toEqual({ data: { insert_basket_line_one: { item: { title: 'teapot' }, quantity: 1 } } });
    // The check still applies.
    const forbidden = await engine.execute({ query, variables: { item: 2, shopper: 'u2' }, headers: SHOPPER });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('permission-error');
  });

  it('farjoin check lists them and exits 1', async () => {
    const r = await runCli(['check', '--metadata', DIR], fixture().env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('4 inconsistent objects');
    expect(r.stdout).toContain('action placeOrder');
    expect(r.stdout).toContain('inherited_role staff');
  });
});
