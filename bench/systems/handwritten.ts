/**
 * Baseline (c): what a careful developer writes by hand for the object join — `pg`, one
 * statement per database, the distinct keys shipped as `= ANY($1::int[])`, a `Map` to
 * join, `JSON.stringify` to answer. Same response as farjoin's, byte for byte.
 */
import pg from 'pg';
import type { BenchUrls, OrderRow, UserRow } from '../schema.js';


export class Handwritten {
  private readonly source: pg.Pool;
  private readonly target: pg.Pool;

  constructor(urls: BenchUrls) {
    this.source = new pg.Pool({ connectionString: urls.source, max: 20 });
    this.target = new pg.Pool({ connectionString: urls.target, max: 20 });
  }

  /** `{ orders(order_by: {id: asc}, limit: n) { id user_id user { id name } } }` as JSON text. */
  async orders(n: number): Promise<string> {
    const orders = (await this.source.query<OrderRow>('SELECT id, user_id FROM public.orders ORDER BY id LIMIT $1', [n])).rows;
    const keys = new Set<number>();
    for (const o of orders) if (o.user_id !== null) keys.add(o.user_id);
    const users = new Map<number, UserRow>();
    if (keys.size > 0) {
      const rows = (await this.target.query<UserRow>('SELECT id, name FROM public."user" WHERE id = ANY($1::int[])', [[...keys]])).rows;
      for (const u of rows) users.set(u.id, u);
    }
    const out = orders.map((o) => {
      const u = o.user_id === null ? undefined : users.get(o.user_id);
      return { id: o.id, user_id: o.user_id, user: u ? { id: u.id, name: u.name } : null };
    });
    return JSON.stringify({ data: { orders: out } });
  }

  async close(): Promise<void> {
    await Promise.all([this.source.end(), this.target.end()]);
  }
}
