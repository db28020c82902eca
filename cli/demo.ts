/** `farjoin demo`: two embedded Postgres servers, the DESIGN.md §2 fixture, a served API. */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { startDemoDatabases } from '../fixtures/demo.js';
import { createEngine, type EngineLimits } from '../runtime/engine.js';
import { serve, shutdown } from '../runtime/server/serve.js';
import { exposureWarning, isLoopback } from './exposure.js';
import { onShutdown } from './report.js';

const EXAMPLES = [
  '{ orders(order_by: {id: asc}) { id user_id user { id name } } }',
  '{ user(order_by: {id: asc}) { name orders(order_by: {id: asc}) { id } } }',
];

export interface DemoOptions {
  port: number;
  host: string;
  refetchIntervalMs?: number;
  limits?: EngineLimits;
  /** Where the database URLs are written for `explain`, `fdw setup` and `serve` (removed on stop). */
  envFile: string;
}

export async function runDemo(options: DemoOptions): Promise<void> {
  console.error('farjoin demo: starting two embedded Postgres servers (source_db, target_db)…');
  const dbs = await startDemoDatabases({ log: (m) => console.error(`  ${m}`) });
  // The console and /v1/metadata write changes back to the metadata file: serve a copy, so
  // that the checked-in fixture never changes.
  const metadataDir = mkdtempSync(join(tmpdir(), 'farjoin-demo-'));
  const metadataPath = join(metadataDir, basename(dbs.metadataPath));
  copyFileSync(dbs.metadataPath, metadataPath);
  const envFile = resolve(options.envFile);
  let envWritten = false;
  let server: Server | undefined;
  let engine: Awaited<ReturnType<typeof createEngine>> | undefined;
  const stop = async (): Promise<void> => {
    // WebSockets close with 1012, requests drain, pools close (runtime/server/serve.ts).
    if (server && engine) await shutdown(server, engine);
    else await engine?.close();
    await dbs.stop();
    rmSync(metadataDir, { recursive: true, force: true });
    if (envWritten) rmSync(envFile, { force: true });
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
  envWritten = writeEnvFile(envFile, dbs.env);
  const base = `http://localhost:${port}`;
  console.log(`
farjoin demo is ready, ${process.uptime().toFixed(1)} s after the process started (a first start includes initdb and the data load)

  listening  ${options.host}:${port}${isLoopback(options.host) ? ' (this machine only; --host to change)' : ''}
  GraphiQL   ${base}/
  console    ${base}/console
  GraphQL    POST ${base}/v1/graphql
  WebSocket  ws://localhost:${port}/v1/graphql (graphql-transport-ws, legacy graphql-ws)
  explain    POST ${base}/v1/graphql/explain
  health     ${base}/healthz

  source_db  ${dbs.env.SOURCE_DB_URL}
  target_db  ${dbs.env.TARGET_DB_URL}
  metadata   ${metadataPath} (a copy of ${dbs.metadataPath}; the console writes here)
${envWritten ? `  env file   ${envFile}
             load it (set -a; . ${envFile}; set +a) and the README's explain and fdw setup commands work as they are,
             e.g. npx farjoin explain --metadata ${dbs.metadataPath} --query '{ orders { id user { name } } }'
` : ''}
Try:
  curl -s ${base}/v1/graphql -H 'content-type: application/json' \\
    -d '${JSON.stringify({ query: EXAMPLES[0] })}'
${EXAMPLES.map((q) => `  ${q}`).join('\n')}

Ctrl-C stops the server and both databases.`);
  const exposed = exposureWarning(options.host, undefined);
  if (exposed) console.error(`farjoin: warning: ${exposed}`);
}

/** SOURCE_DB_URL=… and TARGET_DB_URL=… (mode 0600: they hold the password); false, with a warning, when it cannot be written. */
function writeEnvFile(file: string, env: Readonly<Record<string, string>>): boolean {
  try {
    writeFileSync(file, Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join(''), { mode: 0o600 });
    return true;
  } catch (e) {
    console.error(`farjoin: warning: could not write ${file} (${(e as Error).message}); pass --env-out with a writable path`);
    return false;
  }
}
