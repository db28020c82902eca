/**
 * `farjoin load` (issue 6): the client side runs against the demo fixture on the test
 * servers for a bounded time and count, and reports throughput, latency percentiles and
 * zero errors. (`npm run load` adds starting the embedded demo and sampling its pools;
 * the 60-second, 50-connection run is a manual step, not part of the suite.)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MIX, formatReport, runClients } from '../../cli/load.js';
import { packageFile } from '../../runtime/paths.js';
import { startDemo, type DemoContext } from '../helpers/demo.js';
import { listen, type Listening } from '../helpers/http.js';

let demo: DemoContext;
let http: Listening;
beforeAll(async () => {
  demo = await startDemo();
  http = await listen(demo.engine.handler);
});
afterAll(async () => {
  await http?.close();
  await demo?.close();
});

describe('farjoin load', () => {
  it('runs N clients for a bounded time and count and reports the numbers', async () => {
    const report = await runClients(`${http.url}/v1/graphql`, { duration: 10, connections: 4, maxRequests: 200 }, DEMO_MIX);
    expect(report.requests).toBe(200); // the count bound stops it long before the 10 s
    expect(report.durationSec).toBeLessThan(10);
    expect(report.errors).toBe(0);
    expect(report.throughputPerSec).toBeGreaterThan(0);
    expect(report.latencyMs.p99).toBeGreaterThanOrEqual(report.latencyMs.p50);
    expect(formatReport(report)).toMatch(/throughput +\d+ req\/s/);
    const pool = demo.engine.sources.get('source_db').pool;
    expect(pool.totalCount).toBeLessThanOrEqual(pool.options.max ?? 0);
  });

  it('counts GraphQL errors and failed requests', async () => {
    const report = await runClients(`${http.url}/v1/graphql`, { duration: 10, connections: 2, maxRequests: 4 }, [() => ({ query: '{ nope }' })]);
    expect(report.errors).toBe(4);
    expect(report.errorSamples[0]).toMatch(/GraphQL error/);
  });

  it('has --help', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [packageFile('bin', 'farjoin.js'), 'load', '--help']);
    expect(stdout).toContain('--connections');
    expect(stdout).toContain('--duration');
    expect(stdout).toContain('--max-requests');
  });
});
