/**
 * Descriptions from the database, as Hasura shows them (issue 11, found with tests-py
 * graphql_introspection/descriptions): `COMMENT ON TABLE` is the object type's description,
 * `COMMENT ON COLUMN` the field's, `COMMENT ON FUNCTION` a computed field's; without a
 * comment the type keeps the generated description and a column field has none.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { useFixture } from '../helpers/lifecycle.js';

const SQL = `
CREATE TABLE recipe (id int PRIMARY KEY, title text NOT NULL, minutes int);
COMMENT ON TABLE recipe IS 'A dish and how long it takes';
COMMENT ON COLUMN recipe.minutes IS 'Preparation time, in minutes';
CREATE FUNCTION recipe_shout(r recipe) RETURNS text LANGUAGE sql STABLE AS $$ SELECT upper(r.title) $$;
COMMENT ON FUNCTION recipe_shout(recipe) IS 'The title, louder';
CREATE TABLE pantry (id int PRIMARY KEY, item text);
INSERT INTO recipe VALUES (1, 'soup', 20);
`;

const fixture = useFixture<{ databases: TestDatabases; engine: Engine }>(async () => {
  const databases = await createDatabases({ kitchen: { server: 'a', sql: SQL } });
  const engine = await createEngine({ metadata: { version: 3, sources: [{ name: 'kitchen', kind: 'postgres', configuration: { connection_info: { database_url: databases.dbs.kitchen!.url } }, tables: [
    { table: { schema: 'public', name: 'recipe' }, computed_fields: [{ name: 'shout', definition: { function: { schema: 'public', name: 'recipe_shout' } } }] },
    { table: { schema: 'public', name: 'pantry' } },
  ] }] } });
  return { databases, engine };
}, async ({ databases, engine }) => {
  await engine.close();
  await databases.drop();
});

describe('descriptions from database comments', () => {
  it('describe the type, its columns and computed fields; no comment leaves the defaults', async () => {
    const r = await fixture().engine.execute({ query: '{ recipe: __type(name: "recipe") { description fields { name description } } pantry: __type(name: "pantry") { description fields { name description } } }' });
    expect(r.errors).toBeUndefined();
    const [comments] = await fixture().databases.dbs.kitchen!.query(`SELECT obj_description('recipe'::regclass, 'pg_class') AS tbl, col_description('recipe'::regclass, 3) AS col`);
    expect(r.data).toEqual({
      recipe: { description: comments!.tbl, fields: [{ name: 'id', description: null }, { name: 'minutes', description: comments!.col }, { name: 'shout', description: 'The title, louder' }, { name: 'title', description: null }] },
      pantry: { description: 'columns and relationships of "pantry" (source kitchen)', fields: [{ name: 'id', description: null }, { name: 'item', description: null }] },
    });
  });
});
