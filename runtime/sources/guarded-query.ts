/**
 * One statement under a request's control (docs/operating-limits.md): the bytes of the
 * server's answer are counted as they arrive, and when the request stops — a limit passed,
 * the client went away, the server shuts down — the statement is cancelled on the server
 * (`pg_cancel_backend`, over a connection of its own, so a full pool cannot delay it) and
 * its connection is closed at once, which drops whatever part of the answer was buffered.
 */
import type { Socket } from 'node:net';
import pg from 'pg';
import { reserveStatement, statementName } from './prepared.js';

export interface QueryControl {
  /** Aborting it stops the statement; the query then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Sizes of the answer's chunks as they arrive (before any parsing). */
  readonly onBytes?: (n: number) => void;
  /** Run as a named prepared statement (prepared.ts): for texts the engine sends again and again. */
  readonly prepare?: boolean;
}

export interface ClientInternals {
  readonly processID: number | null;
  readonly connection: { readonly stream: Socket };
}

export async function guardedQuery<T extends pg.QueryResultRow>(
  pool: pg.Pool, url: string, text: string, values: readonly unknown[], control: QueryControl,
): Promise<pg.QueryResult<T>> {
  const { signal, onBytes } = control;
  if (signal?.aborted) throw signal.reason;
  const client = await pool.connect();
  const { processID, connection } = client as unknown as ClientInternals;
  const stream = connection.stream;
  let stopped = false;
  const onData = (chunk: Buffer): void => onBytes?.(chunk.length);
  const onAbort = (): void => {
    if (stopped) return;
    stopped = true;
    if (processID !== null) void cancelBackend(url, processID);
    stream.destroy();
  };
  const ignore = (): void => undefined; // the destroyed connection's error: the query reports it
  client.on('error', ignore);
  if (onBytes) stream.on('data', onData);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) onAbort();
    if (control.prepare) {
      const name = statementName(text);
      await reserveStatement(client, name);
      return await client.query<T>({ name, text, values: values as unknown[] });
    }
    return await client.query<T>(text, values as unknown[]);
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stream.off('data', onData);
    client.off('error', ignore);
    client.release(stopped ? true : undefined);
  }
}

/** Asks the server to cancel backend `pid`'s statement; failures are ignored (the closed connection ends it too). */
export async function cancelBackend(url: string, pid: number): Promise<void> {
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, application_name: 'farjoin-cancel' });
  admin.on('error', () => undefined);
  try {
    await admin.connect();
    await admin.query('SELECT pg_cancel_backend($1)', [pid]);
  } catch {
    // the backend notices its closed connection on its next write
  } finally {
    await admin.end().catch(() => undefined);
  }
}
