/** The Markdown report: targets, then every table of medians and ratios behind them. */
import { CHINOOK_QUERIES } from './chinook.js';
import { bytes, mb, num, table } from './markdown-format.js';
import { perRequestSection, postgraphileSection } from './peers/markdown.js';
import { LINEAR_TOLERANCE, medianOf, sharedMachineLoad, sizeKey, type BenchResults, type ChinookMeasurements } from './results.js';
import { HASURA_PUBLISHED, type SubscriptionsResult } from './subscriptions.js';
import type { MutationsResult } from './mutations.js';
import { SYSTEM_LABELS, type SystemName } from './tasks.js';

const LATENCY_SYSTEMS: readonly SystemName[] = ['farjoin-remote', 'farjoin-local', 'handwritten', 'farjoin-http', 'yoga-dataloader-http', 'farjoin-fdw'];

function mutationsSection(r: MutationsResult): string[] {
  const ms = (n: number): string => n.toFixed(2);
  return [
    '## Mutations',
    '',
    '`insert_T(objects)` through `engine.execute` against hand-written `pg` (BEGIN; INSERT … unnest; COMMIT); two databases: one request writing the rows to each of two databases (two-phase commit) against the same writes as two one-database requests.',
    '',
    '| rows | farjoin ms | hand-written ms | ratio | two databases, one request (2PC) ms | as two requests ms |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.sizes.map((s) => `| ${s.rows.toLocaleString('en-US')} | ${ms(s.farjoinMs)} | ${ms(s.handwrittenMs)} | ${s.ratio.toFixed(2)}× | ${ms(s.twoDatabasesMs)} | ${ms(s.twoRequestsMs)} |`),
  ];
}

function subscriptionsSection(r: SubscriptionsResult): string[] {
  const count = (n: number): string => n.toLocaleString('en-US');
  const hasura = HASURA_PUBLISHED.singleInstance.find((h) => h.liveQueries === r.subscribers);
  return [
    '## Live subscriptions',
    '',
    `${count(r.subscribers)} live subscribers to \`orders(where: {user_id: {_eq: $uid}}) { id user { name } }\` (the user from the other database), ` +
      `in ${r.pollers} pollers (query texts) over ${count(r.variableCohorts)} variable sets, at a ${r.intervalMs} ms refetch interval, on one engine. ` +
      `While measured, every watched user was renamed once per interval, so every subscriber got a new result each poll (Hasura's published setup). ` +
      `First results ${r.firstResultsMatchSql ? 'equal SQL' : '**differ from SQL**'}; set-up ${num(r.setupMs / 1000, 1)} s.`,
    '',
    table(['figure', 'measured', 'goal'], [
      ['statements per poll round (multiplexed)', num(r.statementsPerPoll, 1), `${r.statementsPerPollGoal} (pollers × sources + remote joins)`],
      ['statements the cohorts asked for per round, before multiplexing', num(r.requestedPerPoll, 0), ''],
      ['change → push delay p50 / p99 / max', `${num(r.delayMs.p50, 0)} / ${num(r.delayMs.p99, 0)} / ${num(r.delayMs.max, 0)} ms`, `p99 ≤ ${1.5 * r.intervalMs} ms`],
      ['pushes measured (missed)', `${count(r.delayMs.pushes)} (${count(r.delayMs.missed)})`, ''],
      ['CPU, every result changing / at rest', `${num(r.cpuPercentChanging, 0)}% / ${num(r.cpuPercentIdle, 0)}% of one core`, ''],
      ['CPU per subscriber', `${num(r.cpuMsPerSubscriberPerSecond * 1000, 1)} µs per second`, ''],
      ['memory per subscriber', `${num(r.memoryBytesPerSubscriber / 1024, 1)} KiB`, ''],
      ...(hasura ? [[`Hasura, published: ${count(hasura.liveQueries)} live queries on ${hasura.cpus} CPUs / ${hasura.memoryGiB} GB`, `${hasura.cpuLoadPercent}% CPU load average`, '']] : []),
    ]),
    '',
    `Hasura's figures: ${HASURA_PUBLISHED.source}; measured on AWS with its own Postgres and without remote relationships, which Hasura refuses in subscriptions.`,
  ];
}

