/**
 * Mutations under a source's customization (issue 12 with schema/naming.ts), named as
 * Hasura names them: `naming_convention: graphql-default` cases root fields, types,
 * `onConflict`, `affectedRows`, `pkColumns`, `updateColumns` and the jsonb operators
 * (`_deleteKey` …), as schemas served by Hasura under graphql-default show them (and
 * Hasura's own enum_value_convention test sends `pkColumns`); `_set`, `_inc`, `objects`,
 * `where`, `returning` stay as written; `root_fields.prefix/suffix` wrap every mutation root field and
 * `type_names.prefix/suffix` every mutation type; `root_fields.namespace` nests the
 * source's mutations under one field of type `<namespace>_mutation_frontend`
 * (`_mutation_backend` for backend-only requests).
 */
import { describe, expect, it } from 'vitest';
import { startMutationFixture, trackFunctions, useMutationFixture, type MutationFixture } from '../helpers/mutations.js';

type Md = Parameters<typeof trackFunctions>[0];
const customize = (customization: Record<string, unknown>) => (md: Md): void => {
  trackFunctions(md);
  md.sources[0] = { ...md.sources[0]!, customization };
};
const fixture = useMutationFixture({}, {}, { metadata: customize({ naming_convention: 'graphql-default' }) });

/** Field (or input field) names of a type, and each field's argument names. */
async function shape(f: MutationFixture, type: string): Promise<{ fields: string[]; args: Record<string, string[]> }> {
  const r = await f.engine.execute({ query: `{ __type(name: "${type}") { fields { name args { name } } inputFields { name } } }` });
  const t = (r.data as { __type: { fields: { name: string; args: { name: string }[] }[] | null; inputFields: { name: string }[] | null } | null }).__type;
  expect(t, `type ${type}`).not.toBeNull();
  const fields = t!.fields ?? [];
  return { fields: (t!.fields ?? t!.inputFields ?? []).map((x) => x.name), args: Object.fromEntries(fields.map((x) => [x.name, x.args.map((a) => a.name)])) };
}

describe('mutations under graphql-default', () => {
  it('names root fields, arguments, inputs and the response as Hasura does', async () => {
    const r = await fixture().engine.execute({
      query: `mutation { insertAuthor(objects: [{name: "Cam", email: "ann@x"}], onConflict: {constraint: author_email_key, updateColumns: [name]}) { affectedRows returning { name } }
        updateArticleByPk(pkColumns: {id: 1}, _inc: {views: 1}) { views }
        updateAuthor(where: {email: {_eq: "ann@x"}}, _deleteKey: {info: "tags"}) { affectedRows returning { info } } }`,
    });
    expect(r).toEqual({ data: { insertAuthor: { affectedRows: 1, returning: [{ name: 'Cam' }] }, updateArticleByPk: { views: 11 }, updateAuthor: { affectedRows: 1, returning: [{ info: {} }] } } });
    expect(await fixture().sql('app', "SELECT name, info FROM author WHERE email = 'ann@x'")).toEqual([{ name: 'Cam', info: {} }]);
    const root = await shape(fixture(), 'mutation_root');
    expect(root.fields).toEqual(expect.arrayContaining(['insertAuthor', 'insertAuthorOne', 'updateAuthor', 'updateAuthorByPk', 'updateAuthorMany', 'deleteAuthor', 'deleteAuthorByPk', 'bumpArticle']));
    expect(root.args.updateAuthor!.sort()).toEqual(['_append', '_deleteAtPath', '_deleteElem', '_deleteKey', '_inc', '_prepend', '_set', 'where']);
    expect(root.args.updateAuthorByPk!.sort()).toEqual(['_append', '_deleteAtPath', '_deleteElem', '_deleteKey', '_inc', '_prepend', '_set', 'pkColumns']);
    expect(root.args.insertAuthor!.sort()).toEqual(['objects', 'onConflict']);
    expect((await shape(fixture(), 'AuthorMutationResponse')).fields).toEqual(['affectedRows', 'returning']);
    expect((await shape(fixture(), 'AuthorOnConflict')).fields).toEqual(['constraint', 'updateColumns', 'where']);
    for (const type of ['AuthorInsertInput', 'AuthorSetInput', 'AuthorIncInput', 'AuthorDeleteKeyInput', 'AuthorDeleteAtPathInput', 'AuthorPkColumnsInput', 'AuthorUpdates', 'AuthorConstraint', 'AuthorUpdateColumn', 'AuthorObjRelInsertInput', 'ArticleArrRelInsertInput']) {
      await shape(fixture(), type);
    }
  });
});

