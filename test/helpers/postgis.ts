/**
 * A Postgres server with PostGIS for the PostGIS tests (issue 11 item 7): the admin URL in
 * `FARJOIN_TEST_POSTGIS` (.ci/run starts Debian's PostgreSQL with PostGIS and sets it).
 * The embedded servers have no PostGIS, so without it those tests are skipped and say so.
 */
import { randomBytes } from 'node:crypto';
import { admin } from './databases.js';

export const POSTGIS_URL = process.env.FARJOIN_TEST_POSTGIS;

export interface PostgisDatabase {
  readonly url: string;
  query(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

/** A fresh database with the postgis extension and `setup` run in it. */
export async function createPostgisDatabase(adminUrl: string, setup: string): Promise<PostgisDatabase> {
  const name = `t_postgis_${randomBytes(4).toString('hex')}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  await admin(url, (c) => c.query(`CREATE EXTENSION postgis; ${setup}`));
  return {
    url,
    query: (text, values) => admin(url, async (c) => (await c.query(text, values)).rows),
    drop: () => admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
