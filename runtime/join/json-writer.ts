/**
 * Stitching to JSON text (join core step 5, the text path of issue 17): `engine.executeJson()`
 * and the HTTP handler answer with this text, and the response never exists as one object
 * graph. Root lists are written in slices of a few hundred rows: each slice's objects are
 * built by the same row builders `materialize.ts` uses, written by one native
 * `JSON.stringify`, and dropped, so what stays alive across slices is the statements'
 * columns, the targets parents share, and the text. Writing each value from JS instead (a
 * string per value, joined) measured about 2× the CPU of building and stringifying a slice
 * (the split store's `lines` at 1e4).
 *
 * The text is `JSON.stringify` of the object `materialize.ts` builds. Limits
 * (docs/operating-limits.md): rows are counted as they are built, bytes as chunks are cut.
 * A slice where a parent shares a target that holds lists (materialize.ts `shared`: a cycle
 * of relationships can make the text exponentially larger than what was built) is written by
 * the stepwise serializer instead (serialize.ts), which counts rows and bytes as they appear
 * in the text and yields between steps.
 */
import type { RootShape } from '../../compiler/plan/types.js';
import { byteLimitError, rowLimitError } from '../limits.js';
import { Columns } from './columnar.js';
import type { RequestBudget } from '../execute/budget.js';
import { serializeResponse } from '../execute/serialize.js';
import { Materializer, type JoinLookup } from './materialize.js';
import type { ShapeBuilders } from './row-builder.js';
import type { RawRow } from './walk.js';

/** Pieces shorter than this are gathered and joined into one chunk; longer ones are chunks themselves. */
const SMALL_CHARS = 4 * 1024;

/**
 * Where the text goes: chunks (a slice of rows' text is one chunk, never copied again),
 * their bytes counted against the response limit as they arrive.
 */
export class JsonSink {
  readonly chunks: string[] = [];
  bytes = 0;
  private small: string[] = [];
  private smallChars = 0;

  constructor(private readonly maxBytes: number, private readonly stop: (e: Error) => Error = (e) => e) {}

  write(text: string): void {
    if (text.length < SMALL_CHARS) {
      this.small.push(text);
      this.smallChars += text.length;
      if (this.smallChars >= SMALL_CHARS) this.flushSmall();
      return;
    }
    this.flushSmall();
    this.add(text);
  }

  /** The text written so far, in chunks. */
  end(): string[] {
    this.flushSmall();
    return this.chunks;
  }

  private flushSmall(): void {
    if (this.small.length === 0) return;
    const text = this.small.length === 1 ? this.small[0]! : this.small.join('');
    this.small = [];
    this.smallChars = 0;
    this.add(text);
  }

  private add(text: string): void {
    // n characters are at least n bytes: a slice that is too long stops before it is encoded.
    if (this.bytes + text.length > this.maxBytes) throw this.stop(byteLimitError(this.maxBytes));
    this.bytes += Buffer.byteLength(text);
    if (this.bytes > this.maxBytes) throw this.stop(byteLimitError(this.maxBytes));
    this.chunks.push(text);
  }
}

/** Root-list rows built, written and dropped together. */
const ROWS_PER_SLICE = 256;

/**
 * The `data` object of a response as JSON text into `sink`: root lists a slice at a time,
 * pausing whenever the request's time slice is used up; `nulled` root fields (their step
 * failed) as `null`.
 */
export async function writeRootJson(
  root: RootShape, fetched: ReadonlyMap<number, RawRow>, joins: JoinLookup, sink: JsonSink, nulled: (key: string) => boolean, budget: RequestBudget,
): Promise<void> {
  const m = new Materializer(joins, budget);
  const text = { rows: 0 };
  // `namespace.key` fields nest as {namespace: {key: …}} (materialize.ts setRootField),
  // in order of first appearance; a later field with the same key replaces the earlier one.
  const groups = new Map<string, Map<string, RootShape['fields'][number]>>();
  for (const f of root.fields) {
    const dot = f.key.indexOf('.');
    const top = dot < 0 ? f.key : f.key.slice(0, dot);
    let group = groups.get(top);
    if (!group || dot < 0) {
      group = new Map();
      groups.set(top, group);
    }
    group.set(dot < 0 ? '' : f.key.slice(dot + 1), f);
  }
  let sep = '{';
  for (const [top, group] of groups) {
    sink.write(`${sep}${JSON.stringify(top)}:`);
    sep = ',';
    const plain = group.get('');
    if (plain) {
      await writeRootField(m, plain, fetched, sink, nulled(plain.key), budget, text);
      continue;
    }
    let inner = '{';
    for (const [key, f] of group) {
      sink.write(`${inner}${JSON.stringify(key)}:`);
      inner = ',';
      await writeRootField(m, f, fetched, sink, nulled(f.key), budget, text);
    }
    sink.write('}');
  }
  sink.write(sep === '{' ? '{}' : '}');
}

