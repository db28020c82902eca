/**
 * Event-loop stalls of this process (issue 16: no request blocks the event loop for more than
 * a bounded slice), for `farjoin_event_loop_stall_max_seconds`.
 *
 * A timer ticks every 10 ms. When a tick comes late, the loop was busy, or the process was
 * not on the CPU (a busy machine). Only the first is a stall: the lateness is counted up to
 * the CPU time the process used meanwhile, so a machine that gives the process no CPU does
 * not look like a request that blocks, while a synchronous 300 ms slice shows as 300 ms.
 *
 * One timer per process while there are readers (unref'd: it never keeps the process alive).
 */
const TICK_MS = 10;

interface Reader {
  maxMs: number;
}

const readers = new Set<Reader>();
let timer: NodeJS.Timeout | undefined;

function startTimer(): void {
  if (timer) return;
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  timer = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    const stallMs = Math.min(now - last - TICK_MS, (cpu.user + cpu.system) / 1000);
    for (const r of readers) if (stallMs > r.maxMs) r.maxMs = stallMs;
    last = now;
    lastCpu = process.cpuUsage();
  }, TICK_MS);
  timer.unref();
}

export interface StallReader {
  /** The longest stall in seconds since the previous read (or since the reader was made). */
  read(): number;
  /** Stops reading; the timer stops with the last reader. */
  close(): void;
}

export function stallReader(): StallReader {
  const reader: Reader = { maxMs: 0 };
  readers.add(reader);
  startTimer();
  return {
    read() {
      const max = reader.maxMs;
      reader.maxMs = 0;
      return max / 1000;
    },
    close() {
      readers.delete(reader);
      if (readers.size === 0 && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    },
  };
}
