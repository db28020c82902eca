/**
 * A bench child process: receives one `Task` over IPC, runs it, sends the result back and
 * exits. `serve` tasks answer with their port and run until told to stop.
 */
import { runChinookLatency } from './chinook.js';
import { runLatency, runMemory, serveSystem } from './e2e.js';
import { runJoinCoreBench } from './join-core.js';
import { runPlannerGrid } from './planner.js';
import { runPlanning } from './planning.js';
import { runSubscriptions } from './subscriptions.js';
import { runMutations } from './mutations.js';
import type { ChildMessage, Task } from './tasks.js';

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) throw new Error('bench child started without an IPC channel');
    process.send(message, () => resolve());
  });
}

const progress = (message: string): void => void send({ type: 'progress', message });

async function run(task: Task): Promise<unknown> {
  switch (task.kind) {
    case 'join-core':
      return runJoinCoreBench({ ...task.options, progress });
    case 'latency':
      return runLatency(task, progress);
    case 'memory':
      return runMemory(task);
    case 'planner':
      return runPlannerGrid(task, progress);
    case 'planning':
      return runPlanning(task);
    case 'chinook-latency':
      return runChinookLatency(task, progress);
    case 'subscriptions':
      return runSubscriptions(task, progress);
    case 'mutations':
      return runMutations(task, progress);
    case 'serve': {
      const served = await serveSystem(task.system, task.urls);
      process.once('message', () => {
        void served.stop().finally(() => process.exit(0));
      });
      return { port: served.port };
    }
  }
}

process.once('message', (task: Task) => {
  run(task).then(
    async (result) => {
      await send({ type: 'result', result });
      if (task.kind !== 'serve') process.exit(0);
    },
    async (e: unknown) => {
      await send({ type: 'error', message: (e as Error)?.stack ?? String(e) });
      process.exit(1);
    },
  );
});
