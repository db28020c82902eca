/**
 * Source customization (issue 11 item 5) on the storefront as exported — both sources
 * `naming_convention: graphql-default`, enum tables, remote relationships between the two
 * databases: camelCase fields and arguments (`orderBy`, `distinctOn`, `_isNull`,
 * `productByPk`, `…Aggregate`, `stddevPop`), PascalCase types (`CustomerOrderBoolExp`,
 * `OrderBy`, `StringComparisonExp`, `OrderStatusEnum`), upper-case enum values (`ASC`,
 * `PAID`), exactly as Hasura applies them (Hasura `Data.Text.Casing`, issue #8640), under
 * every strategy; then root field and type name prefixes/suffixes, custom table and column
 * names, HASURA_GRAPHQL_DEFAULT_NAMING_CONVENTION and root_fields.namespace.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../runtime/engine.js';
import { BLOG_SQL, ENGAGE_SQL, blogMetadata } from '../helpers/blog.js';
import { createDatabases } from '../helpers/databases.js';
import { executeEach } from '../helpers/strategies.js';
import { startStorefront, useStorefront, type StorefrontMetadata } from '../helpers/storefront.js';

const shop = useStorefront();

async function run(query: string, variables?: Record<string, unknown>) {
  const results = await executeEach(shop().engine, { query, variables: variables ?? null });
  return results.same();
}

async function typeFields(name: string): Promise<string[]> {
  const r = await shop().engine.execute({ query: `{ __type(name: "${name}") { name fields { name } inputFields { name } enumValues { name } } }` });
  const t = (r.data as { __type: { fields: { name: string }[] | null; inputFields: { name: string }[] | null; enumValues: { name: string }[] | null } | null }).__type;
  expect(t, `type ${name}`).not.toBeNull();
  return (t?.fields ?? t?.inputFields ?? t?.enumValues ?? []).map((f) => f.name);
}

describe('graphql-default', () => {
  it('names root fields, types, arguments and operators as Hasura does', async () => {
    const root = await typeFields('query_root');
    expect(root).toEqual(expect.arrayContaining(['customerOrder', 'customerOrderAggregate', 'customerOrderByPk', 'orderLine', 'product', 'productByPk', 'productCategory', 'orderStatus']));
    expect(await typeFields('CustomerOrder')).toEqual(['customerEmail', 'id', 'lines', 'linesAggregate', 'orderStatus', 'placedAt']);
    expect(await typeFields('CustomerOrderBoolExp')).toEqual(['_and', '_not', '_or', 'customerEmail', 'id', 'lines', 'orderStatus', 'placedAt']);
    expect(await typeFields('CustomerOrderOrderBy')).toEqual(['customerEmail', 'id', 'linesAggregate', 'orderStatus', 'placedAt']);
    expect(await typeFields('OrderBy')).toEqual(['ASC', 'ASC_NULLS_FIRST', 'ASC_NULLS_LAST', 'DESC', 'DESC_NULLS_FIRST', 'DESC_NULLS_LAST']);
    expect(await typeFields('StringComparisonExp')).toEqual(expect.arrayContaining(['_eq', '_ilike', '_isNull', '_nin']));
    expect(await typeFields('OrderStatusEnum')).toEqual(['CANCELLED', 'PAID', 'PENDING', 'SHIPPED']);
    expect(await typeFields('OrderStatusEnumComparisonExp')).toEqual(['_eq', '_in', '_isNull', '_neq', '_nin']);
    expect(await typeFields('ProductAggregateFields')).toEqual(['avg', 'count', 'max', 'min', 'stddev', 'stddevPop', 'stddevSamp', 'sum', 'varPop', 'varSamp', 'variance']);
    expect(await typeFields('ProductStddevPopFields')).toEqual(['id', 'priceCents']);
    const args = await shop().engine.execute({ query: '{ __type(name: "query_root") { fields { name args { name } } } }' });
    const product = (args.data as { __type: { fields: { name: string; args: { name: string }[] }[] } }).__type.fields.find((f) => f.name === 'product');
    expect(product?.args.map((a) => a.name)).toEqual(['distinctOn', 'limit', 'offset', 'orderBy', 'where']);
  });

  // Enum columns answer with the enum's value names, upper-cased like the inputs (Hasura's
  // tests-py naming_conventions/enum_value_convention.yaml: "should be uppercased").
  it("answers a front end's query with enum values in filters, variables and ordering", async () => {
    const data = await run(`query Orders($status: [OrderStatusEnum!]) {
      customerOrder(where: {orderStatus: {_in: $status}}, orderBy: {placedAt: DESC}) {
        id customerEmail orderStatus
        lines(orderBy: {id: ASC}) { id quantity product { displayName category productCategory { comment } } }
        linesAggregate { aggregate { count sum { quantity } } }
      }
    }`, { status: ['PAID', 'SHIPPED'] });
    expect(data).toEqual({ customerOrder: [
      { id: 102, customerEmail: 'bob@example.com', orderStatus: 'PAID',
        lines: [{ id: 4, quantity: 1, product: { displayName: 'Field guide to ferns', category: 'BOOKS', productCategory: { comment: 'Printed and electronic books' } } },
          { id: 5, quantity: 3, product: { displayName: 'Pocket atlas', category: 'BOOKS', productCategory: { comment: 'Printed and electronic books' } } }],
        linesAggregate: { aggregate: { count: 2, sum: { quantity: 4 } } } },
      { id: 100, customerEmail: 'ann@example.com', orderStatus: 'SHIPPED',
        lines: [{ id: 1, quantity: 1, product: { displayName: 'Rain jacket', category: 'APPAREL', productCategory: { comment: 'Clothing and shoes' } } },
          { id: 2, quantity: 2, product: { displayName: 'Field guide to ferns', category: 'BOOKS', productCategory: { comment: 'Printed and electronic books' } } }],
        linesAggregate: { aggregate: { count: 2, sum: { quantity: 3 } } } },
    ] });
  });

  it('by-pk, aggregates, _isNull, distinctOn and remote array aggregates under their camelCase names', async () => {
    expect(await run(`{
      productByPk(id: 3) { displayName orderLinesAggregate { aggregate { count } } orderLines(where: {quantity: {_gt: 1}}) { id } }
      productAggregate(where: {discontinuedAt: {_isNull: true}}) { aggregate { count max { priceCents } } }
      product(distinctOn: category, orderBy: [{category: ASC}, {priceCents: DESC}]) { category displayName }
    }`)).toEqual({
      productByPk: { displayName: 'Field guide to ferns', orderLinesAggregate: { aggregate: { count: 2 } }, orderLines: [{ id: 2 }] },
      productAggregate: { aggregate: { count: 4, max: { priceCents: 12000 } } },
      product: [{ category: 'APPAREL', displayName: 'Trail shoes' }, { category: 'BOOKS', displayName: 'Field guide to ferns' }, { category: 'HOME_GARDEN', displayName: 'Watering can' }],
    });
    // Ordering by a remote array's aggregate (a pushdown: auto and fdw run it).
    const ordered = await executeEach(shop().engine, { query: '{ product(where: {category: {_eq: BOOKS}}, orderBy: {orderLinesAggregate: {count: DESC_NULLS_LAST}}, limit: 1) { id } }' }, { remoteOrder: true });
    expect(ordered.same()).toEqual({ product: [{ id: 3 }] });
  });

  it('keeps Hasura default names out of the renamed surface', async () => {
    const r = await shop().engine.execute({ query: '{ product(order_by: {id: asc}) { id } }' });
    expect(r.errors?.[0]).toEqual({ message: "'product' has no argument named 'order_by'", extensions: { path: '$.selectionSet.product', code: 'validation-failed' } });
    // A filter's null comparison is refused at the argument as written (`where` keeps its name).
    const nullEq = await shop().engine.execute({ query: 'query ($d: timestamptz) { product(where: {discontinuedAt: {_eq: $d}}) { id } }', variables: { d: null } });
    expect(nullEq.errors?.[0]?.extensions?.path).toBe('$.selectionSet.product.args.where.discontinuedAt._eq');
    const op = await shop().engine.execute({ query: '{ product(where: {discontinuedAt: {_is_null: true}}) { id } }' });
    expect(op.errors?.[0]?.message).toBe("field '_is_null' not found in type: 'TimestamptzComparisonExp'");
  });

  it('applies a role\'s permissions under the renamed surface', async () => {
    const r = await shop().engine.execute({
      query: '{ customerOrder(orderBy: {id: ASC}) { id orderStatus lines { id product { displayName } } } }',
      headers: { 'x-hasura-role': 'customer', 'x-hasura-user-email': 'ann@example.com' },
    });
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ customerOrder: [
      { id: 100, orderStatus: 'SHIPPED', lines: [{ id: 1, product: { displayName: 'Rain jacket' } }, { id: 2, product: { displayName: 'Field guide to ferns' } }] },
      { id: 101, orderStatus: 'PENDING', lines: [{ id: 3, product: { displayName: 'Trail shoes' } }, { id: 8, product: null }] },
    ] });
  });
});

describe('prefixes, suffixes, custom names and the default convention', () => {
  it('wraps root fields and type names, keeps custom names as Hasura does, and follows HASURA_GRAPHQL_DEFAULT_NAMING_CONVENTION', async () => {
    const edit = (m: StorefrontMetadata) => {
      const [catalog, orders] = m.sources;
      delete catalog!.customization; // follows the environment's default: graphql-default
      orders!.customization = { naming_convention: 'hasura-default', root_fields: { prefix: 'shop_', suffix: '_v1' }, type_names: { prefix: 'Shop_' } };
      const product = catalog!.tables.find((t) => (t.table as { name: string }).name === 'product')!;
      product.configuration = { custom_name: 'item', column_config: { display_name: { custom_name: 'title' } } };
      orders!.tables.find((t) => (t.table as { name: string }).name === 'customer_order')!.configuration = { custom_root_fields: { select_stream: 'order_feed' } };
    };
    const s = await startStorefront(edit, { HASURA_GRAPHQL_DEFAULT_NAMING_CONVENTION: 'graphql-default' });
    try {
      const data = (await executeEach(s.engine, { query: `{
        shop_customer_order_v1(where: {order_status: {_eq: paid}}) { id __typename lines(order_by: {id: asc}) { product { title __typename } } }
        item(where: {priceCents: {_gt: 10000}}) { title }
        itemByPk(id: 1) { title }
      }` })).same();
      expect(data).toEqual({
        shop_customer_order_v1: [{ id: 102, __typename: 'Shop_customer_order', lines: [{ product: { title: 'Field guide to ferns', __typename: 'item' } }, { product: { title: 'Pocket atlas', __typename: 'item' } }] }],
        item: [{ title: 'Trail shoes' }],
        itemByPk: { title: 'Rain jacket' },
      });
      const roots = await s.engine.execute({ query: '{ __type(name: "subscription_root") { fields { name } } }' });
      const subscriptionRoots = (roots.data as { __type: { fields: { name: string }[] } }).__type.fields.map((f) => f.name);
      expect(subscriptionRoots).toEqual(expect.arrayContaining(['shop_order_feed_v1', 'shop_order_line_stream_v1', 'itemStream']));
      const types = await s.engine.execute({ query: '{ a: __type(name: "Shop_order_status_enum") { enumValues { name } } b: __type(name: "itemBoolExp") { name } c: __type(name: "ProductCategoryEnum") { name } }' });
      expect(types.data).toEqual({ a: { enumValues: [{ name: 'cancelled' }, { name: 'paid' }, { name: 'pending' }, { name: 'shipped' }] }, b: { name: 'itemBoolExp' }, c: { name: 'ProductCategoryEnum' } });
    } finally {
      await s.engine.close();
      await s.databases.drop();
    }
  });

  it('nests a source under its root_fields.namespace, remote relationships into it included', async () => {
    const s = await startStorefront((m) => {
      m.sources[0]!.customization = { naming_convention: 'graphql-default', root_fields: { namespace: 'catalog' } };
    });
    try {
      const data = (await executeEach(s.engine, { query: `{
        catalog { __typename product(orderBy: {id: ASC}, limit: 2) { id displayName orderLines(orderBy: {id: ASC}) { id } } one: productByPk(id: 5) { displayName } }
        orderLine(where: {id: {_eq: 1}}) { product { displayName } }
      }` })).same();
      expect(data).toEqual({
        catalog: { __typename: 'CatalogQuery', product: [{ id: 1, displayName: 'Rain jacket', orderLines: [{ id: 1 }] }, { id: 2, displayName: 'Trail shoes', orderLines: [{ id: 3 }] }], one: { displayName: 'Pocket atlas' } },
        orderLine: [{ product: { displayName: 'Rain jacket' } }],
      });
      // A streaming subscription inside the namespace advances its cursor batch by batch.
      const stream = s.engine.subscribe({ query: 'subscription { catalog { productStream(batchSize: 2, cursor: {initialValue: {id: 0}, ordering: ASC}) { id } } }' });
      const batches: unknown[] = [];
      for await (const r of stream) {
        batches.push(r.data);
        if (batches.length === 3) break;
      }
      expect(batches).toEqual([1, 3, 5].map((from) => ({ catalog: { productStream: from === 5 ? [{ id: 5 }] : [{ id: from }, { id: from + 1 }] } })));
      const flat = await s.engine.execute({ query: '{ product { id } }' });
      expect(flat.errors?.[0]?.message).toBe("field 'product' not found in type: 'query_root'");
      // Hasura's MkTypename: `<namespace>_query` / `_subscription`, then the convention over the whole name.
      const roots = await s.engine.execute({ query: '{ q: __type(name: "query_root") { fields(includeDeprecated: true) { name type { ofType { name } } } } s: __type(name: "subscription_root") { fields { name type { ofType { name } } } } }' });
      const typeOf = (root: 'q' | 's') => (roots.data as Record<string, { fields: { name: string; type: { ofType: { name: string } | null } }[] }>)[root]!.fields.find((f) => f.name === 'catalog')?.type.ofType?.name;
      expect([typeOf('q'), typeOf('s')]).toEqual(['CatalogQuery', 'CatalogSubscription']);
    } finally {
      await s.engine.close();
      await s.databases.drop();
    }
  });

  it("puts a namespaced source's tracked query functions in its namespace", async () => {
    const databases = await createDatabases({ blog: { server: 'a', sql: BLOG_SQL }, engage: { server: 'b', sql: ENGAGE_SQL } });
    const metadata = blogMetadata({ blog: databases.dbs.blog!.url, engage: databases.dbs.engage!.url });
    (metadata.sources[0] as { customization?: unknown }).customization = { root_fields: { namespace: 'blog' } };
    const engine = await createEngine({ metadata });
    try {
      const r = await engine.execute({ query: '{ blog { search_articles(args: {search: "o"}, order_by: {id: asc}, limit: 2) { id } } }' });
      const expected = await databases.dbs.blog!.query(`SELECT id FROM search_articles('o') ORDER BY id LIMIT 2`);
      expect(r).toEqual({ data: { blog: { search_articles: expected } } });
      expect((await engine.execute({ query: '{ search_articles(args: {search: "o"}) { id } }' })).errors?.[0]?.message).toBe("field 'search_articles' not found in type: 'query_root'");
    } finally {
      await engine.close();
      await databases.drop();
    }
  });
});
