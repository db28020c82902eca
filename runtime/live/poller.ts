/**
 * Live queries and streams (DESIGN.md §9), with Hasura's vocabulary:
 *
 * - a **poller** groups the subscribers of one query text and role (and operation name);
 *   it owns one timer, re-armed after each poll, so polls of one poller never overlap;
 * - a **cohort** inside it groups the subscribers whose variables and session values are
 *   equal: they share one execution per poll and one response;
 * - each **subscriber** remembers the hash of the last response it was sent, and is sent a
 *   response only when that hash changes (so a joiner gets the current result at once,
 *   and nobody is sent the same result twice).
 *
 * A poll runs every cohort's plan through the engine — the same compiler, plan cache, join
 * core and remote joins as a query — so remote relationships at any depth and the role's
 * permissions apply as they do over HTTP. A source that fails makes the poll's response
 * carry `source-unavailable` for the fields that need it (pushed once: the hash is the
 * same until something changes) and the next successful poll pushes the data again.
 *
 * Streams (`T_stream`) are cohorts of one subscriber that keep a cursor: each poll asks
 * for the rows after it and pushes only non-empty batches (ir/stream.ts).
 *
 * Hasura's multiplexing: a poll runs all cohorts of a poller at once through one statement
 * batch (multiplex.ts), which sends the statements of the same shape as one, the cohorts'
 * values shipped as arrays — one statement per source for the root fields and one per
 * remote join, whatever the number of cohorts.
 */
import { createHash } from 'node:crypto';
import { STREAM_CURSOR_KEY, type StreamCursor } from '../../compiler/index.js';
import type { GraphQLRequest } from '../../compiler/index.js';
import type { GraphQLResponse } from '../engine.js';
import type { Session } from '../server/session.js';
import type { StatementRunner } from '../execute/execute.js';
import { StatementBatch, type BatchStats } from './multiplex.js';
import { ResponseQueue } from './queue.js';

/**
 * Runs one request as `session` (the engine's `run` without resolving headers again), its
 * statements sent through `batch` (multiplex.ts) when one is given.
 */
export type LiveExecutor = (request: GraphQLRequest, session: Session, streamCursor: StreamCursor | undefined, batch: StatementBatchFactory | undefined) => Promise<GraphQLResponse>;

/** One poll's statement batch, made by the engine around its own runner. */
export type StatementBatchFactory = (inner: StatementRunner) => StatementRunner;

export interface LiveOptions {
  /** Time between the end of one poll and the start of the next (default 1000 ms). */
  readonly intervalMs: number;
  /** Undelivered responses kept per subscriber before it is dropped (default 100). */
  readonly maxBuffered: number;
  /** Subscribers on the whole engine (default 100,000). */
  readonly maxSubscribers: number;
  /** Told of every subscription asked for: started, or refused (closing, a limit) — the request metrics. */
  readonly onSubscription?: (started: boolean) => void;
}

export const DEFAULT_REFETCH_INTERVAL_MS = 1000;
export const DEFAULT_MAX_BUFFERED = 100;
export const DEFAULT_MAX_SUBSCRIBERS = 100_000;

interface Subscriber {
  readonly queue: ResponseQueue;
  lastHash: string | undefined;
}

interface Cohort {
  readonly key: string;
  readonly request: GraphQLRequest;
  readonly session: Session;
  readonly subscribers: Set<Subscriber>;
  /** The last response and its hash, for subscribers that join between polls. */
  last: { hash: string; response: GraphQLResponse } | undefined;
  /** Streams only: the root field's response key and the cursor after the last batch. */
  stream: { key: string; cursor: StreamCursor | undefined } | undefined;
  /**
   * A poll of this cohort is running: a cohort's first poll runs outside the poller's
   * schedule, and a second poll meanwhile would read a stream's batch from the same cursor again.
   */
  polling?: boolean;
}

interface Poller {
  readonly key: string;
  readonly cohorts: Map<string, Cohort>;
  timer: NodeJS.Timeout | undefined;
  polling: Promise<void> | undefined;
  /** New cohorts waiting for their first result, polled together in the next turn. */
  fresh: Set<Cohort> | undefined;
}

export interface LiveStats {
  pollers: number;
  cohorts: number;
  subscribers: number;
  /** Of those, subscribers to a `T_stream`. */
  streaming: number;
  /** Armed timers: one per poller with subscribers, zero when nobody listens. */
  timers: number;
  polls: number;
  /** The last poll: its cohorts, the statements their plans asked for and those sent (multiplexed). */
  lastPoll?: BatchStats & { cohorts: number };
}

let streamIds = 0;