/** Rows written so far, as they appear in the text. */
interface TextRows {
  rows: number;
}

async function writeRootField(
  m: Materializer, f: RootShape['fields'][number], fetched: ReadonlyMap<number, RawRow>, sink: JsonSink, nulled: boolean, budget: RequestBudget, text: TextRows,
): Promise<void> {
  if (f.kind === 'constant') {
    sink.write(JSON.stringify(f.value) ?? 'null');
    return;
  }
  if (nulled) {
    sink.write('null');
    return;
  }
  const value = fetched.get(f.step)?.[f.slot];
  const b = m.of(f.shape);
  if (f.kind === 'list') {
    await writeList(b, value as RawRow[] | Columns | null | undefined, sink, budget, text);
    return;
  }
  const before = budget.rows;
  let one: unknown = null;
  if (f.kind === 'object') one = value ? b.row(value as RawRow) : null;
  else if (value instanceof Columns) one = value.n > 0 ? b.at(value.cols, 0) : null;
  else {
    const rows = (value ?? []) as RawRow[];
    one = rows.length > 0 ? b.row(rows[0]!) : null;
  }
  await writeBuilt(one, budget.rows - before, sink, budget, text, false);
}

/**
 * Writes built objects: natively while no target holding lists has been shared, else
 * stepwise (serialize.ts), counting the rows as they appear in the text.
 */
async function writeBuilt(value: unknown, builtRows: number, sink: JsonSink, budget: RequestBudget, text: TextRows, inList: boolean): Promise<void> {
  if (!budget.shared) {
    text.rows += builtRows;
    if (text.rows > budget.limits.maxRows) throw budget.stop(rowLimitError(budget.limits.maxRows));
    const json = JSON.stringify(value);
    // `[a,b]` of a slice is `a,b` of its list (cut by moving the string's edges: no copy).
    sink.write(inList ? json.slice(1, -1) : json);
  } else {
    // The serializer counts the slice's own elements too: they are objects in a list.
    const written = { rows: text.rows, bytes: sink.bytes };
    const chunks = await serializeResponse(value, budget, written);
    text.rows = written.rows;
    const last = chunks.length - 1;
    chunks.forEach((c, i) => sink.write(inList ? c.slice(i === 0 ? 1 : 0, i === last ? -1 : undefined) : c));
  }
  if (budget.due()) await budget.pause();
}

async function writeList(b: ShapeBuilders, list: RawRow[] | Columns | null | undefined, sink: JsonSink, budget: RequestBudget, text: TextRows): Promise<void> {
  const n = !list ? 0 : list instanceof Columns ? list.n : list.length;
  if (!list || n === 0) {
    sink.write('[]');
    return;
  }
  sink.write('[');
  const slice = new Array<unknown>(Math.min(n, ROWS_PER_SLICE));
  for (let start = 0; start < n; start += ROWS_PER_SLICE) {
    const end = Math.min(n, start + ROWS_PER_SLICE);
    if (end - start < slice.length) slice.length = end - start;
    const before = budget.rows;
    budget.takeRows(end - start);
    if (list instanceof Columns) for (let i = start; i < end; i++) slice[i - start] = b.at(list.cols, i);
    else for (let i = start; i < end; i++) slice[i - start] = b.row(list[i]!);
    if (start > 0) sink.write(',');
    await writeBuilt(slice, budget.rows - before, sink, budget, text, true);
  }
  sink.write(']');
}
