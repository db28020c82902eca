/**
 * Literal values in permission filters are checked against the column's type at load
 * (issue 11), as Hasura parses them when it loads a permission: a JSON number, boolean or
 * object that is not a value of the type, or a list operator without a list, makes the
 * permission inconsistent with aeson's words and the literal's path; the role loses that
 * access (fails closed). Strings are cast by Postgres, so `"true"` for a boolean is served,
 * as in Hasura; beyond Hasura, a string no request could ever cast (`"abc"` for an integer)
 * is reported at load instead of failing every request of the role.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { useFixture } from '../helpers/lifecycle.js';

const filters: Record<string, unknown> = {
  wrong_json_type: { id: { _eq: true } },
  not_a_list: { id: { _in: 3 } },
  float_in_list: { id: { _in: [1, 2.5] } },
  number_for_text: { name: { _eq: 5 } },
  never_castable: { id: 'abc' },
  strings_cast: { active: { _eq: 'true' }, id: { _in: [1, '2', 3] }, token: { _neq: '00000000-0000-0000-0000-000000000000' } },
  session_list: { id: { _in: 'X-Hasura-Allowed-Ids' } },
};

const fixture = useFixture(async () => {
  const databases = await createDatabases({ app: { server: 'a', sql: `
    CREATE TABLE gadget (id int PRIMARY KEY, name text, active boolean, token uuid NOT NULL DEFAULT gen_random_uuid());
    INSERT INTO gadget (id, name, active) VALUES (1, 'lamp', true), (2, 'fan', true), (3, 'radio', false), (4, 'clock', true);` } });
  const metadata = {
    version: 3,
    sources: [{ name: 'app', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.app!.url } }, tables: [{
      table: { schema: 'public', name: 'gadget' },
      select_permissions: Object.entries(filters).map(([role, filter]) => ({ role, permission: { columns: ['id', 'name'], filter } })),
    }] }],
  };
  const engine = await createEngine({ metadata });
  return { databases, engine };
}, async (f: { databases: TestDatabases; engine: Engine }) => {
  await f.engine.close();
  await f.databases.drop();
});

const at = (role: string, rest: string) => `$.sources[0].tables[0].select_permissions[${Object.keys(filters).indexOf(role)}].permission.filter.${rest}`;

describe('permission filter literals against the column type', () => {
  it("reports the ones Hasura's parser refuses, and strings Postgres could never cast, with their paths", () => {
    const found = fixture().engine.inconsistencies().map((o) => [o.name, o.reason.replace(/^Inconsistent object: in table "gadget": in permission for role "[^"]+": /, ''), o.path]);
    expect(found).toEqual([
      ['select_permission wrong_json_type in table gadget in source app', 'parsing Integer expected for input type: PGInteger failed, expected Number, but encountered Boolean', at('wrong_json_type', 'id._eq')],
      ['select_permission not_a_list in table gadget in source app', 'parsing [] failed, expected Array, but encountered Number', at('not_a_list', 'id._in')],
      ['select_permission float_in_list in table gadget in source app', 'The value 2.5 lies outside the bounds or is not an integer. Maybe it is a float, or is there integer overflow?', at('float_in_list', 'id._in[1]')],
      ['select_permission number_for_text in table gadget in source app', 'parsing Text failed, expected String, but encountered Number', at('number_for_text', 'name._eq')],
      ['select_permission never_castable in table gadget in source app', '"abc" is not a value of type int4', at('never_castable', 'id')],
    ]);
  });

  it('leaves the reported roles without access, and serves string literals Postgres casts and session lists', async () => {
    const { engine } = fixture();
    const denied = await engine.execute({ query: '{ gadget { id } }', headers: { 'x-hasura-role': 'wrong_json_type' } });
    expect(denied.errors?.[0]?.message).toBe("field 'gadget' not found in type: 'query_root'");
    expect(await engine.execute({ query: '{ gadget(order_by: {id: asc}) { id name } }', headers: { 'x-hasura-role': 'strings_cast' } }))
      .toEqual({ data: { gadget: [{ id: 1, name: 'lamp' }, { id: 2, name: 'fan' }] } });
    expect(await engine.execute({ query: '{ gadget(order_by: {id: asc}) { id } }', headers: { 'x-hasura-role': 'session_list', 'x-hasura-allowed-ids': '{3,4}' } }))
      .toEqual({ data: { gadget: [{ id: 3 }, { id: 4 }] } });
  });
});
