/**
 * Baseline (d): the GraphQL server users write by hand for the same join — graphql-yoga,
 * resolvers over `pg`, and a per-request DataLoader that batches the user lookups of one
 * request into one `= ANY($1::int[])` statement. It serves the same query text
 * (`orders(order_by, limit) { id user_id user { id name } }`) with the same response.
 */
import DataLoader from 'dataloader';
import { createSchema, createYoga } from 'graphql-yoga';
import { createServer, type Server } from 'node:http';
import pg from 'pg';
import type { BenchUrls, OrderRow, UserRow } from '../schema.js';


interface Context {
  users: DataLoader<number, UserRow | null>;
}

const typeDefs = /* GraphQL */ `
  enum order_by { asc desc }
  input orders_order_by { id: order_by }
  type user { id: Int! name: String! }
  type orders { id: Int! user_id: Int user: user }
  type Query { orders(order_by: orders_order_by, limit: Int): [orders!]! }
`;

export interface DataloaderServer {
  readonly server: Server;
  close(): Promise<void>;
}

export function createDataloaderServer(urls: BenchUrls): DataloaderServer {
  const source = new pg.Pool({ connectionString: urls.source, max: 20 });
  const target = new pg.Pool({ connectionString: urls.target, max: 20 });
  const schema = createSchema<Context>({
    typeDefs,
    resolvers: {
      Query: {
        orders: async (_: unknown, args: { order_by?: { id?: 'asc' | 'desc' } | null; limit?: number | null }) => {
          // The direction is one of two keywords chosen here, never text from the request.
          const sql = args.order_by?.id === 'desc'
            ? 'SELECT id, user_id FROM public.orders ORDER BY id DESC LIMIT $1'
            : 'SELECT id, user_id FROM public.orders ORDER BY id ASC LIMIT $1';
          return (await source.query<OrderRow>(sql, [args.limit ?? null])).rows;
        },
      },
      orders: {
        user: (order: OrderRow, _: unknown, ctx: Context) => (order.user_id === null ? null : ctx.users.load(order.user_id)),
      },
    },
  });
  const yoga = createYoga({
    schema,
    graphqlEndpoint: '/v1/graphql',
    logging: false,
    landingPage: false,
    graphiql: false,
    context: () => ({
      users: new DataLoader<number, UserRow | null>(async (ids) => {
        const rows = (await target.query<UserRow>('SELECT id, name FROM public."user" WHERE id = ANY($1::int[])', [ids as number[]])).rows;
        const byId = new Map(rows.map((u) => [u.id, u]));
        return ids.map((id) => byId.get(id) ?? null);
      }),
    }),
  });
  const server = createServer(yoga);
  return {
    server,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([source.end(), target.end()]);
    },
  };
}
