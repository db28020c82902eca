/**
 * Hasura's multiplexing (DESIGN.md §9), done where every statement passes: the statement
 * runner. During one poll every cohort of a poller runs its plan at once; the statements
 * they send in the same turn of the event loop are collected, and those with the same
 * source and SQL text — the same query with other variables or session values — run as
 * ONE statement:
 *
 *     SELECT json_agg("_m"."r" ORDER BY "_s"."i")
 *     FROM unnest($1::text[], $2::text[], …) WITH ORDINALITY AS "_s"("p1", "p2", …, "i")
 *     LEFT JOIN LATERAL (SELECT * FROM (<the statement, $n read from "_s"."pn">) AS "_q" LIMIT 1) AS "_m"("r") ON true
 *
 * Each bind parameter `$n::T` of the statement becomes `"_s"."pn"::T`: the n-th values of
 * all cohorts ship as one text array, in Postgres's text form (pg's own `prepareValue`),
 * and the statement's own cast reads them back, so values stay bind parameters and types
 * are those the compiler chose. So each poll runs one statement per source and query shape
 * for the root fields, then one per remote join for the keys of every cohort at once
 * (the join core asks in the same turn for all of them), whatever the number of cohorts.
 *
 * A statement with a parameter the compiler did not cast (other than LIMIT/OFFSET, which
 * Postgres types as bigint) runs alone, as does a group of one. Identical statements
 * (same text and values) run once. When a multiplexed statement fails — one cohort's
 * session value that does not cast fails them all — each runs alone, so only the cohort
 * at fault gets the error.
 */
import pgUtils from 'pg/lib/utils.js';
import { quoteIdent } from '../../compiler/sql/builder.js';
import type { StatementRunner } from '../execute/execute.js';

const { prepareValue } = pgUtils;

interface Waiting {
  readonly values: readonly unknown[];
  /** `values` in Postgres's text form (pg's `prepareValue`), as a multiplexed statement ships them. */
  readonly prepared: readonly unknown[];
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Group {
  readonly source: string;
  readonly text: string;
  readonly waiting: Waiting[];
}

/** What a batch sent, for explain, tests and the bench. */
export interface BatchStats {
  /** Statements asked for by the cohorts' plans. */
  requested: number;
  /** Statements sent to Postgres. */
  sent: number;
}

export class StatementBatch {
  private groups = new Map<string, Group>();
  private scheduled = false;
  readonly stats: BatchStats = { requested: 0, sent: 0 };

  constructor(private readonly inner: StatementRunner) {}

