/** Starts an HTTP server for an engine; reports a busy port clearly. */
import { createServer, type Server } from 'node:http';
import { FarjoinError } from '../../compiler/errors.js';
import type { Engine } from '../engine.js';

export function serve(engine: Engine, port: number, host = '0.0.0.0'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(engine.handler);
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        reject(new FarjoinError('invalid-configuration', `port ${port} is already in use; stop the other process or pass --port with a free port`));
      } else reject(e);
    });
    server.listen(port, host, () => resolve(server));
  });
}
