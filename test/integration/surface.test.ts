/**
 * Hasura surface details (issue 3): exported metadata directories with !include,
 * custom_root_fields, non-public schemas, numeric stringification (through remote joins),
 * jsonb operators and the json `path` argument, views, enums, arrays, uuid and timestamps.
 * Queries across the two databases run under every strategy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { readMetadataFile } from '../../runtime/metadata-file.js';
import { packageFile } from '../../runtime/paths.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { executeEach, linkAllSources } from '../helpers/strategies.js';

const LEFT = `
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE account (id int8 PRIMARY KEY, owner text NOT NULL, tags text[], mood mood, profile jsonb, ref uuid, opened timestamptz, score numeric(12,3), ratio float8);
INSERT INTO account VALUES
  (9007199254740993, 'big', '{a,b}', 'happy', '{"plan": {"tier": "gold", "seats": [1, 2, 3]}, "beta": true}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-01-02 03:04:05+00', 12345678.125, 0.5),
  (2, 'small', '{}', 'sad', '{"plan": {"tier": "free"}}', NULL, NULL, 1.5, NULL);
CREATE VIEW rich_account AS SELECT id, owner FROM account WHERE score > 100;
CREATE MATERIALIZED VIEW owner_count AS SELECT count(*)::int AS n FROM account;
`;
const RIGHT = `
CREATE SCHEMA ledger;
CREATE TABLE ledger.balance (account_id int8 PRIMARY KEY, amount numeric(20,2) NOT NULL);
INSERT INTO ledger.balance VALUES (9007199254740993, 99999999999999999.99), (2, 10.00);
`;

let databases: TestDatabases;
let engine: Engine;
let stringy: Engine;
beforeAll(async () => {
  databases = await createDatabases({ left: { server: 'a', sql: LEFT }, right: { server: 'b', sql: RIGHT } });
  const env = { ...process.env, LEFT_DB_URL: databases.dbs.left!.url, RIGHT_DB_URL: databases.dbs.right!.url };
  const metadataPath = packageFile('test', 'fixtures', 'hasura-export');
  await linkAllSources(await readMetadataFile(metadataPath), env);
  engine = await createEngine({ metadataPath, env, stringifyNumericTypes: false });
  stringy = await createEngine({ metadataPath, env, stringifyNumericTypes: true });
});
afterAll(async () => {
  await engine?.close();
  await stringy?.close();
  await databases?.drop();
});

/** The data, the same under every strategy that applies (the two databases are linked by postgres_fdw). */
async function run(e: Engine, query: string, variables?: Record<string, unknown>) {
  return (await executeEach(e, { query, variables: variables ?? null })).same();
}

describe('exported metadata directory', () => {
  it('reads databases.yaml and table files through string and tag includes, with custom root fields', async () => {
    const data = await run(engine, '{ accounts(order_by: {id: asc}) { owner balance { __typename } } accountById(id: 2) { owner } accountsAggregate { aggregate { count } } }');
    expect(data).toEqual({
      accounts: [{ owner: 'small', balance: { __typename: 'ledger_balance' } }, { owner: 'big', balance: { __typename: 'ledger_balance' } }],
      accountById: { owner: 'small' },
      accountsAggregate: { aggregate: { count: 2 } },
    });
    const r = await engine.execute({ query: '{ account { id } }' });
    expect(r.errors?.[0]?.message).toBe("field 'account' not found in type: 'query_root'");
  });
});

describe('views and materialized views', () => {
  it('tracks a view with a manual relationship, and a materialized view', async () => {
    expect(await run(engine, '{ rich_account { owner account { mood } } owner_count { n } }')).toEqual({
      rich_account: [{ owner: 'big', account: { mood: 'happy' } }],
      owner_count: [{ n: 2 }],
    });
  });
});

describe('numeric stringification', () => {
  it('prints bigint and numeric as numbers by default and as exact strings when asked', async () => {
    const q = '{ accounts(order_by: {id: desc}, limit: 1) { id score ratio balance { amount } } }';
    const plain = (await run(engine, q)) as { accounts: { id: unknown }[] };
    expect(typeof plain.accounts[0]!.id).toBe('number');
    expect(await run(stringy, q)).toEqual({
      accounts: [{ id: '9007199254740993', score: '12345678.125', ratio: '0.5', balance: { amount: '99999999999999999.99' } }],
    });
  });

  it('keeps join keys exact while stringifying (the bigint key above 2^53 still joins)', async () => {
    expect(await run(stringy, '{ accountById(id: "9007199254740993") { id balance { account_id amount } } }')).toEqual({
      accountById: { id: '9007199254740993', balance: { account_id: '9007199254740993', amount: '99999999999999999.99' } },
    });
  });

  it('stringifies numeric aggregates but not counts', async () => {
    expect(await run(stringy, '{ accountsAggregate { aggregate { count sum { score } max { id } } } }')).toEqual({
      accountsAggregate: { aggregate: { count: 2, sum: { score: '12345679.625' }, max: { id: '9007199254740993' } } },
    });
  });
});