function chinookSection(c: ChinookMeasurements): string[] {
  const s = c.spec;
  const count = (n: number): string => n.toLocaleString('en-US');
  const out: string[] = [];
  out.push('## Split music store at scale (two databases)');
  out.push('');
  out.push(`The Chinook-like store of the tests, split the same way and generated at scale by \`fixtures/chinook-scale.ts\` (deterministic; loaded with COPY, keyed and analysed in ${(c.loadMs / 1000).toFixed(1)} s): ` +
    `**sales** on one server — ${count(s.invoiceLines)} invoice lines, ${count(s.invoices)} invoices, ${count(s.customers)} customers, ${count(s.tracks)} tracks; ` +
    `**catalog** on the other — ${count(s.albums)} albums, ${count(s.artists)} artists, genres, media types. ` +
    'farjoin serves it with remote relationships both ways (bench/chinook.ts); the baseline is hand-written `pg`: one statement per database with the local joins in SQL, ' +
    'the other database\'s keys as `= ANY($1::int[])`, a `Map`, `JSON.stringify` (bench/systems/chinook-handwritten.ts). The two run interleaved, and every response is compared with the baseline\'s.');
  out.push('');
  const rows = c.latency.map((l) => {
    const f = l.systems.find((x) => x.system === 'farjoin');
    const h = l.systems.find((x) => x.system === 'handwritten');
    return [
      `${l.query}`, sizeKey(l.parents), count(l.rows), f ? num(f.timing.medianMs) : '–', h ? num(h.timing.medianMs) : '–',
      f && h ? num(f.timing.medianMs / h.timing.medianMs) : '–', h ? bytes(h.responseBytes) : '–',
      l.systems.every((x) => x.sameResponse) ? 'yes' : '**no**', f ? String(f.timing.iterations) : '–',
    ];
  });
  out.push(table(['query', 'limit', 'top-level rows', 'farjoin ms', 'hand-written ms', 'farjoin / hand-written', 'response', 'same response', 'rounds'], rows));
  out.push('');
  for (const [name, q] of Object.entries(CHINOOK_QUERIES)) {
    out.push(`\`${name}\`: ${q.label}.`);
    out.push('');
    out.push('```graphql');
    out.push(q.text);
    out.push('```');
    out.push('');
  }
  out.pop();
  return out;
}

