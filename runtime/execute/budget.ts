/**
 * One request's work budget (docs/operating-limits.md): rows built, bytes received from
 * the sources, whether the request was cancelled (client gone, server shutting down), and
 * the time slice it may hold the event loop. The join core and the serializer call into it
 * while they work, so a request that passes a limit stops where it is and its partial
 * results become garbage at once.
 */
import { FarjoinError } from '../../compiler/errors.js';
import { byteLimitError, rowLimitError, type WorkLimits } from '../limits.js';

/** Longest stretch of synchronous work before a request yields to other requests. */
export const SLICE_MS = 5;

export class RequestBudget {
  rows = 0;
  wireBytes = 0;
  /** A built object was shared by several parents (materialize.ts): the text can be far larger than the rows built. */
  shared = false;
  private sliceStart = performance.now();
  private readonly controller = new AbortController();

  /** `outer`: the caller's cancellation (client gone, shutdown); it stops this budget too. */
  constructor(readonly limits: WorkLimits, outer?: AbortSignal) {
    if (outer?.aborted) this.stop(cancelled(outer));
    else outer?.addEventListener('abort', () => this.stop(cancelled(outer)), { once: true });
  }

  /** Aborted with the error that stopped the request: a limit passed, or a cancellation. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Stops the request's work (statements still running are cancelled by their listeners). */
  stop(error: FarjoinError): FarjoinError {
    if (!this.controller.signal.aborted) this.controller.abort(error);
    return this.controller.signal.reason as FarjoinError;
  }

  /** `n` more rows built; throws the row limit's error past it. */
  readonly takeRows = (n: number): void => {
    this.rows += n;
    if (this.rows > this.limits.maxRows) throw this.stop(rowLimitError(this.limits.maxRows));
  };

  /** `n` more bytes from a source; past the limit, stops the request (its statements are cancelled). */
  takeWireBytes(n: number): void {
    this.wireBytes += n;
    if (this.wireBytes > this.limits.maxResponseBytes) this.stop(byteLimitError(this.limits.maxResponseBytes, 'the data the sources sent for this response'));
  }

  /** Throws the error that stopped the request, if any. */
  check(): void {
    if (this.controller.signal.aborted) throw this.controller.signal.reason as FarjoinError;
  }

  /** True when this slice has run long enough that the caller should `pause()`. */
  due(): boolean {
    return performance.now() - this.sliceStart >= SLICE_MS;
  }

  /** Lets other requests (and /healthz, and signals) run, then goes on unless cancelled. */
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
    this.check();
  }
}

/** The error a cancelled request ends with: the signal's reason when it is ours. */
export function cancelled(signal: AbortSignal): FarjoinError {
  const reason: unknown = signal.reason;
  if (reason instanceof FarjoinError) return reason;
  return new FarjoinError('source-unavailable', 'the request was cancelled', { path: '$' });
}

export function unboundedBudget(): RequestBudget {
  return new RequestBudget({ maxDepth: Infinity, maxRows: Infinity, maxResponseBytes: Infinity, statementTimeoutMs: Infinity });
}
