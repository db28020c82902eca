/**
 * What every page shares: the exported metadata (reloaded after each change) and a way to
 * run one change with its error shown where it was made.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api.js';
import { exportMetadata, type Metadata } from './metadata.js';

/** The codes of a request refused for its credentials (Hasura's). */
const DENIED = new Set(['access-denied', 'invalid-headers', 'invalid-jwt']);

export interface ConsoleState {
  readonly metadata: Metadata | undefined;
  readonly loadError: string | undefined;
  refresh(): Promise<void>;
}

export function useMetadata(): ConsoleState {
  const [metadata, setMetadata] = useState<Metadata | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const refresh = useCallback(async () => {
    try {
      setMetadata(await exportMetadata());
      setLoadError(undefined);
    } catch (e) {
      setLoadError(e instanceof ApiError && DENIED.has(e.code)
        ? `this server needs its admin secret: type it under Admin secret and press Save secret (${e.message})`
        : (e as Error).message);
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return { metadata, loadError, refresh };
}

export interface Action {
  readonly busy: boolean;
  readonly error: string | undefined;
  run(work: () => Promise<unknown>): Promise<boolean>;
  clear(): void;
}

/** Runs one change at a time; its error (the server's message) stays until the next try. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const run = useCallback(async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      return true;
    } catch (e) {
      setError((e as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(undefined) };
}
