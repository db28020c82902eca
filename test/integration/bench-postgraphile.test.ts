/**
 * The bench's PostGraphile v5 peer (issue 17): bench/peers/postgraphile.ts starts it on the
 * Node 22 binary over the bench's orders/users tables, and each of the three comparison
 * queries, mapped to farjoin's shape, equals the answer computed with SQL. Its server
 * process and the Postgres backend serving it show CPU time in /proc (bench/proc-cpu.ts).
 * Skipped, saying why, when the peer is not installed (bench/peers/install.mjs).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScaleData, loadScaleData, scaleSpec } from '../../fixtures/scale.js';
import type { ServerChild } from '../../bench/children.js';
import { asFarjoinText } from '../../bench/peers/compare.js';
import { postgraphileLocation, startPostgraphile } from '../../bench/peers/postgraphile.js';
import { PEER_QUERIES, type PeerQueryName } from '../../bench/peers/queries.js';
import { backendCpu, postmasterPid, processCpuMs } from '../../bench/proc-cpu.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';

const location = postgraphileLocation();
if (!location.ok) console.warn(`bench-postgraphile: skipped, ${location.reason}`);

describe.skipIf(!location.ok)('PostGraphile v5 as a bench peer', () => {
  let dbs: TestDatabases;
  let server: ServerChild;
  beforeAll(async () => {
    dbs = await createDatabases({ one: { server: 'a', sql: 'SELECT 1' } });
    await loadScaleData(dbs.dbs.one!.url, generateScaleData(scaleSpec(3000)), ['orders', 'user']);
    if (location.ok) server = await startPostgraphile(location, dbs.dbs.one!.url);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await dbs?.drop();
  });

  it('answers the three comparison queries as SQL does, and its CPU shows in /proc', async () => {
    const client = new pg.Client({ connectionString: dbs.dbs.one!.url });
    await client.connect();
    try {
      for (const name of Object.keys(PEER_QUERIES) as PeerQueryName[]) {
        const q = PEER_QUERIES[name];
        const res = await fetch(`http://127.0.0.1:${server.port}/v1/graphql`, {
          method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ query: q.postgraphile, variables: { n: 150 } }),
        });
        expect(res.status).toBe(200);
        const expected = await q.expected(client, 150);
        expect(JSON.parse(asFarjoinText('postgraphile5', name, await res.text()))).toEqual({ data: expected });
      }
    } finally {
      await client.end();
    }
    expect(processCpuMs(server.pid)).toBeGreaterThan(0);
    const postmaster = await postmasterPid(dbs.dbs.one!.url);
    expect(postmaster).not.toBeNull();
    // PostGraphile's pool keeps its connections: at least one client backend under the postmaster.
    expect(backendCpu([postmaster!]).size).toBeGreaterThan(0);
  });
});
