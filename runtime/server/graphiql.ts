/** GraphiQL from local assets (works offline): the page is rendered once and cached. */
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

let page: string | undefined;

export function graphiqlPage(): string {
  page ??= renderGraphiQL({
    title: 'farjoin GraphiQL',
    endpoint: '/v1/graphql',
    defaultQuery: '{\n  orders(order_by: {id: asc}) {\n    id\n    user_id\n    user {\n      id\n      name\n    }\n  }\n}\n',
  });
  return page;
}
