/**
 * CPU time from /proc (issue 17, "server cost per request"): a server process's
 * `utime + stime`, and the client backends of embedded Postgres servers (the children of
 * each postmaster whose command line names a user and a database), so that a measured run
 * can report server CPU ms and Postgres CPU ms per request. Linux only; elsewhere the
 * readers answer `null` and the figures are left out.
 */
import { readFileSync, readdirSync } from 'node:fs';
import pg from 'pg';

/** Clock ticks per second of /proc's times (`getconf CLK_TCK`, 100 on Linux x86-64). */
const CLK_TCK = 100;

interface ProcStat {
  readonly ppid: number;
  /** utime + stime, ms. */
  readonly cpuMs: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 on.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(rest[1]), cpuMs: ((Number(rest[11]) + Number(rest[12])) * 1000) / CLK_TCK };
  } catch {
    return null;
  }
}

/** utime + stime of one process (all its threads), ms; `null` when it cannot be read. */
export function processCpuMs(pid: number): number | null {
  return readStat(pid)?.cpuMs ?? null;
}

/**
 * A client backend's title is `postgres: USER DATABASE HOST(PORT) STATE` (or `[local]`);
 * background processes (checkpointer, walwriter, autovacuum workers …) are left out, so a
 * vacuum that happens to run during a measurement does not count against a system.
 */
const CLIENT_BACKEND = /^postgres: \S+ \S+ (\[local\]|\S+\(\d+\))/;

/** CPU ms of every client backend under the given postmasters, keyed by pid. */
export function backendCpu(postmasters: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  const parents = new Set(postmasters);
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const d of pids) {
    const pid = Number(d);
    const stat = readStat(pid);
    if (!stat || !parents.has(stat.ppid)) continue;
    let title = '';
    try {
      title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '');
    } catch {
      continue;
    }
    if (CLIENT_BACKEND.test(title)) out.set(pid, stat.cpuMs);
  }
  return out;
}

/** The postmaster behind a database URL: the parent of this connection's backend. */
export async function postmasterPid(url: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    return backend === undefined ? null : readStat(backend)?.ppid ?? null;
  } finally {
    await client.end();
  }
}

export interface CpuWindow {
  /** Server process CPU ms spent in the window, or `null` when /proc is unavailable. */
  readonly serverCpuMs: number | null;
  /** Postgres client backends' CPU ms in the window (backends that started in it count whole). */
  readonly pgCpuMs: number | null;
}

/**
 * Starts measuring the server `pid` and the backends of `postmasters`; the returned function
 * ends the window. A backend that exits inside the window is lost (the bench's pools keep
 * their connections for the whole run).
 */
export function cpuWindow(pid: number, postmasters: readonly number[]): () => CpuWindow {
  const server0 = processCpuMs(pid);
  const pg0 = backendCpu(postmasters);
  return () => {
    const server1 = processCpuMs(pid);
    const pg1 = backendCpu(postmasters);
    let pgMs = 0;
    for (const [p, ms] of pg1) pgMs += ms - (pg0.get(p) ?? 0);
    return {
      serverCpuMs: server0 === null || server1 === null ? null : server1 - server0,
      pgCpuMs: postmasters.length === 0 || (pg1.size === 0 && pg0.size === 0) ? null : pgMs,
    };
  };
}

/** Adds up windows (`null` if any part is unknown). */
export function sumWindows(windows: readonly CpuWindow[]): CpuWindow {
  const add = (k: keyof CpuWindow): number | null => windows.reduce<number | null>((s, w) => (s === null || w[k] === null ? null : s + w[k]!), 0);
  return { serverCpuMs: add('serverCpuMs'), pgCpuMs: add('pgCpuMs') };
}
