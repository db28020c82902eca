/**
 * GraphQL name collisions between sources (issue 11 items 1 and 5). Hasura builds one schema
 * over every source and refuses metadata in which two objects define one type or one root
 * field ("Found conflicting definitions for …", "Encountered conflicting definitions in the
 * selection set for 'query_root' …"). farjoin reports the later object as inconsistent in
 * those words, through the inconsistent-metadata path, and serves the rest. Cases: an enum
 * table whose `<table>_enum` is another source's table type, a root field two sources define,
 * and the same tables under a `root_fields.namespace`, where the root fields no longer meet.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../runtime/engine.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { useFixture } from '../helpers/lifecycle.js';

const HELPDESK = `
  CREATE TABLE status (value text PRIMARY KEY, comment text);
  INSERT INTO status VALUES ('open', 'Being worked on'), ('closed', NULL);
  CREATE TABLE ticket (id int PRIMARY KEY, status text NOT NULL REFERENCES status (value));
  INSERT INTO ticket VALUES (1, 'open'), (2, 'closed');
  CREATE TABLE note (id int PRIMARY KEY, body text);
  INSERT INTO note VALUES (1, 'call back');`;
const ARCHIVE = `
  CREATE TABLE status_enum (id int PRIMARY KEY, label text);
  INSERT INTO status_enum VALUES (7, 'legacy');
  CREATE TABLE entries (id int PRIMARY KEY, title text);
  INSERT INTO entries VALUES (1, 'old');`;

function metadata(urls: { helpdesk: string; archive: string }, archiveCustomization?: object) {
  return {
    version: 3,
    sources: [
      { name: 'helpdesk', kind: 'postgres', configuration: { connection_info: { database_url: urls.helpdesk } }, tables: [
        { table: { schema: 'public', name: 'status' }, is_enum: true },
        { table: { schema: 'public', name: 'ticket' } },
        { table: { schema: 'public', name: 'note' }, configuration: { custom_root_fields: { select: 'entries' } } },
      ] },
      { name: 'archive', kind: 'postgres', configuration: { connection_info: { database_url: urls.archive } },
        ...(archiveCustomization ? { customization: archiveCustomization } : {}),
        tables: [{ table: { schema: 'public', name: 'status_enum' } }, { table: { schema: 'public', name: 'entries' } }] },
    ],
  };
}

const fixture = useFixture(async () => {
  const databases = await createDatabases({ helpdesk: { server: 'a', sql: HELPDESK }, archive: { server: 'b', sql: ARCHIVE } });
  return { databases, urls: { helpdesk: databases.dbs.helpdesk!.url, archive: databases.dbs.archive!.url } };
}, async (f: { databases: TestDatabases }) => {
  await f.databases.drop();
});

const ENUM_CLASH = 'Inconsistent object: Found conflicting definitions for "status_enum".  The definition at "table status_enum in source archive" differs from the the definition at "table status in source helpdesk".';

describe('name collisions between sources, reported as Hasura words them', () => {
  it("reports an enum whose type is another source's table type, and a root field two sources define; serves the rest", async () => {
    const engine = await createEngine({ metadata: metadata(fixture().urls) });
    try {
      const list = engine.inconsistencies().map((o) => [o.name, o.reason, o.path]);
      expect(list).toEqual([
        ['table status in source helpdesk', ENUM_CLASH, '$.sources[0].tables[0].is_enum'],
        ['table entries in source archive',
          "Inconsistent object: Encountered conflicting definitions in the selection set for 'query_root' for field 'entries' defined in [table note in source helpdesk, table entries in source archive]. Fields must not be defined more than once across all sources.",
          '$.sources[1].tables[1].configuration'],
      ]);
      // The enum table is served as a plain table, its column as text; the archive's table keeps its type.
      const r = await engine.execute({ query: '{ ticket(order_by: {id: asc}) { status } status_enum { label __typename } entries { body } }' });
      expect(r).toEqual({ data: { ticket: [{ status: 'open' }, { status: 'closed' }], status_enum: [{ label: 'legacy', __typename: 'status_enum' }], entries: [{ body: 'call back' }] } });
      const field = await engine.execute({ query: '{ __type(name: "ticket") { fields { name type { ofType { name } } } } }' });
      expect((field.data as { __type: { fields: { name: string; type: { ofType: { name: string } } }[] } }).__type.fields.find((f) => f.name === 'status')?.type.ofType.name).toBe('String');
    } finally {
      await engine.close();
    }
  });

  it("keeps a namespaced source's root fields apart from the others' (its types still share the schema)", async () => {
    const engine = await createEngine({ metadata: metadata(fixture().urls, { root_fields: { namespace: 'archive' } }) });
    try {
      expect(engine.inconsistencies().map((o) => o.reason)).toEqual([ENUM_CLASH]);
      const r = await engine.execute({ query: '{ entries { body } archive { entries { title } } }' });
      expect(r).toEqual({ data: { entries: [{ body: 'call back' }], archive: { entries: [{ title: 'old' }] } } });
    } finally {
      await engine.close();
    }
  });
});
