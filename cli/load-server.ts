/**
 * Worker thread for `farjoin load` without `--url`: runs the engine and its HTTP server
 * on loopback, apart from the load clients' event loop (on 2 cores, one loop for both
 * would measure the client as much as the server). Answers `pools` messages with each
 * source pool's current sizes and limit.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createEngine } from '../runtime/engine.js';
import { serve, shutdown } from '../runtime/server/serve.js';

export interface LoadServerData {
  readonly metadataPath: string;
  readonly env: Record<string, string>;
}

export interface PoolSample {
  readonly source: string;
  readonly max: number;
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

export type LoadServerMessage =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'pools'; readonly pools: readonly PoolSample[] }
  | { readonly type: 'stopped' }
  | { readonly type: 'failed'; readonly message: string };

const port = parentPort;
if (!port) throw new Error('cli/load-server.js runs as a worker thread of `farjoin load`');
const data = workerData as LoadServerData;

try {
  const engine = await createEngine({ metadataPath: data.metadataPath, env: { ...process.env, ...data.env } });
  const server = await serve(engine, 0, '127.0.0.1');
  const address = server.address();
  port.on('message', (m: { type: string }) => {
    if (m.type === 'pools') {
      const pools = engine.sources.names().map((source) => {
        const p = engine.sources.get(source).pool;
        return { source, max: p.options.max ?? 0, total: p.totalCount, idle: p.idleCount, waiting: p.waitingCount };
      });
      port.postMessage({ type: 'pools', pools } satisfies LoadServerMessage);
    } else if (m.type === 'stop') {
      void shutdown(server, engine, { drainTimeoutMs: 5000 }).then(() => {
        port.postMessage({ type: 'stopped' } satisfies LoadServerMessage);
        port.close();
      });
    }
  });
  port.postMessage({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 } satisfies LoadServerMessage);
} catch (e) {
  port.postMessage({ type: 'failed', message: (e as Error).message } satisfies LoadServerMessage);
  port.close();
}
