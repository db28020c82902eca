/** The part of autocannon's API (v9, no bundled types) that bench/load-generator.ts uses. */
declare module 'autocannon' {
  interface Options {
    url: string;
    method?: 'POST' | 'GET';
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    /** Seconds; autocannon stops at its next one-second tick after it, so whole seconds. */
    duration?: number;
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
