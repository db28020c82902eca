/**
 * Differential tests over strategies (issue 4, DESIGN.md §5.2 "the test suite checks that
 * on every case"): a request runs under `auto`, `two-phase` and `fdw`, plus `semi-join`
 * when it filters by remote fields, and every answer must be the same. The fixtures link
 * all their sources both ways with postgres_fdw (`linkAllSources`, before the engine
 * starts, so it finds the links). Under `fdw` (and `auto` where it pushes down) the
 * statements that read foreign tables are also run through `EXPLAIN VERBOSE` on the real
 * server, with the real keys: none may join a foreign table that postgres_fdw reads whole,
 * or rescan one per outer row.
 *
 * Ordering by remote fields runs under every strategy (issue 11 item 9): pushed down over
 * fdw, or as (key, rank) pairs prefetched from the target under `two-phase`/`semi-join`; a
 * request that does it says so (`remoteOrder`) and runs under all four.
 */
import { expect } from 'vitest';
import { parseMetadata } from '../../compiler/metadata/parse.js';
import type { StrategyRequest } from '../../compiler/plan/strategy.js';
import type { Plan } from '../../compiler/plan/types.js';
import type { Engine, ExecuteRequest } from '../../runtime/engine.js';
import { DEFAULT_MAX_KEYS_PER_STATEMENT, executePlan } from '../../runtime/execute/execute.js';
import { fdwSetup } from '../../runtime/sources/fdw-setup.js';

/** Every strategy a selection runs under. */
export const SELECTION_STRATEGIES: readonly StrategyRequest[] = ['auto', 'two-phase', 'fdw'];

/** postgres_fdw links from every source of `metadata` to every other one. Run before `createEngine`. */
export async function linkAllSources(metadata: unknown, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const parsed = parseMetadata(metadata as Parameters<typeof parseMetadata>[0]);
  const names = parsed.sources.map((s) => s.name);
  // One source at a time takes its links (one transaction each); sources in parallel.
  await Promise.all(names.map(async (from) => {
    for (const to of names) if (to !== from) await fdwSetup({ metadata: parsed, from, to, env });
  }));
}

export interface StrategyOptions {
  /** The request orders by remote fields: it runs under `semi-join` too. */
  readonly remoteOrder?: boolean;
}

/** One request's data under each strategy it ran under. */
export class StrategyResults {
  constructor(readonly byStrategy: ReadonlyMap<StrategyRequest, unknown>) {}

  get strategies(): StrategyRequest[] {
    return [...this.byStrategy.keys()];
  }

  /** The data, after checking every strategy returned exactly the same (lists in the same order). */
  same(): unknown {
    const [first, ...rest] = this.byStrategy;
    if (!first) throw new Error('no strategy ran');
    for (const [strategy, data] of rest) expect(data, `[${strategy}] differs from [${first[0]}]`).toEqual(first[1]);
    return first[1];
  }
}

/** Whether the plan does anything across sources (otherwise every strategy is the same plan). */
function crossesSources(plan: Plan): boolean {
  return plan.pushdowns.length > 0 || plan.steps.some((s) => s.kind !== 'fetch');
}

/** The strategies `request` runs under: auto, two-phase and fdw, and semi-join if it filters by remote fields. */
async function strategiesFor(engine: Engine, request: ExecuteRequest, options: StrategyOptions): Promise<StrategyRequest[]> {
  const session = await engine.session(request.headers);
  const compile = (strategy: StrategyRequest) => engine.compiler.compile(request, { strategy, session: { role: session.role, variables: session.variables } });
  if (options.remoteOrder) return [...SELECTION_STRATEGIES, 'semi-join'];
  const auto = compile('auto');
  if (auto.ok && !crossesSources(auto.plan)) return ['auto'];
  const semi = compile('semi-join');
  return semi.ok && semi.plan.steps.some((s) => s.kind === 'semi-join') ? [...SELECTION_STRATEGIES, 'semi-join'] : [...SELECTION_STRATEGIES];
}

/** Runs `request` under every strategy that applies. Errors fail the test. */
export async function executeEach(engine: Engine, request: ExecuteRequest, options: StrategyOptions = {}): Promise<StrategyResults> {
  const results = new Map<StrategyRequest, unknown>();
  for (const strategy of await strategiesFor(engine, request, options)) {
    const r = await engine.execute({ ...request, strategy });
    expect(r.errors, `[${strategy}] ${JSON.stringify(r.errors)}`).toBeUndefined();
    // The text path (executeJson, HTTP) writes the same text as JSON.stringify of the objects.
    expect(await engine.executeJson({ ...request, strategy }), `[${strategy}] executeJson`).toBe(JSON.stringify(r));
    results.set(strategy, r.data);
    if (strategy === 'fdw' || strategy === 'auto') await expectNoForeignJoins(engine, request, strategy);
  }
  return new StrategyResults(results);
}

