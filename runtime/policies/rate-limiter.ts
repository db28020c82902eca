/**
 * A sliding-window counter per key (Hasura's rate limit: the requests of the last minute,
 * counted from now). Each key keeps at most `max` timestamps, so memory is bounded by the
 * limit; keys whose window emptied are dropped on the next sweep.
 */
export class SlidingWindow {
  private readonly hits = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(private readonly windowMs: number) {}

  /**
   * Counts one request for `key` at `now` if fewer than `max` fell in the window; otherwise
   * counts nothing and returns the milliseconds until a place frees up.
   */
  take(key: string, max: number, now: number): number | undefined {
    this.sweep(now);
    const since = now - this.windowMs;
    let list = this.hits.get(key);
    if (!list) {
      list = [];
      this.hits.set(key, list);
    }
    let expired = 0;
    while (expired < list.length && list[expired]! <= since) expired++;
    if (expired > 0) list.splice(0, expired);
    if (list.length >= max) return max === 0 ? this.windowMs : list[0]! + this.windowMs - now;
    list.push(now);
    return undefined;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    const since = now - this.windowMs;
    for (const [key, list] of this.hits) if (list.length === 0 || list[list.length - 1]! <= since) this.hits.delete(key);
  }
}
