/** GraphiQL from local assets (works offline): the page is rendered once and cached. */
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

/**
 * When GraphiQL is framed by the console (same origin: the console's API page), its
 * requests to this server carry the admin secret the console keeps in localStorage
 * (`farjoin:admin-secret`, console/src/api.ts) unless its Headers tab sets one — so the
 * schema, the docs explorer and queries work on a server with an admin secret. Opened on
 * its own, or framed by another origin, GraphiQL is unchanged.
 */
const CONSOLE_SECRET = `<script>(() => {
  try {
    if (window.parent === window || window.parent.location.origin !== location.origin) return;
  } catch { return; }
  const send = window.fetch.bind(window);
  window.fetch = (input, init = {}) => {
    const secret = localStorage.getItem('farjoin:admin-secret');
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (!secret || url.origin !== location.origin) return send(input, init);
    const headers = new Headers(init.headers || (input instanceof Request ? input.headers : undefined));
    if (!headers.has('x-hasura-admin-secret')) headers.set('x-hasura-admin-secret', secret);
    return send(input, { ...init, headers });
  };
})();</script>`;

let page: string | undefined;

export function graphiqlPage(): string {
  page ??= renderGraphiQL({
    title: 'farjoin GraphiQL',
    endpoint: '/v1/graphql',
    defaultQuery: '{\n  orders(order_by: {id: asc}) {\n    id\n    user_id\n    user {\n      id\n      name\n    }\n  }\n}\n',
  }).replace('<head>', `<head>${CONSOLE_SECRET}`);
  return page;
}
