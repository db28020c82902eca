/**
 * Hasura's `api_limits` metadata (docs: security/api-limits; `set_api_limits`):
 *
 *     api_limits:
 *       disabled: false
 *       depth_limit: { global: 5, per_role: { user: 7 } }
 *       node_limit:  { global: 30, per_role: { … } }
 *       time_limit:  { global: 10, per_role: { … } }          # seconds
 *       batch_limit: { global: 10, per_role: { … } }          # operations in one batched request
 *       rate_limit:
 *         global: { max_reqs_per_min: 100, unique_params: IP }
 *         per_role: { user: { max_reqs_per_min: 20, unique_params: [x-hasura-user-id] } }
 *
 * `per_role` overrides `global`; the admin role is never limited, and depth limits do not
 * apply to introspection queries. Everything is checked before any SQL runs.
 */
import { FarjoinError } from '../../compiler/errors.js';
import type { OperationShape } from './document-shape.js';
import { SlidingWindow } from './rate-limiter.js';

interface PerRole<T> {
  readonly global: T | undefined;
  readonly perRole: ReadonlyMap<string, T>;
}

interface RateLimit {
  readonly maxPerMinute: number;
  /** `ip`, or session variables (lower-case) whose values join the role in the counted key. */
  readonly uniqueParams: 'ip' | readonly string[] | undefined;
}

export interface LimitsSubject {
  readonly role: string;
  readonly admin: boolean;
  readonly variables: Readonly<Record<string, string>>;
  /** The client's address, for `unique_params: IP`. */
  readonly clientAddress?: string | undefined;
}

export class ApiLimits {
  private readonly windows = new SlidingWindow(60_000);

  private constructor(
    private readonly depth: PerRole<number>,
    private readonly nodes: PerRole<number>,
    private readonly time: PerRole<number>,
    private readonly batch: PerRole<number>,
    private readonly rate: PerRole<RateLimit>,
  ) {}

  /** From the metadata's `api_limits` (absent or `disabled: true`: no limits). */
  static fromMetadata(raw: unknown): ApiLimits {
    const o = isObject(raw) && raw.disabled !== true ? raw : {};
    const base = '$.api_limits';
    return new ApiLimits(
      perRole(o.depth_limit, `${base}.depth_limit`, count),
      perRole(o.node_limit, `${base}.node_limit`, count),
      perRole(o.time_limit, `${base}.time_limit`, count),
      perRole(o.batch_limit, `${base}.batch_limit`, count),
      perRole(o.rate_limit, `${base}.rate_limit`, rateLimit),
    );
  }

  /** Whether a depth or node limit applies to this subject (else its document need not be measured). */
  limitsShape(subject: LimitsSubject): boolean {
    return !subject.admin && (pick(this.depth, subject.role) !== undefined || pick(this.nodes, subject.role) !== undefined);
  }

  /** Depth and node limits for one operation (the admin role is exempt). */
  checkShape(subject: LimitsSubject, shape: OperationShape): void {
    if (subject.admin) return;
    const depth = pick(this.depth, subject.role);
    if (depth !== undefined && !shape.introspection && shape.depth > depth) {
      throw new FarjoinError('validation-failed',
        `the query's depth of ${shape.depth} exceeds the depth limit of ${depth} for role "${subject.role}" (api_limits.depth_limit); request fewer nested levels`,
        { path: '$' });
    }
    const nodes = pick(this.nodes, subject.role);
    if (nodes !== undefined && shape.nodes > nodes) {
      throw new FarjoinError('validation-failed',
        `the query has ${shape.nodes} nodes (fields with a selection set), more than the node limit of ${nodes} for role "${subject.role}" (api_limits.node_limit)`,
        { path: '$' });
    }
  }

  /** Counts one request against the role's rate limit; refuses it once the last minute is full. */
  checkRate(subject: LimitsSubject, now = Date.now()): void {
    if (subject.admin) return;
    const rate = pick(this.rate, subject.role);
    if (!rate) return;
    const key = [subject.role, ...uniqueValues(rate.uniqueParams, subject)].join('\u0000');
    const retryAfterMs = this.windows.take(key, rate.maxPerMinute, now);
    if (retryAfterMs !== undefined) {
      throw new FarjoinError('rate-limit-exceeded',
        `too many requests: role "${subject.role}" may send ${rate.maxPerMinute} per minute (api_limits.rate_limit); retry in ${Math.ceil(retryAfterMs / 1000)} s`,
        { path: '$' });
    }
  }

  /** Seconds a request of this role may take (api_limits.time_limit), if limited. */
  timeLimitSeconds(subject: LimitsSubject): number | undefined {
    return subject.admin ? undefined : pick(this.time, subject.role);
  }

  /** Operations one batched request of this role may hold (api_limits.batch_limit), if limited. */
  batchLimit(subject: LimitsSubject): number | undefined {
    return subject.admin ? undefined : pick(this.batch, subject.role);
  }
}

function uniqueValues(params: RateLimit['uniqueParams'], subject: LimitsSubject): string[] {
  if (params === undefined) return [];
  if (params === 'ip') return [`ip=${subject.clientAddress ?? ''}`];
  return params.map((name) => `${name}=${subject.variables[name] ?? ''}`);
}

function pick<T>(limit: PerRole<T>, role: string): T | undefined {
  return limit.perRole.get(role) ?? limit.global;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function perRole<T>(raw: unknown, path: string, read: (v: unknown, path: string) => T): PerRole<T> {
  if (raw === undefined || raw === null) return { global: undefined, perRole: new Map() };
  if (!isObject(raw)) throw invalid(path, 'an object {global, per_role}');
  const roles = new Map<string, T>();
  if (raw.per_role !== undefined) {
    if (!isObject(raw.per_role)) throw invalid(`${path}.per_role`, 'an object of role name → limit');
    for (const [role, v] of Object.entries(raw.per_role)) roles.set(role, read(v, `${path}.per_role.${role}`));
  }
  return { global: raw.global === undefined ? undefined : read(raw.global, `${path}.global`), perRole: roles };
}

function count(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw invalid(path, 'a whole number ≥ 0');
  return v;
}

function rateLimit(v: unknown, path: string): RateLimit {
  if (!isObject(v)) throw invalid(path, 'an object {max_reqs_per_min, unique_params}');
  const maxPerMinute = count(v.max_reqs_per_min, `${path}.max_reqs_per_min`);
  const u = v.unique_params;
  let uniqueParams: RateLimit['uniqueParams'];
  if (u === undefined || u === null) uniqueParams = undefined;
  else if (typeof u === 'string' && u.toLowerCase() === 'ip') uniqueParams = 'ip';
  else if (Array.isArray(u) && u.every((x) => typeof x === 'string')) uniqueParams = u.map((x) => (x as string).toLowerCase());
  else throw invalid(`${path}.unique_params`, '"IP" or a list of session variable names');
  return { maxPerMinute, uniqueParams };
}

function invalid(path: string, what: string): FarjoinError {
  return new FarjoinError('invalid-configuration', `${path} must be ${what}`, { path });
}
