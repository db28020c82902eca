/**
 * Hasura's schema and errors, exactly (issue 11 item 8), on the storefront split over two
 * databases (hasura-default naming here; test/integration/naming-conventions.test.ts has
 * graphql-default): fields in name order, no `_exists` in GraphQL filters, remote
 * relationship fields typed as Hasura types them, and validation errors in Hasura's words
 * and paths, the first one only — through `createEngine` and real Postgres.
 */
import { describe, expect, it } from 'vitest';
import { executeEach } from '../helpers/strategies.js';
import { plainStorefront, useStorefront } from '../helpers/storefront.js';

const shop = useStorefront(plainStorefront);

interface TypeRef { kind: string; name: string | null; ofType: TypeRef | null }
const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name } } }';
const show = (t: TypeRef | null): string => !t ? '?' : t.kind === 'NON_NULL' ? `${show(t.ofType)}!` : t.kind === 'LIST' ? `[${show(t.ofType)}]` : t.name ?? '?';

async function type(name: string) {
  const r = await shop().engine.execute({ query: `{ __type(name: "${name}") { fields { name type { ${TYPE_REF} } } inputFields { name } } }` });
  expect(r.errors).toBeUndefined();
  return (r.data as { __type: { fields: { name: string; type: TypeRef }[] | null; inputFields: { name: string }[] | null } | null }).__type;
}

describe('the schema as Hasura lists it', () => {
  it('lists object and input fields in name order', async () => {
    const product = await type('product');
    expect(product?.fields?.map((f) => f.name)).toEqual(['category', 'discontinued_at', 'display_name', 'id', 'orderLines', 'orderLines_aggregate', 'price_cents', 'productCategory']);
    const filter = await type('product_bool_exp');
    expect(filter?.inputFields?.map((f) => f.name)).toEqual(['_and', '_not', '_or', 'category', 'discontinued_at', 'display_name', 'id', 'orderLines', 'price_cents', 'productCategory']);
    const root = (await type('query_root'))?.fields?.map((f) => f.name) ?? [];
    expect(root).toEqual([...root].sort());
    expect(root).toContain('customer_order_by_pk');
  });

  it('lists every object and input type of the schema in name order, mutation inputs included', async () => {
    const r = await shop().engine.execute({ query: '{ __schema { types { name fields { name } inputFields { name } } } }' });
    const types = (r.data as { __schema: { types: { name: string; fields: { name: string }[] | null; inputFields: { name: string }[] | null }[] } }).__schema.types;
    const unsorted = types.filter((t) => {
      const names = (t.fields ?? t.inputFields ?? []).map((f) => f.name);
      return !t.name.startsWith('__') && names.join() !== [...names].sort().join();
    }).map((t) => t.name);
    expect(unsorted).toEqual([]);
    expect(types.map((t) => t.name)).toContain('customer_order_insert_input');
  });

  it("describes tables as Hasura does: the name double-quoted, without 'public.'", async () => {
    const r = await shop().engine.execute({ query: '{ q: __type(name: "query_root") { fields { name description } } b: __type(name: "product_bool_exp") { description } }' });
    const d = r.data as { q: { fields: { name: string; description: string }[] }; b: { description: string } };
    const described = (name: string) => d.q.fields.find((f) => f.name === name)?.description;
    expect([described('product'), described('product_by_pk'), described('product_aggregate')]).toEqual([
      'fetch data from the table: "product"', 'fetch data from the table: "product" using primary key columns', 'fetch aggregated fields from the table: "product"',
    ]);
    expect(d.b.description).toBe('Boolean expression to filter rows from the table "product". All fields are combined with a logical \'AND\'.');
  });

  it('has _exists in no GraphQL bool_exp', async () => {
    const r = await shop().engine.execute({ query: '{ __schema { types { name inputFields { name } } } }' });
    const types = (r.data as { __schema: { types: { name: string; inputFields: { name: string }[] | null }[] } }).__schema.types;
    const withExists = types.filter((t) => t.inputFields?.some((f) => f.name === '_exists')).map((t) => t.name);
    expect(withExists).toEqual([]);
    expect(types.some((t) => t.name === '_exists_exp')).toBe(false);
  });

  it('types remote relationships as Hasura does: object T, array [T!]! and T_aggregate!', async () => {
    const line = await type('order_line');
    expect(show(line?.fields?.find((f) => f.name === 'product')?.type ?? null)).toBe('product');
    const product = await type('product');
    expect(show(product?.fields?.find((f) => f.name === 'orderLines')?.type ?? null)).toBe('[order_line!]!');
    expect(show(product?.fields?.find((f) => f.name === 'orderLines_aggregate')?.type ?? null)).toBe('order_line_aggregate!');
  });

  it('still answers null for a remote field whose key is null, under every strategy', async () => {
    const data = await (await executeEach(shop().engine, { query: '{ order_line(where: {id: {_in: [6, 7, 8]}}, order_by: {id: asc}) { id product { display_name } } }' })).same();
    expect(data).toEqual({ order_line: [{ id: 6, product: { display_name: 'Watering can' } }, { id: 7, product: null }, { id: 8, product: null }] });
  });
});

