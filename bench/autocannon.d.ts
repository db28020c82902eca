/** The part of autocannon's API (v9, no bundled types) that bench/load-generator.ts uses. */
declare module 'autocannon' {
  interface Options {
    url: string;
    method?: 'POST' | 'GET';
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    /** Seconds; autocannon notices the end (of a duration or an amount) at its next sampling tick. */
    duration?: number;
    /** Requests in all, spread over the connections. */
    amount?: number;
    /** Sampling tick, ms (default 1000). */
    sampleInt?: number;
    expectBody?: string;
  }
  interface Result {
    duration: number;
    errors: number;
    timeouts: number;
    mismatches: number;
    non2xx: number;
    latency: { p50: number; p90: number; p99: number; average: number };
    requests: { total: number; sent: number; average: number };
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