export class LiveQueries {
  private readonly pollers = new Map<string, Poller>();
  private subscriberCount = 0;
  private polls = 0;
  /** Statements the last multiplexed poll asked for and sent. */
  private lastPoll: (BatchStats & { cohorts: number }) | undefined;
  private closed = false;

  constructor(private readonly execute: LiveExecutor, private readonly options: LiveOptions) {}

  /** A live query subscriber, or (with `streamKey`) a streaming one. */
  subscribe(request: GraphQLRequest, session: Session, streamKey?: string): ResponseQueue {
    if (this.closed) {
      this.options.onSubscription?.(false);
      return endedWith('the engine is shutting down', 'source-unavailable');
    }
    const full = this.refusal();
    if (full) {
      this.options.onSubscription?.(false);
      return endedWith(full.message, full.extensions.code);
    }
    this.options.onSubscription?.(true);
    const pollerKey = JSON.stringify([session.role, request.operationName ?? null, request.query]);
    let poller = this.pollers.get(pollerKey);
    if (!poller) {
      poller = { key: pollerKey, cohorts: new Map(), timer: undefined, polling: undefined, fresh: undefined };
      this.pollers.set(pollerKey, poller);
    }
    const cohortKey = streamKey !== undefined
      ? `stream:${++streamIds}`
      : JSON.stringify([request.variables ?? {}, sortedEntries(session.variables)]);
    let cohort = poller.cohorts.get(cohortKey);
    const fresh = !cohort;
    if (!cohort) {
      cohort = {
        key: cohortKey, request, session, subscribers: new Set(), last: undefined,
        stream: streamKey !== undefined ? { key: streamKey, cursor: undefined } : undefined,
      };
      poller.cohorts.set(cohortKey, cohort);
    }
    const owner = poller;
    const group = cohort;
    const subscriber: Subscriber = {
      queue: new ResponseQueue(this.options.maxBuffered, () => this.remove(owner, group, subscriber)),
      lastHash: undefined,
    };
    cohort.subscribers.add(subscriber);
    this.subscriberCount++;
    if (fresh) this.firstPoll(poller, cohort); // the first result at once, not after an interval
    else if (cohort.last) this.deliver(poller, cohort, subscriber, cohort.last.hash, cohort.last.response);
    this.arm(poller);
    return subscriber.queue;
  }

  /** Time between the end of one poll and the start of the next. */
  get intervalMs(): number {
    return this.options.intervalMs;
  }

  /** The error for one more subscriber when the engine-wide limit is reached (the WebSocket servers send it as `error`). */
  refusal(): { message: string; extensions: { path: string; code: string } } | undefined {
    if (this.subscriberCount < this.options.maxSubscribers) return undefined;
    return { message: `too many subscriptions: the server holds its limit of ${this.options.maxSubscribers}; retry later`, extensions: { path: '$', code: 'validation-failed' } };
  }

  stats(): LiveStats {
    let cohorts = 0;
    let timers = 0;
    let streaming = 0;
    for (const p of this.pollers.values()) {
      cohorts += p.cohorts.size;
      if (p.timer) timers++;
      for (const c of p.cohorts.values()) if (c.stream) streaming += c.subscribers.size;
    }
    return { pollers: this.pollers.size, cohorts, subscribers: this.subscriberCount, streaming, timers, polls: this.polls, ...(this.lastPoll ? { lastPoll: this.lastPoll } : {}) };
  }

  /** Ends every subscription (engine close, SIGTERM) and waits for polls in flight. */
  async close(): Promise<void> {
    this.closed = true;
    const inflight: Promise<void>[] = [];
    for (const poller of this.pollers.values()) {
      if (poller.timer) clearTimeout(poller.timer);
      poller.timer = undefined;
      if (poller.polling) inflight.push(poller.polling);
      for (const cohort of poller.cohorts.values()) for (const s of cohort.subscribers) s.queue.end();
      poller.cohorts.clear();
    }
    this.pollers.clear();
    this.subscriberCount = 0;
    await Promise.allSettled(inflight);
  }

  private remove(poller: Poller, cohort: Cohort, subscriber: Subscriber): void {
    if (!cohort.subscribers.delete(subscriber)) return;
    this.subscriberCount--;
    if (cohort.subscribers.size === 0) poller.cohorts.delete(cohort.key);
    if (poller.cohorts.size === 0) {
      if (poller.timer) clearTimeout(poller.timer);
      poller.timer = undefined;
      this.pollers.delete(poller.key);
    }
  }

  /** Schedules the poller's next poll, unless one is scheduled or running. */
  private arm(poller: Poller): void {
    if (this.closed || poller.timer || poller.polling || poller.cohorts.size === 0) return;
    poller.timer = setTimeout(() => {
      poller.timer = undefined;
      poller.polling = this.poll(poller).finally(() => {
        poller.polling = undefined;
        this.arm(poller);
      });
    }, this.options.intervalMs);
  }