  /** The runner the cohorts' plans use during this poll. */
  readonly runner: StatementRunner = {
    run: (source, text, values) => new Promise<unknown>((resolve, reject) => {
      this.stats.requested++;
      const key = `${source}\u0000${text}`;
      let group = this.groups.get(key);
      if (!group) {
        group = { source, text, waiting: [] };
        this.groups.set(key, group);
      }
      group.waiting.push({ values, prepared: values.map((v) => prepareValue(v) ?? null), resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After every cohort that is ready has asked: microtasks first, then this.
        setImmediate(() => this.flush());
      }
    }),
  };

  private flush(): void {
    this.scheduled = false;
    const groups = [...this.groups.values()];
    this.groups = new Map();
    for (const group of groups) void this.runGroup(group);
  }

  private async runGroup(group: Group): Promise<void> {
    const distinct = new Map<string, Waiting[]>();
    for (const w of group.waiting) {
      const k = JSON.stringify(w.prepared);
      const same = distinct.get(k);
      if (same) same.push(w);
      else distinct.set(k, [w]);
    }
    const sets = [...distinct.values()];
    const shape = sets.length > 1 ? parameterShape(group.text) : undefined;
    if (!shape || shape.count !== sets[0]![0]!.values.length) {
      await Promise.all(sets.map((set) => this.runAlone(group, set)));
      return;
    }
    try {
      this.stats.sent++;
      const arrays = Array.from({ length: shape.count }, (_, n) => sets.map((set) => set[0]!.prepared[n] ?? null));
      const results = await this.inner.run(group.source, multiplexedText(group.text, shape), arrays);
      if (!Array.isArray(results) || results.length !== sets.length) throw new Error('multiplexed statement returned a result per cohort that does not line up');
      sets.forEach((set, i) => { for (const w of set) w.resolve(results[i]); });
    } catch {
      await Promise.all(sets.map((set) => this.runAlone(group, set)));
    }
  }

  private async runAlone(group: Group, set: readonly Waiting[]): Promise<void> {
    this.stats.sent++;
    try {
      const result = await this.inner.run(group.source, group.text, set[0]!.values);
      for (const w of set) w.resolve(result);
    } catch (e) {
      for (const w of set) w.reject(e);
    }
  }
}

/** Where the statement's bind parameters are, and the cast each is read with. */
interface ParameterShape {
  readonly count: number;
  /** `[start, end, n, cast]`: text[start, end) is `$n`, followed by `::…` or not (`bigint` for LIMIT/OFFSET). */
  readonly uses: readonly (readonly [number, number, number, 'own' | 'bigint'])[];
}

/**
 * The statement's `$n` outside quoted identifiers and literals; undefined when one of them
 * is neither cast by the compiler (`$n::type`) nor a LIMIT/OFFSET count, whose type
 * Postgres fixes.
 */
export function parameterShape(text: string): ParameterShape | undefined {
  const uses: [number, number, number, 'own' | 'bigint'][] = [];
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      // Quoted identifier or literal; a doubled quote is an escaped one.
      for (i++; i < text.length; i++) {
        if (text[i] === ch) {
          if (text[i + 1] === ch) i++;
          else break;
        }
      }
      continue;
    }
    if (ch !== '$' || !/[0-9]/.test(text[i + 1] ?? '')) continue;
    let end = i + 1;
    while (end < text.length && /[0-9]/.test(text[end]!)) end++;
    const n = Number(text.slice(i + 1, end));
    let cast: 'own' | 'bigint';
    if (text.startsWith('::', end)) cast = 'own';
    else if (/\b(LIMIT|OFFSET)\s+$/i.test(text.slice(Math.max(0, i - 8), i))) cast = 'bigint';
    else return undefined;
    uses.push([i, end, n, cast]);
    count = Math.max(count, n);
    i = end - 1;
  }
  return { count, uses };
}

/** The statement a poll sends for `text` when several cohorts ask for it; undefined when it runs once per cohort. */
export function multiplexedSql(text: string): string | undefined {
  const shape = parameterShape(text);
  return shape ? multiplexedText(text, shape) : undefined;
}

function multiplexedText(text: string, shape: ParameterShape): string {
  const s = quoteIdent('_s');
  let body = '';
  let at = 0;
  for (const [start, end, n, cast] of shape.uses) {
    const column = `${s}.${quoteIdent(`p${n}`)}`;
    body += text.slice(at, start) + (cast === 'bigint' ? `(${column}::bigint)` : column);
    at = end;
  }
  body += text.slice(at);
  const arrays = Array.from({ length: shape.count }, (_, n) => `$${n + 1}::text[]`).join(', ');
  const columns = [...Array.from({ length: shape.count }, (_, n) => quoteIdent(`p${n + 1}`)), quoteIdent('i')].join(', ');
  return `SELECT json_agg(${quoteIdent('_m')}.${quoteIdent('r')} ORDER BY ${s}.${quoteIdent('i')}) `
    + `FROM unnest(${arrays}) WITH ORDINALITY AS ${s}(${columns}) `
    + `LEFT JOIN LATERAL (SELECT * FROM (${body}) AS ${quoteIdent('_q')} LIMIT 1) AS ${quoteIdent('_m')}(${quoteIdent('r')}) ON true`;
}