describe('root field and type name prefixes and suffixes', () => {
  it('wrap every mutation root field and type (graphql-default: prefix as written, the rest upper-cased)', async () => {
    const f = await startMutationFixture({}, {}, { metadata: customize({ naming_convention: 'graphql-default', root_fields: { prefix: 'test', suffix: 'query' }, type_names: { prefix: 'Pre', suffix: 'Post' } }) });
    try {
      const root = await shape(f, 'mutation_root');
      expect(root.fields.filter((n) => /Author/.test(n))).toEqual(['testDeleteAuthorByPkQuery', 'testDeleteAuthorQuery', 'testInsertAuthorOneQuery', 'testInsertAuthorQuery', 'testUpdateAuthorByPkQuery', 'testUpdateAuthorManyQuery', 'testUpdateAuthorQuery']);
      expect(root.fields).toContain('testBumpArticleQuery');
      const r = await f.engine.execute({ query: `mutation { testInsertAuthorOneQuery(object: {name: "Pre"}) { __typename name }
        testUpdateAuthorManyQuery(updates: [{where: {name: {_eq: "Pre"}}, _inc: {rating: 1}}]) { __typename affectedRows }
        testDeleteAuthorQuery(where: {name: {_eq: "Pre"}}) { affectedRows returning { rating } } }` });
      expect(r).toEqual({ data: {
        testInsertAuthorOneQuery: { __typename: 'PreAuthorPost', name: 'Pre' },
        testUpdateAuthorManyQuery: [{ __typename: 'PreAuthorMutationResponsePost', affectedRows: 1 }],
        testDeleteAuthorQuery: { affectedRows: 1, returning: [{ rating: 1 }] },
      } });
      await shape(f, 'PreAuthorInsertInputPost');
      await shape(f, 'PreAuthorOnConflictPost');
      await shape(f, 'PreAuthorSetInputPost');
      expect(await f.sql('app', "SELECT count(*)::int AS n FROM author WHERE name = 'Pre'")).toEqual([{ n: 0 }]);
    } finally {
      await f.engine.close();
      await f.databases.drop();
    }
  });
});

describe('root_fields.namespace', () => {
  it("nests a source's mutations (tables and VOLATILE functions) under its namespace, typed <namespace>_mutation_frontend", async () => {
    const f = await startMutationFixture({}, {}, { metadata: customize({ root_fields: { namespace: 'blog' } }) });
    try {
      // With the other (not namespaced) database in the same request: one two-phase commit.
      const r = await f.engine.execute({ query: `mutation {
        blog { __typename a: insert_article_one(object: {id: 60, title: "ns", author_id: 1, user_id: 1}) { id user { name } } b: bump_article(args: {p_article: 60}) { views } }
        u: update_user_by_pk(pk_columns: {id: 1}, _set: {name: "Alicia"}) { name } }` });
      expect(r).toEqual({ data: { blog: { __typename: 'blog_mutation_frontend', a: { id: 60, user: { name: 'Alicia' } }, b: [{ views: 1 }] }, u: { name: 'Alicia' } } });
      expect(await f.sql('app', 'SELECT views FROM article WHERE id = 60')).toEqual([{ views: 1 }]);
      const root = await shape(f, 'mutation_root');
      expect(root.fields).toContain('blog');
      expect(root.fields).not.toContain('insert_article_one');
      expect((await shape(f, 'blog_mutation_frontend')).fields).toEqual(expect.arrayContaining(['bump_article', 'delete_article', 'insert_author', 'update_author_many']));
      // The flat name is not a mutation root field any more; errors carry the namespace in their path.
      const flat = await f.engine.execute({ query: 'mutation { insert_author_one(object: {name: "x"}) { id } }' });
      expect(flat.errors?.[0]?.message).toBe("field 'insert_author_one' not found in type: 'mutation_root'");
      const failed = await f.engine.execute({ query: 'mutation { blog { x: insert_author_one(object: {name: "dup", email: "ann@x"}) { id } } }' });
      expect(failed.errors?.[0]).toMatchObject({ extensions: { code: 'constraint-violation', path: '$.selectionSet.blog.selectionSet.x' } });
      // Backend-only requests (admin) get Hasura's backend type name.
      const backend = await f.engine.execute({ query: 'mutation { blog { __typename } }', headers: { 'x-hasura-use-backend-only-permissions': 'true' } });
      expect(backend).toEqual({ data: { blog: { __typename: 'blog_mutation_backend' } } });
    } finally {
      await f.engine.close();
      await f.databases.drop();
    }
  });
});
