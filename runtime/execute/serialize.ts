/**
 * The response as JSON text, in slices (docs/operating-limits.md): the same text as
 * `JSON.stringify`, written iteratively (no recursion over the data, so no depth makes it
 * overflow the stack) in chunks of about 64 KiB. Between steps it yields when the request's
 * time slice is used up, and it counts what it writes: bytes against `maxResponseBytes`,
 * and rows — objects in lists, as they appear in the text — against `maxRows`. Objects the
 * join core shares between parents (one user for ten orders) are written, and counted, once
 * per parent: that is where a cyclic query's response grows, so that is where it is stopped.
 */
import { byteLimitError, rowLimitError } from '../limits.js';
import type { RequestBudget } from './budget.js';

const CHUNK_CHARS = 64 * 1024;
const STEPS_PER_CHECK = 512;

type Frame =
  | { readonly list: readonly unknown[]; i: number }
  | { readonly object: Record<string, unknown>; readonly keys: readonly string[]; i: number; written: number };

/**
 * Below this much data from the sources, with no shared objects, the response is about as
 * large as what was received, and one native `JSON.stringify` writes it in a few ms.
 */
const NATIVE_BELOW_BYTES = 256 * 1024;

/** Rows and bytes already written by earlier calls (the text path writes a list a slice at a time). */
export interface Written {
  rows: number;
  bytes: number;
}

/**
 * `value` as JSON text chunks; throws (and stops the budget) past a limit or when the
 * request is cancelled. With `written`, the value is one part of a response: its rows and
 * bytes add to those, and it is always written in steps.
 */
export async function serializeResponse(value: unknown, budget: RequestBudget, written?: Written): Promise<string[]> {
  const { maxResponseBytes, maxRows } = budget.limits;
  if (!written && !budget.shared && budget.wireBytes < NATIVE_BELOW_BYTES && budget.rows <= maxRows) {
    // Rows were counted as they were built (each appears once); bytes are counted here.
    const text = JSON.stringify(value);
    if (Buffer.byteLength(text) > maxResponseBytes) throw budget.stop(byteLimitError(maxResponseBytes));
    return [text];
  }
  const chunks: string[] = [];
  let buffer = '';
  let bytes = written?.bytes ?? 0;
  let rows = written?.rows ?? 0;
  const flush = (): void => {
    bytes += Buffer.byteLength(buffer);
    chunks.push(buffer);
    buffer = '';
    if (bytes > maxResponseBytes) throw budget.stop(byteLimitError(maxResponseBytes));
  };
  const write = (text: string): void => {
    buffer += text;
    if (buffer.length >= CHUNK_CHARS) flush();
  };
  const stack: Frame[] = [];
  const open = (v: unknown): void => {
    if (v === null || typeof v !== 'object') {
      write(leaf(v));
    } else if (Array.isArray(v)) {
      write('[');
      stack.push({ list: v, i: 0 });
    } else if (typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      write(JSON.stringify(v));
    } else if (small(v as Record<string, unknown>)) {
      // A small subtree (a row with a few nested objects): natively, its rows counted first.
      rows += smallRows;
      if (rows > maxRows) throw budget.stop(rowLimitError(maxRows));
      write(JSON.stringify(v));
    } else {
      write('{');
      stack.push({ object: v as Record<string, unknown>, keys: Object.keys(v), i: 0, written: 0 });
    }
  };
  open(value);
  let steps = 0;
  while (stack.length > 0) {
    if (++steps % STEPS_PER_CHECK === 0 && budget.due()) await budget.pause();
    const top = stack[stack.length - 1]!;
    if ('list' in top) {
      if (top.i >= top.list.length) {
        write(']');
        stack.pop();
        continue;
      }
      if (top.i > 0) write(',');
      const v = top.list[top.i++];
      if (v !== null && typeof v === 'object' && ++rows > maxRows) throw budget.stop(rowLimitError(maxRows));
      open(v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : v);
      continue;
    }
    let opened = false;
    while (top.i < top.keys.length) {
      const key = top.keys[top.i++]!;
      const v = top.object[key];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      write(`${top.written++ > 0 ? ',' : ''}${JSON.stringify(key)}:`);
      open(v);
      opened = true;
      break;
    }
    if (!opened) {
      write('}');
      stack.pop();
    }
  }
  if (buffer.length > 0 || chunks.length === 0) flush();
  if (written) {
    written.rows = rows;
    written.bytes = bytes;
  }
  return chunks;
}

function leaf(v: unknown): string {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol' ? 'null' : JSON.stringify(v);
}

/** Nodes a subtree may have to be written by one native `JSON.stringify` (a bounded slice of work). */
const SMALL_NODES = 256;
/** Rows (objects in lists) inside the subtree `small` last measured. */
let smallRows = 0;

/**
 * Whether `o` has at most SMALL_NODES objects, lists and values, counting shared objects
 * each time they appear; sets `smallRows`. Bounded recursion: it stops at SMALL_NODES.
 */
function small(o: Record<string, unknown>): boolean {
  let nodes = 0;
  let rows = 0;
  const visit = (v: unknown, inList: boolean): boolean => {
    if (++nodes > SMALL_NODES) return false;
    if (v === null || typeof v !== 'object') return true;
    if (Array.isArray(v)) {
      for (const item of v) if (!visit(item, true)) return false;
      return true;
    }
    if (inList) rows++;
    for (const k in v) if (!visit((v as Record<string, unknown>)[k], false)) return false;
    return true;
  };
  const fits = visit(o, false);
  smallRows = rows;
  return fits;
}
