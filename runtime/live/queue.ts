/**
 * One subscriber's outbox (DESIGN.md §9): an async iterator fed by the poller. It holds at
 * most `limit` undelivered responses; a consumer that falls further behind is dropped —
 * the backlog is discarded, one final error says why, and the subscription ends — so a
 * slow client never makes the server buffer without bound.
 */
import type { GraphQLResponse } from '../engine.js';

export class ResponseQueue implements AsyncIterableIterator<GraphQLResponse> {
  private readonly items: GraphQLResponse[] = [];
  private waiting: ((r: IteratorResult<GraphQLResponse>) => void) | undefined;
  private done = false;
  /** After `end`, nothing more is accepted; buffered items are still delivered. */
  private ending = false;
  private readonly closers: (() => void)[] = [];

  constructor(private readonly limit: number, private readonly onReturn: () => void) {}

  get closed(): boolean {
    return this.ending || this.done;
  }

  /** Delivers or buffers `response`; false when the consumer was too slow and has been dropped. */
  push(response: GraphQLResponse): boolean {
    if (this.closed) return false;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: response, done: false });
      return true;
    }
    if (this.items.length >= this.limit) {
      this.items.length = 0;
      this.end({ errors: [{ message: `the subscriber did not read its results: more than ${this.limit} responses were waiting, so the subscription was stopped`, extensions: { path: '$', code: 'unexpected' } }] });
      return false;
    }
    this.items.push(response);
    return true;
  }

  /** Called once when the subscription ends, whoever ends it. */
  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closers.push(fn);
  }

  /** The server stops this subscription (JWT expiry, limits): the poller forgets it, `last` is delivered. */
  close(last?: GraphQLResponse): void {
    if (this.closed) return;
    this.onReturn();
    this.end(last);
  }

  /** No more responses (after `last`, if given). The poller must already have forgotten this queue. */
  end(last?: GraphQLResponse): void {
    if (this.closed) return;
    if (last) this.items.push(last);
    this.ending = true;
    this.notifyClosed();
    if (this.waiting && this.items.length === 0) this.finish();
    else if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: this.items.shift()!, done: false });
    }
  }

  private notifyClosed(): void {
    for (const fn of this.closers.splice(0)) fn();
  }

  private finish(): void {
    this.done = true;
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<GraphQLResponse>> {
    const item = this.items.shift();
    if (item) return Promise.resolve({ value: item, done: false });
    if (this.ending || this.done) {
      this.done = true;
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** The consumer stops (`break` in `for await`, a client's `complete`/`stop`). */
  return(): Promise<IteratorResult<GraphQLResponse>> {
    const wasOpen = !this.closed;
    this.items.length = 0;
    this.ending = true;
    this.finish();
    if (wasOpen) {
      this.onReturn();
      this.notifyClosed();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<GraphQLResponse> {
    return this;
  }
}