export function markdownReport(r: BenchResults): string {
  const m = r.measurements;
  const out: string[] = [];
  out.push(`# farjoin benchmarks (${r.quick ? '--quick' : 'full'})`);
  out.push('');
  out.push(`${m.startedAt}, ${(m.durationMs / 1000).toFixed(0)} s; ${Object.entries(m.machine).map(([k, v]) => `${k}: ${v}`).join(', ')}. ` +
    `Data: ${m.data.orders.toLocaleString('en-US')} orders over ${m.data.users.toLocaleString('en-US')} users (fixtures/scale.ts), ` +
    'orders on one embedded Postgres server, users on another (and a copy beside the orders for the local-relationship run). ' +
    'All figures are medians of interleaved runs; every system returned the same response unless marked.');
  out.push('');
  const load = sharedMachineLoad(m.machine);
  if (load !== null) {
    out.push(`**Shared machine:** the 1-minute load average reached ${load} on ${m.machine.cpus} cores during this run, so other work ran beside it: ` +
      'ratios of interleaved runs stay fair, absolute times and throughput are lower than on an idle machine.');
    out.push('');
  }

  out.push('## Targets (DESIGN.md §7)');
  out.push('');
  out.push(table(['target', 'measured', 'goal', 'met'], r.targets.map((t) => [t.description, num(t.value, 3), t.goal, t.met ? 'yes' : '**no**'])));
  out.push('');

  out.push('## End-to-end latency (ms, median) against parent rows');
  out.push('');
  const sizes = m.latency.map((l) => l.parents);
  const present = LATENCY_SYSTEMS.filter((s) => m.latency.some((l) => l.systems.some((x) => x.system === s)));
  out.push(table(['system', ...sizes.map(sizeKey)], present.map((s) => [SYSTEM_LABELS[s], ...sizes.map((n) => {
    const cell = m.latency.find((l) => l.parents === n)?.systems.find((x) => x.system === s);
    return cell ? `${num(cell.timing.medianMs)}${cell.sameResponse ? '' : ' (different response!)'}` : '–';
  })])));
  out.push('');
  const ratioRow = (label: string, a: SystemName, b: SystemName): string[] => [label, ...sizes.map((n) => {
    const x = medianOf(m.latency, a, n);
    const y = medianOf(m.latency, b, n);
    return x !== null && y !== null ? num(x / y) : '–';
  })];
  out.push(table(['ratio', ...sizes.map(sizeKey)], [
    ratioRow('(a) remote / (b) local', 'farjoin-remote', 'farjoin-local'),
    ratioRow('(a) remote / (c) hand-written', 'farjoin-remote', 'handwritten'),
    ratioRow('(d) yoga + DataLoader / (a) over HTTP', 'yoga-dataloader-http', 'farjoin-http'),
    ['(a) ms per parent row', ...sizes.map((n) => num((medianOf(m.latency, 'farjoin-remote', n) ?? Number.NaN) / n, 5))],
  ]));
  out.push('');
  out.push(`Linear growth is checked as the per-row latency at the largest size over the per-row latency at 1e3 (≤ ${LINEAR_TOLERANCE} counts as linear).`);
  out.push('');
  if (m.fdwLatency.length > 0) {
    const fs = m.fdwLatency.map((l) => l.parents);
    const fdwSystems: readonly SystemName[] = ['farjoin-fdw', 'farjoin-remote', 'handwritten'];
    out.push('(e) The fdw plan ran after `farjoin fdw setup`, in its own interleaved rounds with (a) and (c):');
    out.push('');
    out.push(table(['system', ...fs.map(sizeKey)], [
      ...fdwSystems.map((s) => [SYSTEM_LABELS[s], ...fs.map((n) => {
        const cell = m.fdwLatency.find((l) => l.parents === n)?.systems.find((x) => x.system === s);
        return cell ? `${num(cell.timing.medianMs)}${cell.sameResponse ? '' : ' (different response!)'}` : '–';
      })]),
      ['(e) fdw / (a) two-phase', ...fs.map((n) => {
        const x = medianOf(m.fdwLatency, 'farjoin-fdw', n);
        const y = medianOf(m.fdwLatency, 'farjoin-remote', n);
        return x !== null && y !== null ? num(x / y) : '–';
      })],
    ]));
    out.push('');
  }
  out.push('![latency against parent rows](latest.svg)');
  out.push('');

  if (m.postgraphile && r.peers.postgraphile5) out.push(...postgraphileSection(m.postgraphile, r.peers.postgraphile5));
  out.push(...perRequestSection(r.perRequest));
  if (m.chinook) out.push(...chinookSection(m.chinook), '');
  if (m.subscriptions) out.push(...subscriptionsSection(m.subscriptions), '');
  if (m.mutations) out.push(...mutationsSection(m.mutations), '');

  const tp = m.throughput;
  out.push(`## Throughput over HTTP, ${sizeKey(tp.parents)} parents, ${tp.concurrency} concurrent clients on loopback`);
  out.push('');
  out.push(table(['server', 'requests', 'errors', 'req/s', 'p50 ms', 'p90 ms'], [
    ['farjoin (`engine.handler`)', String(tp.farjoin.requests), String(tp.farjoin.errors), num(tp.farjoin.rps, 1), num(tp.farjoin.latency.medianMs), num(tp.farjoin.latency.p90Ms)],
    ['graphql-yoga + DataLoader + pg', String(tp.dataloader.requests), String(tp.dataloader.errors), num(tp.dataloader.rps, 1), num(tp.dataloader.latency.medianMs), num(tp.dataloader.latency.p90Ms)],
    ...(tp.handwritten ? [[`hand-written pg + = ANY + Map behind node:http (alone, after the two)${tp.handwritten.sameResponse ? '' : ' (different response!)'}`, String(tp.handwritten.load.requests), String(tp.handwritten.load.errors),
      num(tp.handwritten.load.rps, 1), num(tp.handwritten.load.latency.medianMs), num(tp.handwritten.load.latency.p90Ms)]] : []),
  ]));
  out.push('');
  out.push(`farjoin / DataLoader throughput: **${num(r.ratios.farjoinVsDataloaderThroughput_1e3)}×**. Each server runs in its own process; the load alternates between them in slices.`);
  out.push('');
  const mo = m.metricsOverhead;
  if (mo) {
    out.push(`Metrics on against off (tracing off, the default), ${mo.parents} parents, ${mo.concurrency} clients: ` +
      `${num(mo.metricsOn.rps, 0)} against ${num(mo.metricsOff.rps, 0)} req/s, **${num((r.ratios.metricsOverhead ?? Number.NaN) * 100, 1)}%** of throughput` +
      `${mo.sameResponse ? '' : ' (different responses!)'}. Same server code in two processes, alternating slices.`);
    out.push('');
  }

  out.push('## Join core (no database): collect keys → hash join → stitch');
  out.push('');
  out.push(table(['shape', 'parents', 'child rows', 'response', 'join ms', 'M rows/s', 'JSON.stringify ms', 'join / stringify', 'nested loop ms'], m.joinCore.map((c) => [
    c.shape === 'object' ? 'object (orders → user)' : 'array, fan-out 10 (user → orders)', sizeKey(c.parents), c.childRows.toLocaleString('en-US'), mb(c.responseBytes),
    num(c.join.medianMs), num(c.rowsPerSec / 1e6), num(c.stringify.medianMs), num(c.vsStringify), c.naive ? num(c.naive.medianMs) : 'not run (quadratic)',
  ])));
  out.push('');
  out.push(`Headline (\`joinCore\` in latest.json): ${r.joinCore.headline}. The join runs the engine's own \`executePlan\` on the real compiled plan, with the statement results handed over in memory.`);
  out.push('');

  out.push('## Peak memory of one query (fresh process each)');
  out.push('');
  out.push(table(['system', 'parents', 'response', 'RSS before', 'peak RSS', 'peak − before', '(peak − before) / response', 'runs (peak − before)'], m.memory.map((x) => [
    SYSTEM_LABELS[x.system], sizeKey(x.parents), mb(x.responseBytes), mb(x.baselineRssBytes), mb(x.peakRssBytes), mb(x.peakRssDeltaBytes), num(x.peakRssDeltaBytes / x.responseBytes),
    (x.deltaSamplesBytes ?? [x.peakRssDeltaBytes]).map(mb).join(', '),
  ])));
  out.push('');
  out.push(`\`memory.peakRssOverResponseBytes_1e5\`: ${r.memory.definition}. The process's fixed footprint (Node, modules, pools) is excluded by subtracting the RSS measured just before the query; the median (the upper one for an even count) of ${m.memory[0]?.deltaSamplesBytes?.length ?? 1} fresh processes is shown, because the peak moves with V8's heap sizing (its young generation grows by up to tens of MiB under a burst of allocation, whatever the response). For HTTP systems the client reading the response lives in the same process.`);
  out.push('');

  out.push('## Planner grid');
  out.push('');
  out.push(`${m.planner.note}.`);
  out.push('');
  out.push(table(['family', 'cell', 'chosen', 'ms', 'alternatives (ms)', 'same data', 'within 10%'], m.planner.cells.map((c) => [
    c.family, c.label, c.chosen.form, `${num(c.chosen.medianMs)}${c.chosen.note ? ` (${c.chosen.note})` : ''}`,
    c.alternatives.map((a) => `${a.form}${a.counted ? '' : ' (mode, not counted)'} ${num(a.medianMs)}${a.note ? ` (${a.note})` : ''}`).join(', '), c.sameResponse ? 'yes' : '**no**',
    `${c.withinTenPercent ? 'yes' : '**no**'}${c.withinTenPercent && !c.withinTenPercentOfEveryForm ? ' (not of the per-key mode)' : ''}`,
  ])));
  out.push('');
  out.push(`Within 10% of the fastest strategy: ${r.planner.withinTenPercent} of ${r.planner.cells} cells; of the fastest form, the per-key mode included: ${r.planner.withinTenPercentOfEveryForm} of ${r.planner.cells}.`);
  for (const u of m.planner.unavailable) out.push(`Not available (${u.form}): ${u.reason}`);
  out.push('');

  out.push('## Planning time');
  out.push('');
  out.push(table(['', 'median ms', 'p90 ms'], [
    ['uncached: `compiler.compile()` of a query text never seen', num(m.planning.uncached.medianMs, 4), num(m.planning.uncached.p90Ms, 4)],
    [`cached: ${m.planning.cachedKind}`, num(m.planning.cached.medianMs, 4), num(m.planning.cached.p90Ms, 4)],
  ]));
  out.push('');

  if (m.skipped.length > 0) {
    out.push('## Not measured');
    out.push('');
    for (const s of m.skipped) out.push(`- **${s.system}**: ${s.reason}`);
    out.push('');
  }
  return out.join('\n');
}
