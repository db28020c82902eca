/**
 * `farjoin serve --metadata FILE`: connect, introspect, validate metadata, serve; without
 * `--metadata`, start with no sources (`{"version":3,"sources":[]}`) and take everything
 * through `/v1/metadata`. Request
 * logs are JSON lines on stdout (pino); SIGTERM/SIGINT stop accepting, drain in-flight
 * requests and close the pools before exiting; SIGHUP re-reads the metadata file and the
 * catalogs (`engine.reload()`) without dropping requests.
 */
import type { Server } from 'node:http';
import { createEngine, type EngineLimits } from '../runtime/engine.js';
import { createLogger } from '../runtime/server/log.js';
import { serve, shutdown } from '../runtime/server/serve.js';
import { formatInconsistencies } from './check.js';
import { exposureWarning } from './exposure.js';
import { onShutdown } from './report.js';

export interface ServeOptions {
  metadata?: string;
  metadataDatabase?: string;
  port: number;
  host: string;
  adminSecret?: string;
  unauthorizedRole?: string;
  stringifyNumericTypes?: boolean;
  refetchIntervalMs?: number;
  /** Refuse to start on inconsistent metadata or a source that is down (`--strict`). */
  strict?: boolean;
  limits?: EngineLimits;
  enableAllowlist?: boolean;
}

export async function runServe(options: ServeOptions): Promise<void> {
  const adminSecret = options.adminSecret ?? process.env.FARJOIN_ADMIN_SECRET;
  const logger = createLogger();
  const engine = await createEngine({
    ...(options.metadata ? { metadataPath: options.metadata } : {}),
    ...(options.metadataDatabase ? { metadataDatabase: options.metadataDatabase } : {}), logger,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(adminSecret ? { adminSecret } : {}),
    ...(options.unauthorizedRole ? { unauthorizedRole: options.unauthorizedRole } : {}),
    ...(options.stringifyNumericTypes ? { stringifyNumericTypes: true } : {}),
    ...(options.refetchIntervalMs ? { liveQueries: { refetchIntervalMs: options.refetchIntervalMs } } : {}),
    ...(options.strict ? { strictMetadata: true } : {}),
    ...(options.enableAllowlist ? { enableAllowlist: true } : {}),
  });
  const inconsistent = engine.inconsistencies();
  if (inconsistent.length > 0) {
    console.error(`farjoin: ${inconsistent.length} inconsistent metadata object${inconsistent.length === 1 ? '' : 's'} left out of the schema (everything else is served; \`farjoin check\` lists them, --strict refuses to start):\n${formatInconsistencies(inconsistent)}`);
  }
  let server: Server;
  try {
    server = await serve(engine, options.port, options.host);
  } catch (e) {
    await engine.close();
    throw e;
  }
  onShutdown(async () => {
    await shutdown(server, engine);
    logger.info({}, 'stopped: requests drained, pools closed');
  });
  process.on('SIGHUP', () => {
    engine.reload().then(
      () => logger.info({ tables: engine.compiler.model.tables.length }, 'reloaded metadata'),
      (e: unknown) => logger.error({ err: { message: (e as Error).message } }, 'reload failed; still serving the previous metadata'),
    );
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : options.port;
  const url = `http://localhost:${port}/v1/graphql`;
  logger.info({ url, port, tables: engine.compiler.model.tables.length, sources: engine.metadata.sources.length, metadataStore: engine.metadataApi.store.kind }, 'listening');
  if (engine.metadataApi.store.kind === 'memory') {
    console.error('farjoin: no --metadata file: changes made through /v1/metadata are kept in memory only; pass --metadata FILE to keep them');
  }
  console.error(`farjoin serving ${engine.compiler.model.tables.length} tables from ${engine.metadata.sources.length} sources at ${url} (GraphiQL at http://localhost:${port}/), ready ${process.uptime().toFixed(1)} s after the process started`);
  const exposed = exposureWarning(options.host, adminSecret);
  if (exposed) {
    logger.warn({ host: options.host }, exposed);
    console.error(`farjoin: warning: ${exposed}`);
  }
}