describe('json, enums, arrays, uuid, timestamps', () => {
  it('selects inside jsonb with the path argument', async () => {
    expect(await run(engine, '{ accounts(order_by: {owner: asc}) { owner tier: profile(path: "$.plan.tier") seat: profile(path: "plan.seats[1]") profile } }')).toEqual({
      accounts: [
        { owner: 'big', tier: 'gold', seat: 2, profile: { plan: { tier: 'gold', seats: [1, 2, 3] }, beta: true } },
        { owner: 'small', tier: 'free', seat: null, profile: { plan: { tier: 'free' } } },
      ],
    });
    // A dot before a bracket, as Hasura also takes it: `plan.["seats"].[0]`.
    expect(await run(engine, '{ accounts(order_by: {owner: asc}) { seat: profile(path: "plan.[\\"seats\\"].[0]") } }')).toEqual({ accounts: [{ seat: 1 }, { seat: null }] });
    const bad = await engine.execute({ query: '{ accounts { profile(path: "$..x") } }' });
    expect(bad.errors?.[0]?.extensions.code).toBe('validation-failed');
  });

  it('filters with jsonb operators', async () => {
    const owners = async (where: string, variables?: Record<string, unknown>) => {
      const defs = [where.includes('$v') ? '$v: jsonb' : '', where.includes('$k') ? '$k: [String!]' : ''].filter(Boolean).join(', ');
      const q = `query ${defs ? `(${defs})` : ''} { accounts(where: ${where}, order_by: {owner: asc}) { owner } }`;
      return ((await run(engine, q, variables)) as { accounts: { owner: string }[] }).accounts.map((a) => a.owner);
    };
    expect(await owners('{profile: {_contains: $v}}', { v: { plan: { tier: 'gold' } } })).toEqual(['big']);
    expect(await owners('{profile: {_contained_in: $v}}', { v: { plan: { tier: 'free' }, other: 1 } })).toEqual(['small']);
    expect(await owners('{profile: {_has_key: "beta"}}')).toEqual(['big']);
    expect(await owners('{profile: {_has_keys_any: $k}}', { k: ['beta', 'nope'] })).toEqual(['big']);
    expect(await owners('{profile: {_has_keys_all: $k}}', { k: ['plan'] })).toEqual(['big', 'small']);
  });

  it('compares jsonb as its text with _cast: {String: …}, as Hasura does', async () => {
    const text = async (pattern: string) => {
      const r = (await run(engine, 'query ($p: String!) { accounts(where: {profile: {_cast: {String: {_like: $p}}}}, order_by: {owner: asc}) { owner } }', { p: pattern })) as { accounts: { owner: string }[] };
      return r.accounts.map((a) => a.owner);
    };
    const sql = async (pattern: string) => (await databases.dbs.left!.query('SELECT owner FROM account WHERE profile::text LIKE $1 ORDER BY owner', [pattern])).map((r) => r.owner as string);
    for (const pattern of ['%gold%', '%"tier"%', '%beta": true%']) expect(await text(pattern), pattern).toEqual(await sql(pattern));
    expect(await text('%gold%')).toEqual(['big']);
    const schema = await run(engine, '{ __type(name: "jsonb_cast_exp") { inputFields { name type { name } } } }');
    expect(schema).toEqual({ __type: { inputFields: [{ name: 'String', type: { name: 'String_comparison_exp' } }] } });
  });

  it('serves enums, arrays, uuid and timestamptz as Hasura prints them', async () => {
    expect(await run(engine, '{ accounts(where: {mood: {_eq: "happy"}}) { tags mood ref opened } }')).toEqual({
      accounts: [{ tags: ['a', 'b'], mood: 'happy', ref: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', opened: '2024-01-02T03:04:05+00:00' }],
    });
    expect(await run(engine, '{ accounts(where: {opened: {_gt: "2024-01-01T00:00:00Z"}}) { owner } }')).toEqual({ accounts: [{ owner: 'big' }] });
  });
});
