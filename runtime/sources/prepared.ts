/**
 * Named prepared statements (issue 17; Hasura prepares its statements per connection too):
 * a statement the engine sends again and again (the plan cache's) is parsed once per
 * connection and then only bound and executed, which saves Postgres the parse and rewrite
 * of every request. Each connection keeps at most `MAX_PER_CONNECTION` of them: past that,
 * the least recently used one is deallocated first, so a connection's server memory stays
 * bounded whatever the variety of queries. The name is a digest of the text, so one text
 * has one name on every connection, and a name never stands for two texts.
 *
 * Plans stay custom (`plan_cache_mode = force_custom_plan`, set on the pool's connections):
 * a generic plan for `LIMIT $1` or `= ANY($1)` does not know the limit or the number of
 * keys, and Postgres may switch to one after five executions.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { ident, print, sql } from '../../compiler/sql/builder.js';

export const MAX_PER_CONNECTION = 200;

/** Startup option of every pool that prepares statements. */
export const CUSTOM_PLANS_OPTION = '-c plan_cache_mode=force_custom_plan';

interface ConnectionInternals {
  readonly parsedStatements: Record<string, string | undefined>;
}

/** Prepared names per connection, least recently used first. */
const prepared = new WeakMap<ConnectionInternals, Map<string, true>>();

/** Names of recent texts (a text's digest is computed once while it is in use). */
const names = new Map<string, string>();
const MAX_NAMES = 2000;

export function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `fj_${createHash('sha1').update(text).digest('hex')}`;
    if (names.size >= MAX_NAMES) names.delete(names.keys().next().value as string);
    names.set(text, name);
  }
  return name;
}

/**
 * Makes room for `name` on `client`'s connection (deallocating its least recently used
 * statement when it has `MAX_PER_CONNECTION`) and marks it used; `pg` parses it on first use.
 */
export async function reserveStatement(client: pg.PoolClient, name: string): Promise<void> {
  const connection = (client as unknown as { connection: ConnectionInternals }).connection;
  let used = prepared.get(connection);
  if (!used) {
    used = new Map();
    prepared.set(connection, used);
  }
  if (used.delete(name)) {
    used.set(name, true);
    return;
  }
  while (used.size >= MAX_PER_CONNECTION) {
    const oldest = used.keys().next().value as string;
    used.delete(oldest);
    if (connection.parsedStatements[oldest] !== undefined) {
      await client.query(print(sql`DEALLOCATE ${ident(oldest)}`).text);
      delete connection.parsedStatements[oldest];
    }
  }
  used.set(name, true);
}
