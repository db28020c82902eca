/** `farjoin serve --metadata FILE`: connect, introspect, validate metadata, serve. */
import type { Server } from 'node:http';
import { createEngine } from '../runtime/engine.js';
import { serve } from '../runtime/server/serve.js';
import { onShutdown } from './report.js';

export async function runServe(options: { metadata: string; port: number; host: string; adminSecret?: string }): Promise<void> {
  const adminSecret = options.adminSecret ?? process.env.FARJOIN_ADMIN_SECRET;
  const engine = await createEngine({ metadataPath: options.metadata, ...(adminSecret ? { adminSecret } : {}) });
  let server: Server;
  try {
    server = await serve(engine, options.port, options.host);
  } catch (e) {
    await engine.close();
    throw e;
  }
  onShutdown(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await engine.close();
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : options.port;
  console.log(`farjoin serving ${engine.compiler.model.tables.length} tables from ${engine.metadata.sources.length} sources at http://localhost:${port}/v1/graphql (GraphiQL at http://localhost:${port}/)`);
}
