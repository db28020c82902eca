/**
 * Local object relationships (compiler/sql/select.ts): one that matches at most one row —
 * its mapping covers the target's primary or a unique key — is a LEFT JOIN in the same
 * FROM (Postgres can hash it), nested ones joined in order; any other keeps Hasura's
 * correlated `(SELECT … LIMIT 1)`. The answers are checked against plain SQL by the Chinook
 * differential suite; this file pins the shape.
 */
import { parse as parsePg } from 'pgsql-ast-parser';
import { describe, expect, it } from 'vitest';
import { createCompiler } from '../../compiler/index.js';
import { table } from '../helpers/catalog.js';

const metadata = {
  version: 3,
  sources: [{
    name: 'db', kind: 'postgres',
    configuration: { connection_info: { database_url: 'postgres://localhost/db' } },
    tables: [
      {
        table: { schema: 'public', name: 'item' },
        object_relationships: [
          { name: 'owner', using: { manual_configuration: { remote_table: { schema: 'public', name: 'owner' }, column_mapping: { owner_id: 'id' } } } },
          { name: 'kind', using: { manual_configuration: { remote_table: { schema: 'public', name: 'kind' }, column_mapping: { kind_code: 'code' } } } },
        ],
      },
      {
        table: { schema: 'public', name: 'owner' },
        object_relationships: [
          { name: 'team', using: { manual_configuration: { remote_table: { schema: 'public', name: 'team' }, column_mapping: { team_name: 'name' } } } },
        ],
      },
      { table: { schema: 'public', name: 'kind' } },
      { table: { schema: 'public', name: 'team' } },
    ],
  }],
};

const team = { ...table('public', 'team', [['id', 'int4', false], ['name', 'text', false]], { primaryKey: ['id'] }), uniqueKeys: [['name']] };
const catalog = {
  sources: {
    db: {
      serverVersion: 170010, foreignServers: [],
      tables: [
        table('public', 'item', [['id', 'int4', false], ['owner_id', 'int4'], ['kind_code', 'text']], { primaryKey: ['id'] }),
        table('public', 'owner', [['id', 'int4', false], ['name', 'text'], ['team_name', 'text']], { primaryKey: ['id'] }),
        table('public', 'kind', [['code', 'text'], ['label', 'text']]),
        team,
      ],
    },
  },
};

describe('local object relationships', () => {
  const compiler = createCompiler(metadata, catalog);
  const sqlOf = (query: string): string => {
    const r = compiler.explain({ query });
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
    const [step] = r.explain.steps;
    expect(() => parsePg(step!.sql)).not.toThrow();
    return step!.sql;
  };

  it('joins one matching a primary or unique key, nested ones after the one they hang from', () => {
    const text = sqlOf('{ item { id owner { name team { id } } } }');
    expect(text).toMatch(/FROM "public"."item" AS "_(\d+)" LEFT JOIN "public"."owner" AS "_(\d+)" ON \("_\2"."id" = "_\1"."owner_id"\) LEFT JOIN "public"."team" AS "_(\d+)" ON \("_\3"."name" = "_\2"."team_name"\)/);
    expect(text).toMatch(/CASE WHEN "_\d+"."id" IS NULL THEN NULL ELSE json_build_array/);
    expect(text).not.toContain('LIMIT 1');
  });

  it('chooses a big page before joining its object relationships, a small one after', () => {
    const big = sqlOf('{ item(order_by: {id: asc}, limit: 5000) { id owner { name } } }');
    expect(big).toMatch(/FROM \(SELECT "_(\d+)"\.\* FROM "public"\."item" AS "_\1" WHERE true ORDER BY "_\1"\."id" ASC NULLS LAST LIMIT \$1\) AS "_\1" LEFT JOIN "public"\."owner" AS "_\d+" ON .* ORDER BY "_\1"\."id" ASC NULLS LAST\) AS/);
    const small = sqlOf('{ item(order_by: {id: asc}, limit: 4999) { id owner { name } } }');
    expect(small).toMatch(/FROM "public"\."item" AS "_(\d+)" LEFT JOIN "public"\."owner" AS "_\d+" ON .* WHERE true ORDER BY "_\1"\."id" ASC NULLS LAST LIMIT \$1\)/);
  });

  it('keeps a correlated LIMIT 1 subquery where the mapping is not a unique key', () => {
    const text = sqlOf('{ item { id kind { label } } }');
    expect(text).toMatch(/\(SELECT json_build_array\("_\d+"."label"\) FROM "public"."kind" AS "_\d+" WHERE \("_\d+"."code" = "_\d+"."kind_code"\) LIMIT 1\)/);
    expect(text).not.toContain('LEFT JOIN');
  });
});
