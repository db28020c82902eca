/** Mutations under `naming_convention: graphql-default` (issue 12 with schema/naming.ts): Hasura's camelCase names. */
import { describe, expect, it } from 'vitest';
import { useMutationFixture } from '../helpers/mutations.js';

const fixture = useMutationFixture({}, {}, { metadata: (md) => { md.sources[0] = { ...md.sources[0]!, customization: { naming_convention: 'graphql-default' } }; } });

describe('mutations under graphql-default', () => {
  it('names root fields, arguments, inputs and the response in camelCase', async () => {
    const r = await fixture().engine.execute({
      query: `mutation { insertAuthor(objects: [{name: "Cam", email: "ann@x"}], onConflict: {constraint: author_email_key, updateColumns: [name]}) { affectedRows returning { name } }
        updateArticleByPk(pkColumns: {id: 1}, _inc: {views: 1}) { views } }`,
    });
    expect(r).toEqual({ data: { insertAuthor: { affectedRows: 1, returning: [{ name: 'Cam' }] }, updateArticleByPk: { views: 11 } } });
    const types = await fixture().engine.execute({ query: '{ a: __type(name: "AuthorInsertInput") { name } b: __type(name: "AuthorMutationResponse") { name } c: __type(name: "AuthorOnConflict") { name } }' });
    expect(types.data).toEqual({ a: { name: 'AuthorInsertInput' }, b: { name: 'AuthorMutationResponse' }, c: { name: 'AuthorOnConflict' } });
    expect(await fixture().sql('app', "SELECT name FROM author WHERE email = 'ann@x'")).toEqual([{ name: 'Cam' }]);
  });
});
