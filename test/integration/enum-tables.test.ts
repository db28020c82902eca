/**
 * Enum tables (issue 11 item 4, Hasura "Enum type fields") on the storefront: `is_enum`
 * tables in both databases; columns that reference them are typed with `<table>_enum` and
 * filtered with `<table>_enum_comparison_exp`; the values (with the comment column as their
 * description) appear in introspection and work as literals and in variables, also through
 * remote relationships, under every strategy. hasura-default naming here; graphql-default's
 * upper-cased values are in naming-conventions.test.ts. A table that breaks Hasura's rules
 * is reported with Hasura's reason.
 */
import { describe, expect, it } from 'vitest';
import { parseMetadata } from '../../compiler/metadata/parse.js';
import { resolveMetadata } from '../../compiler/metadata/resolve.js';
import { Sources } from '../../runtime/sources/sources.js';
import { executeEach } from '../helpers/strategies.js';
import { useStorefront } from '../helpers/storefront.js';

const shop = useStorefront((m) => {
  for (const s of m.sources) delete s.customization;
});

async function run(query: string, variables?: Record<string, unknown>) {
  return (await executeEach(shop().engine, { query, variables: variables ?? null })).same();
}

describe('enum tables', () => {
  it('turns the rows into a GraphQL enum with descriptions, in introspection', async () => {
    const r = await shop().engine.execute({ query: '{ __type(name: "order_status_enum") { kind enumValues { name description } } }' });
    expect(r.data).toEqual({ __type: { kind: 'ENUM', enumValues: [
      { name: 'cancelled', description: null },
      { name: 'paid', description: 'Paid, not yet shipped' },
      { name: 'pending', description: 'Awaiting payment' },
      { name: 'shipped', description: 'Handed to the carrier' },
    ] } });
  });

  it('types referencing columns with the enum and <enum>_comparison_exp (equality operators only)', async () => {
    const r = await shop().engine.execute({ query: `{
      order: __type(name: "customer_order") { fields { name type { kind name ofType { kind name } } } }
      cmp: __type(name: "product_category_enum_comparison_exp") { inputFields { name type { kind name ofType { name } } } }
      filter: __type(name: "product_bool_exp") { inputFields { name type { name } } }
    }` });
    const data = r.data as { order: { fields: { name: string; type: { kind: string; ofType: { name: string } | null } }[] }; cmp: { inputFields: { name: string }[] }; filter: { inputFields: { name: string; type: { name: string } }[] } };
    expect(data.order.fields.find((f) => f.name === 'order_status')?.type).toEqual({ kind: 'NON_NULL', name: null, ofType: { kind: 'ENUM', name: 'order_status_enum' } });
    expect(data.cmp.inputFields.map((f) => f.name)).toEqual(['_eq', '_in', '_is_null', '_neq', '_nin']);
    expect(data.filter.inputFields.find((f) => f.name === 'category')?.type.name).toBe('product_category_enum_comparison_exp');
    // The enum table itself stays an ordinary table with a text key.
    expect(await run('{ order_status(order_by: {value: asc}, limit: 2) { value comment } }')).toEqual({ order_status: [{ value: 'cancelled', comment: null }, { value: 'paid', comment: 'Paid, not yet shipped' }] });
  });

  it('filters with enum literals and variables, through a remote relationship too', async () => {
    expect(await run('{ customer_order(where: {order_status: {_in: [paid, pending]}}, order_by: {id: asc}) { id order_status } }'))
      .toEqual({ customer_order: [{ id: 101, order_status: 'pending' }, { id: 102, order_status: 'paid' }] });
    expect(await run('query ($s: order_status_enum!) { customer_order(where: {order_status: {_eq: $s}}) { id } }', { s: 'shipped' }))
      .toEqual({ customer_order: [{ id: 100 }] });
    expect(await run('query ($c: [product_category_enum!]) { order_line(where: {product: {category: {_in: $c}}}, order_by: {id: asc}) { id product { category } } }', { c: ['books'] }))
      .toEqual({ order_line: [{ id: 2, product: { category: 'books' } }, { id: 4, product: { category: 'books' } }, { id: 5, product: { category: 'books' } }] });
  });

  it('takes enum values in mutations', async () => {
    const r = await shop().engine.execute({ query: 'mutation ($s: order_status_enum!) { insert_customer_order_one(object: {id: 200, customer_email: "dee@example.com", order_status: $s, placed_at: "2026-03-01T00:00:00Z"}) { id order_status } }', variables: { s: 'pending' } });
    expect(r).toEqual({ data: { insert_customer_order_one: { id: 200, order_status: 'pending' } } });
    expect(await shop().databases.dbs.orders!.query('SELECT order_status FROM customer_order WHERE id = 200')).toEqual([{ order_status: 'pending' }]);
    const bad = await shop().engine.execute({ query: 'mutation { insert_customer_order_one(object: {id: 201, customer_email: "x", order_status: lost, placed_at: "2026-03-01T00:00:00Z"}) { id } }' });
    expect(bad.errors?.[0]?.message).toBe("expected one of the values 'cancelled', 'paid', 'pending', or 'shipped' for type 'order_status_enum', but found 'lost'");
  });

  it("rejects values that are not rows, in Hasura's words", async () => {
    const literal = await shop().engine.execute({ query: '{ product(where: {category: {_eq: toys}}) { id } }' });
    expect(literal.errors?.[0]).toEqual({
      message: "expected one of the values 'apparel', 'books', or 'home_garden' for type 'product_category_enum', but found 'toys'",
      extensions: { path: '$.selectionSet.product.args.where.category._eq', code: 'validation-failed' },
    });
    const variable = await shop().engine.execute({ query: 'query ($c: product_category_enum) { product(where: {category: {_eq: $c}}) { id } }', variables: { c: 'toys' } });
    expect(variable.errors?.[0]?.extensions).toEqual({ path: '$.selectionSet.product.args.where.category._eq', code: 'validation-failed' });
    expect(variable.errors?.[0]?.message).toContain("for type 'product_category_enum', but found 'toys'");
  });

  it('reports an is_enum table that breaks the rules, with the fix', async () => {
    const metadata = structuredClone(shop().metadata);
    const catalog = metadata.sources.find((s) => s.name === 'catalog')!;
    catalog.tables.find((t) => (t.table as { name: string }).name === 'product')!.is_enum = true;
    const parsed = parseMetadata(metadata);
    const sources = new Sources(parsed, { env: shop().env });
    try {
      const { inconsistent } = resolveMetadata(parsed, (await sources.introspectAll()).catalog);
      expect(inconsistent.map((e) => ({ reason: e.reason, fix: e.fix, path: e.path }))).toEqual([{
        reason: 'Inconsistent object: the table public.product cannot be used as an enum because the table’s primary key column (id) must have type “text”, not type “int4”',
        fix: 'fix the table, or set is_enum: false',
        path: '$.sources[0].tables[1].is_enum',
      }, {
        // The table is left out, so the relationship into it is inconsistent too (as in Hasura).
        reason: 'Inconsistent object: in table "order_line": in remote relationship "product": the target catalog.public.product is not a tracked, consistent table',
        fix: 'track public.product in source "catalog" (or fix it if it is inconsistent), or fix the name',
        path: '$.sources[1].tables[2].remote_relationships[0].definition.to_source',
      }]);
    } finally {
      await sources.close();
    }
  });
});
