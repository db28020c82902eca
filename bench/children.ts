/** Starting bench children (child.ts) from the orchestrator, with a time limit each. */
import { fork, type ChildProcess } from 'node:child_process';
import type { ChildMessage, ServeTask, Task, TaskResults } from './tasks.js';

const CHILD = new URL('./child.js', import.meta.url);

function start(): ChildProcess {
  // --expose-gc: measurements collect garbage between runs; no other flag, as a user's server would run.
  return fork(CHILD, [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** Runs `task` in a fresh process and resolves with its result. */
export function runChild<K extends Task['kind']>(
  task: Extract<Task, { kind: K }>, options: { timeoutMs: number; progress: (m: string) => void },
): Promise<TaskResults[K]> {
  return new Promise((resolve, reject) => {
    const child = start();
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`bench ${task.kind} task did not finish within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'progress') options.progress(m.message);
      else if (!settled) {
        settled = true;
        clearTimeout(timer);
        if (m.type === 'result') resolve(m.result as TaskResults[K]);
        else reject(new Error(`bench ${task.kind} task failed: ${m.message}`));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!settled) {
        settled = true;
        reject(new Error(`bench ${task.kind} task exited with code ${code} before answering`));
      }
    });
    child.send(task);
  });
}

export interface ServerChild {
  readonly port: number;
  /** The server's process, for its CPU time (bench/proc-cpu.ts). */
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts a server child; `stop` asks it to close its server and pools, then waits for its exit. */
export function startServerChild(task: ServeTask): Promise<ServerChild> {
  return serverReady(start(), task, `bench server ${task.system}`);
}

/**
 * Sends `task` to a freshly started server process (a bench child, or a peer such as
 * bench/peers/postgraphile/server.mjs) and resolves once it answers with its port.
 */
export function serverReady(child: ChildProcess, task: unknown, label: string): Promise<ServerChild> {
  return new Promise((resolve, reject) => {
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} did not start within 60 s`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with code ${code} before answering`));
    });
    child.once('message', (m: ChildMessage) => {
      clearTimeout(timer);
      if (m.type !== 'result') {
        child.kill('SIGKILL');
        reject(new Error(`${label} failed: ${m.type === 'error' ? m.message : 'unexpected message'}`));
        return;
      }
      const { port } = m.result as TaskResults['serve'];
      resolve({
        port,
        pid: child.pid!,
        stop: async () => {
          child.send({ stop: true });
          const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(killer);
        },
      });
    });
    child.send(task as object);
  });
}
