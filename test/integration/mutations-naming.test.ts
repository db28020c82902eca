/** Mutations under `naming_convention: graphql-default` (issue 12 with schema/naming.ts): Hasura's camelCase names. */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../runtime/engine.js';
import { useFixture } from '../helpers/lifecycle.js';
import { createDatabases } from '../helpers/databases.js';
import { ACCOUNTS_SQL, APP_SQL, mutationMetadata } from '../helpers/mutations.js';

const fixture = useFixture(async () => {
  const databases = await createDatabases({ app: { server: 'a', sql: APP_SQL }, accounts: { server: 'b', sql: ACCOUNTS_SQL } });
  const md = mutationMetadata(databases) as { sources: Record<string, unknown>[] };
  md.sources[0] = { ...md.sources[0], customization: { naming_convention: 'graphql-default' } };
  const engine = await createEngine({ metadata: md });
  return { databases, engine };
}, async (f) => {
  await f.engine.close();
  await f.databases.drop();
});

describe('mutations under graphql-default', () => {
  it('names root fields, arguments, inputs and the response in camelCase', async () => {
    const r = await fixture().engine.execute({
      query: `mutation { insertAuthor(objects: [{name: "Cam", email: "ann@x"}], onConflict: {constraint: author_email_key, updateColumns: [name]}) { affectedRows returning { name } }
        updateArticleByPk(pkColumns: {id: 1}, _inc: {views: 1}) { views } }`,
    });
    expect(r).toEqual({ data: { insertAuthor: { affectedRows: 1, returning: [{ name: 'Cam' }] }, updateArticleByPk: { views: 11 } } });
    const types = await fixture().engine.execute({ query: '{ a: __type(name: "AuthorInsertInput") { name } b: __type(name: "AuthorMutationResponse") { name } c: __type(name: "AuthorOnConflict") { name } }' });
    expect(types.data).toEqual({ a: { name: 'AuthorInsertInput' }, b: { name: 'AuthorMutationResponse' }, c: { name: 'AuthorOnConflict' } });
    expect(await fixture().databases.dbs.app!.query("SELECT name FROM author WHERE email = 'ann@x'")).toEqual([{ name: 'Cam' }]);
  });
});