describe("validation errors in Hasura's words, the first one only", () => {
  const failure = async (query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) => {
    const r = await shop().engine.execute({ query, variables: variables ?? null, headers });
    expect(r.data).toBeUndefined();
    expect(r.errors).toHaveLength(1);
    return r.errors![0];
  };
  const at = (message: string, path: string) => ({ message, extensions: { path, code: 'validation-failed' } });

  it('unknown operator inside a filter', async () => {
    expect(await failure('{ product(where: {display_name: {_ne: "x"}}) { id } }'))
      .toEqual(at("field '_ne' not found in type: 'String_comparison_exp'", '$.selectionSet.product.args.where.display_name._ne'));
  });

  it('unknown field and unknown argument, first error only', async () => {
    expect(await failure('{ customer_order { id nope other } }')).toEqual(at("field 'nope' not found in type: 'customer_order'", '$.selectionSet.customer_order.selectionSet.nope'));
    expect(await failure('{ orders: customer_order(sort: 1) { id } }')).toEqual(at("'customer_order' has no argument named 'sort'", '$.selectionSet.orders'));
  });

  it('wrong value types and missing required arguments and variables', async () => {
    expect(await failure('{ product(limit: "2") { id } }')).toEqual(at("expected a 32-bit integer for type 'Int', but found a string", '$.selectionSet.product.args.limit'));
    expect(await failure('{ product_by_pk { id } }')).toEqual(at("missing required field 'id'", '$.selectionSet.product_by_pk.args'));
    const q = 'query one($id: Int!) { product_by_pk(id: $id) { id } }';
    expect(await failure(q)).toEqual(at('expecting a value for non-nullable variable: "id"', '$'));
    expect(await failure(q, { id: '3' })).toEqual(at("expected a 32-bit integer for type 'Int', but found a string", '$.selectionSet.product_by_pk.args.id'));
    expect(await failure('query ($n: String) { product(limit: $n) { id } }', { n: '1' }))
      .toEqual(at('variable "n" is declared as String, but used where Int is expected', '$.selectionSet.product.args.limit'));
  });

  it('a null comparison value, literal or from a variable (Hasura rejects it; _is_null compares with null)', async () => {
    expect(await failure('query ($n: Int) { product(where: {id: {_gt: $n}}) { id } }', { n: null }))
      .toEqual(at("unexpected null value for type 'Int'", '$.selectionSet.product.args.where.id._gt'));
    expect(await failure('{ product(where: {display_name: {_eq: null}}) { id } }'))
      .toEqual(at("unexpected null value for type 'String'", '$.selectionSet.product.args.where.display_name._eq'));
    expect(await failure('{ product(where: {id: {_in: null}}) { id } }'))
      .toEqual(at("unexpected null value for type '[Int!]'", '$.selectionSet.product.args.where.id._in'));
  });

  it('a missing session variable', async () => {
    const e = await failure('{ customer_order { id } }', undefined, { 'x-hasura-admin-secret': '', 'x-hasura-role': 'customer' });
    expect(e?.message).toBe('missing session variables: "x-hasura-user-email"');
  });
});
