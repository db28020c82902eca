/** Reading subscriptions in tests: every response an iterator yields, and waiting for one that matches. */
import pg from 'pg';

export class Collected<T> {
  readonly items: T[] = [];
  ended = false;
  /** What the iterator threw, if it did (a protocol `error` message, a closed socket). */
  error: unknown;
  private waiters: (() => void)[] = [];

  constructor(private readonly iterator: AsyncIterableIterator<T>) {
    void (async () => {
      try {
        for await (const item of iterator) {
          this.items.push(item);
          this.wake();
        }
      } catch (e) {
        this.error = e;
      }
      this.ended = true;
      this.wake();
    })();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves with the first item (from index `from`) matching `test`; fails after `timeoutMs`. */
  async waitFor(test: (item: T) => boolean, from = 0, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.items.slice(from).find(test);
      if (hit !== undefined) return hit;
      if (this.ended) throw new Error(`the subscription ended without a matching item; got ${JSON.stringify(this.items)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching item within ${timeoutMs} ms; got ${JSON.stringify(this.items)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves once the iterator has ended (or after `timeoutMs`). */
  async untilEnded(timeoutMs = 10_000): Promise<void> {
    await this.waitFor(() => false, 0, timeoutMs).catch(() => undefined);
  }

  stop(): Promise<unknown> {
    return this.iterator.return?.() ?? Promise.resolve();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Runs one SQL statement on a database (a change the subscription should see). */
export async function sql(url: string, text: string, values: unknown[] = []): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text, values);
  } finally {
    await c.end();
  }
}
