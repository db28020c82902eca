/**
 * PostGraphile v5 as a bench peer (issue 17): its standard preset (Amber) over the bench's
 * single database, served by grafserv on Node's http server at `/v1/graphql` (the path the
 * bench's clients post to). Started by bench/peers/postgraphile.ts with `fork()` on the Node
 * 22 binary from ../node22 (PostGraphile v5 needs Node >= 22); plain JavaScript so that it
 * runs there without farjoin's build, importing only this folder's own node_modules.
 *
 * The bench's tables have primary keys but no foreign key, so the one relation is declared
 * as a smart tag (the way PostGraphile's documentation gives for a missing constraint):
 * `orders.user_id → "user".id`, which gives `Order.userByUserId` and `User.ordersByUserId`.
 *
 * IPC: receives `{ connectionString }`, answers `{ type: 'result', result: { port } }` once
 * listening (or `{ type: 'error', message }`), and exits on the next message.
 */
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { jsonPgSmartTags } from 'postgraphile/utils';

const RelationTags = jsonPgSmartTags({
  version: 1,
  config: { class: { 'public.orders': { tags: { foreignKey: '(user_id) references "user" (id)' } } } },
});

/** @param {string} connectionString */
async function serve(connectionString) {
  const preset = {
    extends: [PostGraphileAmberPreset],
    plugins: [RelationTags],
    // Same pool bound as farjoin's and the other servers' (bench/schema.ts: max_connections 20).
    pgServices: [makePgService({ connectionString, schemas: ['public'], poolConfig: { max: 20 } })],
    grafserv: { graphqlPath: '/v1/graphql', graphiql: false, websockets: false },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  serv.addTo(server);
  await pgl.getSchema();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('server has no port');
  return {
    port: address.port,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
      await serv.release();
      await pgl.release();
    },
  };
}

process.once('message', (/** @type {{ connectionString: string }} */ task) => {
  serve(task.connectionString).then(
    (served) => {
      process.send?.({ type: 'result', result: { port: served.port } });
      process.once('message', () => {
        void served.stop().finally(() => process.exit(0));
      });
    },
    (e) => {
      process.send?.({ type: 'error', message: e?.stack ?? String(e) }, () => process.exit(1));
    },
  );
});
