/** `farjoin demo`: two embedded Postgres servers, the DESIGN.md §2 fixture, a served API. */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startDemoDatabases } from '../fixtures/demo.js';
import { createEngine, type EngineLimits } from '../runtime/engine.js';
import { serve, shutdown } from '../runtime/server/serve.js';
import { onShutdown } from './report.js';

const EXAMPLES = [
  '{ orders(order_by: {id: asc}) { id user_id user { id name } } }',
  '{ user(order_by: {id: asc}) { name orders(order_by: {id: asc}) { id } } }',
];

export async function runDemo(options: { port: number; host: string; refetchIntervalMs?: number; limits?: EngineLimits }): Promise<void> {
  const t0 = performance.now();
  console.error('farjoin demo: starting two embedded Postgres servers (source_db, target_db)…');
  const dbs = await startDemoDatabases({ log: (m) => console.error(`  ${m}`) });
  // The console and /v1/metadata write changes back to the metadata file: serve a copy, so
  // that the checked-in fixture never changes.
  const metadataDir = mkdtempSync(join(tmpdir(), 'farjoin-demo-'));
  const metadataPath = join(metadataDir, basename(dbs.metadataPath));
  copyFileSync(dbs.metadataPath, metadataPath);
  let server: Server | undefined;
  let engine: Awaited<ReturnType<typeof createEngine>> | undefined;
  const stop = async (): Promise<void> => {
    // WebSockets close with 1012, requests drain, pools close (runtime/server/serve.ts).
    if (server && engine) await shutdown(server, engine);
    else await engine?.close();
    await dbs.stop();
    rmSync(metadataDir, { recursive: true, force: true });
  };
  onShutdown(stop);
  try {
    engine = await createEngine({
      metadataPath, env: { ...process.env, ...dbs.env },
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.refetchIntervalMs ? { liveQueries: { refetchIntervalMs: options.refetchIntervalMs } } : {}),
    });
    server = await serve(engine, options.port, options.host);
  } catch (e) {
    await stop();
    throw e;
  }
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : options.port;
  const base = `http://localhost:${port}`;
  console.log(`
farjoin demo is ready in ${((performance.now() - t0) / 1000).toFixed(1)} s

  GraphiQL   ${base}/
  console    ${base}/console
  GraphQL    POST ${base}/v1/graphql
  WebSocket  ws://localhost:${port}/v1/graphql (graphql-transport-ws, legacy graphql-ws)
  explain    POST ${base}/v1/graphql/explain
  health     ${base}/healthz

  source_db  ${dbs.env.SOURCE_DB_URL.replace(/:[^:@/]+@/, ':***@')}
  target_db  ${dbs.env.TARGET_DB_URL.replace(/:[^:@/]+@/, ':***@')}
  metadata   ${metadataPath} (a copy of ${dbs.metadataPath}; the console writes here)

Try:
  curl -s ${base}/v1/graphql -H 'content-type: application/json' \\
    -d '${JSON.stringify({ query: EXAMPLES[0] })}'
${EXAMPLES.map((q) => `  ${q}`).join('\n')}

Ctrl-C stops the server and both databases.`);
}
