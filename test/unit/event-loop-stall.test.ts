/**
 * The event-loop stall measure behind `farjoin_event_loop_stall_max_seconds` (issue 16): a
 * synchronous slice of work shows as a stall of its length; a process that is simply not
 * given the CPU (a busy machine; here: stopped with SIGSTOP) does not.
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stallReader } from '../../runtime/metrics/event-loop.js';
import { packageFile } from '../../runtime/paths.js';

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('event-loop stalls', () => {
  it('a synchronous slice of 300 ms of CPU is a stall of about 300 ms; each read starts afresh', async () => {
    const reader = stallReader();
    try {
      await tick(30);
      reader.read();
      // 300 ms of CPU, however long the machine takes to give them: a fixed amount of work
      const start = process.cpuUsage();
      for (;;) {
        const used = process.cpuUsage(start);
        if (used.user + used.system >= 300_000) break;
      }
      await tick(30);
      const stall = reader.read();
      expect(stall).toBeGreaterThan(0.2);
      expect(stall).toBeLessThan(5);
      expect(reader.read()).toBeLessThan(0.2);
    } finally {
      reader.close();
    }
  });

  it('a process kept off the CPU for 400 ms is late, but not stalled', async () => {
    const module = pathToFileURL(packageFile('dist', 'runtime', 'metrics', 'event-loop.js')).href;
    const script = `
      const { stallReader } = await import(${JSON.stringify(module)});
      const reader = stallReader();
      let last = performance.now(), late = 0;
      const t = setInterval(() => { const now = performance.now(); late = Math.max(late, now - last); last = now; }, 10);
      await new Promise((r) => setTimeout(r, 50));
      reader.read(); late = 0;
      process.stdout.write('ready\\n');
      process.stdin.once('data', () => { clearInterval(t); console.log(JSON.stringify({ late, stall: reader.read() })); process.exit(0); });
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    while (!out.includes('ready')) await tick(10);
    child.kill('SIGSTOP');
    await tick(400);
    child.kill('SIGCONT');
    await tick(100);
    child.stdin!.write('go\n');
    await new Promise((r) => child.once('exit', r));
    const { late, stall } = JSON.parse(out.slice(out.indexOf('{'))) as { late: number; stall: number };
    expect(late).toBeGreaterThan(300); // its timers fired 400 ms late …
    expect(stall).toBeLessThan(0.1); // … but it used no CPU meanwhile
  });
});
