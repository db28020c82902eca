/** Mutations on views (issue 12): a view Postgres can update gets insert/update/delete; one it cannot gets none. */
import { describe, expect, it } from 'vitest';
import { useMutationFixture } from '../helpers/mutations.js';

const VIEWS = `
CREATE VIEW popular_article AS SELECT id, author_id, title, views FROM article WHERE views > 5;
CREATE VIEW author_stats AS SELECT author_id, count(*)::int AS n FROM article GROUP BY author_id;
`;

const fixture = useMutationFixture({}, {}, {
  appSql: VIEWS,
  metadata: (md) => { md.sources[0]!.tables.push({ table: { schema: 'public', name: 'popular_article' } }, { table: { schema: 'public', name: 'author_stats' } }); },
});

describe('mutations on views', () => {
  it('writes through an updatable view', async () => {
    const r = await fixture().engine.execute({ query: `mutation {
      i: insert_popular_article(objects: [{author_id: 2, title: "via view", views: 50}]) { affected_rows returning { title views } }
      u: update_popular_article(where: {title: {_eq: "First"}}, _inc: {views: 1}) { affected_rows }
      d: delete_popular_article(where: {title: {_eq: "Third"}}) { affected_rows } }` });
    expect(r).toEqual({ data: { i: { affected_rows: 1, returning: [{ title: 'via view', views: 50 }] }, u: { affected_rows: 1 }, d: { affected_rows: 1 } } });
    expect(await fixture().sql('app', 'SELECT title, views FROM article ORDER BY id')).toEqual([
      { title: 'First', views: 11 }, { title: 'Second', views: 0 }, { title: 'via view', views: 50 },
    ]);
  });

  it('offers no mutation on a view Postgres cannot update', async () => {
    const r = await fixture().engine.execute({ query: '{ __type(name: "mutation_root") { fields { name } } }' });
    const names = (r.data as { __type: { fields: { name: string }[] } }).__type.fields.map((f) => f.name);
    expect(names).toContain('insert_popular_article');
    expect(names.filter((n) => n.includes('author_stats'))).toEqual([]);
  });
});
