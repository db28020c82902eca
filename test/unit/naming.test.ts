/**
 * Hasura's naming rules (compiler/schema/naming.ts), case by case against the names Hasura
 * documents and generates: docs "Naming conventions" (app_db.app_users → appDbAppUsersAggregate,
 * stddev_pop → stddevPop, custom name table_one → table_oneByPk / insertTable_oneOne) and
 * `Data.Text.Casing` (`fromSnake "_hello_world_foo"` → `["_hello","world","foo"]`).
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CUSTOMIZATION, enumValueCase, fieldCase, fromSnake, namespaceTypeName, readCustomization, tableIdentifier, tableRootField, tableTypeName, typeCase,
  type SourceCustomization,
} from '../../compiler/schema/naming.js';

const graphql: SourceCustomization = { namingConvention: 'graphql-default', rootFields: {}, typeNames: {} };
const naming = (c: SourceCustomization, schema: string, name: string, custom?: string) => ({ identifier: tableIdentifier(schema, name, custom), customization: c });

describe('naming conventions', () => {
  it('splits snake case as Hasura does', () => {
    expect(fromSnake('_hello_world_foo')).toEqual(['_hello', 'world', 'foo']);
    expect(fromSnake('order_items')).toEqual(['order', 'items']);
  });

  it('hasura-default keeps every name as written', () => {
    const n = naming(DEFAULT_CUSTOMIZATION, 'app_db', 'app_users');
    expect(tableRootField(n, [], [])).toBe('app_db_app_users');
    expect(tableRootField(n, [], ['aggregate'])).toBe('app_db_app_users_aggregate');
    expect(tableTypeName(n, 'bool', 'exp')).toBe('app_db_app_users_bool_exp');
    expect(fieldCase(DEFAULT_CUSTOMIZATION, 'order_by')).toBe('order_by');
    expect(enumValueCase(DEFAULT_CUSTOMIZATION, 'sunday')).toBe('sunday');
  });

  it('graphql-default camel-cases fields and arguments, Pascal-cases types, upper-cases enum values', () => {
    const n = naming(graphql, 'app_db', 'app_users');
    expect(tableRootField(n, [], ['aggregate'])).toBe('appDbAppUsersAggregate');
    expect(tableRootField(n, [], ['by', 'pk'])).toBe('appDbAppUsersByPk');
    expect(tableRootField(n, ['insert'], ['one'])).toBe('insertAppDbAppUsersOne');
    expect(tableTypeName(n)).toBe('AppDbAppUsers');
    expect(tableTypeName(n, 'stddev', 'pop', 'fields')).toBe('AppDbAppUsersStddevPopFields');
    expect(fieldCase(graphql, 'stddev_pop')).toBe('stddevPop');
    expect(fieldCase(graphql, 'distinct_on')).toBe('distinctOn');
    expect(fieldCase(graphql, '_is_null')).toBe('_isNull');
    expect(fieldCase(graphql, '_has_keys_any')).toBe('_hasKeysAny');
    expect(fieldCase(graphql, 'favourite_day')).toBe('favouriteDay');
    expect(typeCase(graphql, 'String_comparison_exp')).toBe('StringComparisonExp');
    expect(typeCase(graphql, 'order_by')).toBe('OrderBy');
    expect(enumValueCase(graphql, 'asc_nulls_first')).toBe('ASC_NULLS_FIRST');
  });

  it('keeps a custom table name at the front, as the documentation table shows', () => {
    const n = naming(graphql, 'public', 'x', 'table_one');
    expect(tableRootField(n, [], [])).toBe('table_one');
    expect(tableRootField(n, [], ['by', 'pk'])).toBe('table_oneByPk');
    expect(tableRootField(n, ['insert'], ['one'])).toBe('insertTable_oneOne');
    expect(tableRootField(naming(graphql, 'public', 'x', 'TableOne'), [], ['by', 'pk'])).toBe('TableOneByPk');
  });

  it('applies root and type prefixes and suffixes', () => {
    const hasura = { ...DEFAULT_CUSTOMIZATION, rootFields: { prefix: 'shop_', suffix: '_v1' }, typeNames: { prefix: 'Shop_' } };
    expect(tableRootField(naming(hasura, 'public', 'orders'), [], ['aggregate'])).toBe('shop_orders_aggregate_v1');
    expect(tableTypeName(naming(hasura, 'public', 'orders'), 'bool', 'exp')).toBe('Shop_orders_bool_exp');
    const camel = { ...graphql, rootFields: { prefix: 'shop' }, typeNames: { suffix: 'T' } };
    expect(tableRootField(naming(camel, 'public', 'order_items'), [], ['by', 'pk'])).toBe('shopOrderItemsByPk');
    expect(tableTypeName(naming(camel, 'public', 'order_items'))).toBe('OrderItemsT');
  });

  it("names a namespace's types as Hasura's MkTypename does: prefix/suffix around <namespace>_<root>, then the convention", () => {
    expect(namespaceTypeName(DEFAULT_CUSTOMIZATION, 'catalog', 'query')).toBe('catalog_query');
    expect(namespaceTypeName({ ...DEFAULT_CUSTOMIZATION, typeNames: { prefix: 'shop_', suffix: '_t' } }, 'catalog', 'mutation_frontend')).toBe('shop_catalog_mutation_frontend_t');
    expect(namespaceTypeName(graphql, 'catalog', 'subscription')).toBe('CatalogSubscription');
    expect(namespaceTypeName({ ...graphql, typeNames: { prefix: 'shop_' } }, 'catalog', 'query')).toBe('ShopCatalogQuery');
  });

  it('reads a source customization, with the environment default', () => {
    expect(readCustomization(undefined, 'graphql-default', '$.c')).toEqual({ customization: { ...DEFAULT_CUSTOMIZATION, namingConvention: 'graphql-default' } });
    expect(readCustomization({ naming_convention: 'hasura-default', root_fields: { namespace: 'shop' } }, 'graphql-default', '$.c'))
      .toEqual({ customization: { namingConvention: 'hasura-default', rootFields: { namespace: 'shop' }, typeNames: {} } });
    expect(readCustomization({ naming_convention: 'camel' }, 'hasura-default', '$.c'))
      .toEqual({ error: 'naming_convention can either be "hasura-default" or "graphql-default"', path: '$.c.naming_convention' });
    expect(readCustomization({ type_names: { prefix: 'a-b' } }, 'hasura-default', '$.c')).toEqual({ error: 'type_names.prefix must be a valid GraphQL name', path: '$.c.type_names.prefix' });
  });
});