/** `request` under every strategy that applies: each answer equals `expected`. */
export async function expectEachStrategy(engine: Engine, request: ExecuteRequest, expected: unknown, options: StrategyOptions = {}): Promise<void> {
  const results = await executeEach(engine, request, options);
  for (const [strategy, data] of results.byStrategy) expect(data, `[${strategy}]`).toEqual(expected);
}

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };

const JOINS = new Set(['Nested Loop', 'Hash Join', 'Merge Join']);
/** Nodes that hand their one input's rows on: a join side starts below them. */
const PASSING = new Set(['Hash', 'Materialize', 'Sort', 'Incremental Sort', 'Memoize', 'Subquery Scan', 'Result']);

/** Foreign scans that feed `node`'s rows (not those of init plans and subplans, which run on their own). */
function foreignInputs(node: PlanNode): PlanNode[] {
  const own = node['Node Type'] === 'Foreign Scan' ? [node] : [];
  const below = (node.Plans ?? []).filter((c) => c['Parent Relationship'] !== 'InitPlan' && c['Parent Relationship'] !== 'SubPlan');
  return [...own, ...below.flatMap(foreignInputs)];
}

/**
 * Whether a join side is the set of a filter (`key IN (SELECT …)`): the inner side of a
 * semi-join, or rows made distinct for one (Postgres's other plan for IN). Such a set is
 * read whole by design, as a hashed subplan would; only its own conditions restrict it.
 */
function filterSet(join: PlanNode, side: PlanNode): boolean {
  if (join['Join Type'] === 'Semi' && side['Parent Relationship'] === 'Inner') return true;
  let n = side;
  while (PASSING.has(n['Node Type'] as string) && n.Plans?.length === 1) n = n.Plans[0]!;
  if (n['Node Type'] === 'Unique') return true;
  const keys = n['Group Key'] as string[] | undefined;
  return n['Node Type'] === 'Aggregate' && !!keys && (n.Output as string[]).every((o) => keys.includes(o));
}

/**
 * Joins in an EXPLAIN (VERBOSE, FORMAT JSON) plan that read a whole foreign table to join
 * it locally (a plain local⋈foreign join: postgres_fdw cannot ship the other side's keys),
 * or send one remote query per outer row (a foreign scan parameterized by the outer row;
 * key arrays of init plans, `= ANY ($n)`, are sent once).
 */
export function foreignJoinProblems(node: PlanNode): string[] {
  const problems: string[] = [];
  if (JOINS.has(node['Node Type'] as string)) {
    for (const side of node.Plans ?? []) {
      const relationship = side['Parent Relationship'];
      if (relationship !== 'Outer' && relationship !== 'Inner') continue;
      if (!filterSet(node, side)) {
        for (const scan of foreignInputs(side)) {
          if (!/\bWHERE\b/.test(String(scan['Remote SQL']))) problems.push(`${node['Node Type']} over a whole foreign table: ${scan['Remote SQL']}`);
        }
      }
      if (node['Node Type'] === 'Nested Loop' && relationship === 'Inner' && side['Node Type'] === 'Foreign Scan' && /(?<!ANY \()\$\d+/.test(String(side['Remote SQL']))) {
        problems.push(`Nested Loop rescans a foreign table per outer row: ${side['Remote SQL']}`);
      }
    }
  }
  for (const child of node.Plans ?? []) problems.push(...foreignJoinProblems(child));
  return problems;
}

/**
 * Runs `request`'s plan under `strategy` with its real keys, and `EXPLAIN VERBOSE` for each
 * statement that reads foreign tables (none: nothing to do): no plain local⋈foreign join,
 * no per-row remote query.
 */
export async function expectNoForeignJoins(engine: Engine, request: ExecuteRequest, strategy: StrategyRequest = 'fdw'): Promise<void> {
  const session = await engine.session(request.headers);
  const compiled = engine.compiler.compile(request, { strategy, session: { role: session.role, variables: session.variables } });
  if (!compiled.ok) throw new Error(compiled.errors.map((e) => (e as Error).message).join('; '));
  const plan = compiled.plan;
  const pushed = new Set(plan.pushdowns.map((p) => p.step));
  const viaFdw = new Set(plan.steps.filter((s) => (s.kind === 'remote-join' && s.strategy === 'fdw') || pushed.has(s.id)).map((s) => s.sql.text));
  if (viaFdw.size === 0) return;
  const problems: string[] = [];
  const { errors } = await executePlan(plan, {
    run: async (source, text, values) => {
      const db = engine.sources.get(source);
      if (viaFdw.has(text)) {
        const explained = await db.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (VERBOSE, COSTS OFF, FORMAT JSON) ${text}`, values);
        const found = foreignJoinProblems(explained.rows[0]!['QUERY PLAN'][0]!.Plan);
        problems.push(...found.map((p) => `${p}\n  in ${text}`));
      }
      const row = (await db.query(text, values)).rows[0] as Record<string, unknown> | undefined;
      return row ? Object.values(row)[0] : null;
    },
  }, { maxKeysPerStatement: DEFAULT_MAX_KEYS_PER_STATEMENT });
  expect(errors.map((e) => e.message)).toEqual([]);
  expect(problems).toEqual([]);
}