  /**
   * A new cohort's first poll, in the next turn of the event loop together with every other
   * cohort that arrived meanwhile (a page of subscribers joining at once), multiplexed.
   */
  private firstPoll(poller: Poller, cohort: Cohort): void {
    if (poller.fresh) {
      poller.fresh.add(cohort);
      return;
    }
    poller.fresh = new Set([cohort]);
    setImmediate(() => {
      const cohorts = [...poller.fresh!];
      poller.fresh = undefined;
      void this.pollCohorts(poller, cohorts);
    });
  }

  /**
   * Every cohort of the poller at once, their statements multiplexed: one batch per poll,
   * so statements of the same shape from all cohorts become one (multiplex.ts).
   */
  private async poll(poller: Poller): Promise<void> {
    this.polls++;
    const stats = await this.pollCohorts(poller, [...poller.cohorts.values()]);
    if (stats) this.lastPoll = { ...stats, cohorts: poller.cohorts.size };
  }

  private async pollCohorts(poller: Poller, cohorts: readonly Cohort[]): Promise<BatchStats | undefined> {
    let batch: StatementBatch | undefined;
    const factory: StatementBatchFactory = (inner) => (batch ??= new StatementBatch(inner)).runner;
    await Promise.all(cohorts.map((c) => this.pollCohort(poller, c, factory)));
    return (batch as StatementBatch | undefined)?.stats;
  }

  private async pollCohort(poller: Poller, cohort: Cohort, batch?: StatementBatchFactory): Promise<void> {
    if (cohort.polling) return;
    cohort.polling = true;
    let response: GraphQLResponse;
    try {
      response = await this.execute(cohort.request, cohort.session, cohort.stream?.cursor, batch);
    } catch (e) {
      response = { errors: [{ message: `the subscription could not be polled: ${(e as Error)?.message ?? e}`, extensions: { path: '$', code: 'unexpected' } }] };
    } finally {
      cohort.polling = false;
    }
    if (poller.cohorts.get(cohort.key) !== cohort) return; // everybody left during the poll
    if (response.data === undefined) {
      // A request error (invalid query, denied, engine closing): it will not go away by polling.
      for (const s of [...cohort.subscribers]) {
        this.remove(poller, cohort, s);
        s.queue.end(response);
      }
      return;
    }
    let always = false;
    if (cohort.stream) {
      const batch = streamBatch(response, cohort.stream.key);
      if (batch === undefined) return; // nothing new
      if (batch.cursor !== undefined) {
        cohort.stream.cursor = { value: batch.cursor };
        always = true; // a new batch is new rows, even if they look like the last ones
      }
      response = batch.response;
    }
    const hash = createHash('sha1').update(JSON.stringify(response)).digest('base64');
    cohort.last = { hash, response };
    for (const s of [...cohort.subscribers]) this.deliver(poller, cohort, s, hash, response, always);
  }

  private deliver(poller: Poller, cohort: Cohort, s: Subscriber, hash: string, response: GraphQLResponse, always = false): void {
    if (!always && s.lastHash === hash) return;
    s.lastHash = hash;
    if (!s.queue.push(response)) this.remove(poller, cohort, s);
  }
}

function sortedEntries(o: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A stream's poll result: the batch without the hidden cursor column and the cursor's
 * next value, or undefined when the batch is empty. Errors are passed on as they are.
 */
function streamBatch(response: GraphQLResponse, key: string): { response: GraphQLResponse; cursor: unknown } | undefined {
  // `namespace.key`: a stream inside a source's root_fields.namespace.
  const dot = key.indexOf('.');
  const ns = dot < 0 ? undefined : key.slice(0, dot);
  const holder = (ns === undefined ? response.data : response.data?.[ns]) as Record<string, unknown> | undefined;
  const field = ns === undefined ? key : key.slice(dot + 1);
  const rows = holder?.[field];
  if (!Array.isArray(rows)) return { response, cursor: undefined };
  if (rows.length === 0) return undefined;
  const last = rows[rows.length - 1] as Record<string, unknown>;
  const cursor = last[STREAM_CURSOR_KEY];
  const clean = rows.map((r) => {
    const { [STREAM_CURSOR_KEY]: _, ...rest } = r as Record<string, unknown>;
    return rest;
  });
  const data = ns === undefined ? { ...response.data, [key]: clean } : { ...response.data, [ns]: { ...holder, [field]: clean } };
  return { response: { ...response, data }, cursor };
}

function endedWith(message: string, code: string): ResponseQueue {
  const q = new ResponseQueue(1, () => undefined);
  q.end({ errors: [{ message, extensions: { path: '$', code } }] });
  return q;
}
