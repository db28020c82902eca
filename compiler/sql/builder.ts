/**
 * The one SQL builder (STYLE.md habit 3). SQL reaches Postgres in three ways only:
 * - keywords and punctuation, written as template literal text in this codebase;
 * - identifiers, always double-quoted with `"` doubled (`ident`);
 * - values, always bind parameters `$n` (`param`), or runtime-supplied placeholders
 *   (`placeholder`) for join keys that only exist at execution time.
 *
 * Interpolating anything but an `Sql` fragment into the `sql` tag throws, so user text
 * can never be concatenated into a statement.
 */
import { invariant } from '../errors.js';

const SQL = Symbol('farjoin.sql');

type Part =
  | { readonly t: 'raw'; readonly text: string }
  | { readonly t: 'ident'; readonly names: readonly string[] }
  | { readonly t: 'param'; readonly value: unknown }
  | { readonly t: 'placeholder'; readonly name: string }
  | { readonly t: 'alias'; readonly alias: Alias };

export interface Sql {
  readonly [SQL]: true;
  readonly parts: readonly Part[];
}

/** A table alias allocated by the compiler; printed as `"_N"` in allocation order. */
export interface Alias {
  readonly kind: 'alias';
  readonly id: number;
}

/** `into.push(...from)` without spreading: a spread of ~100,000 parts overflows the stack. */
function append(into: Part[], from: readonly Part[]): void {
  for (const p of from) into.push(p);
}

function make(parts: readonly Part[]): Sql {
  return { [SQL]: true, parts };
}

export function isSql(v: unknown): v is Sql {
  return typeof v === 'object' && v !== null && (v as { [SQL]?: unknown })[SQL] === true;
}

/** Tagged template: literal text is trusted code; every `${}` must be an `Sql` fragment. */
export function sql(strings: TemplateStringsArray, ...values: readonly Sql[]): Sql {
  const parts: Part[] = [];
  strings.forEach((text, i) => {
    if (text) parts.push({ t: 'raw', text });
    if (i < values.length) {
      const v = values[i];
      invariant(isSql(v), 'only Sql fragments may be interpolated into sql``');
      append(parts, v.parts);
    }
  });
  return make(parts);
}

/** A possibly schema-qualified identifier, always quoted. */
export function ident(...names: readonly string[]): Sql {
  for (const n of names) invariant(typeof n === 'string' && !n.includes('\0'), 'identifier must be a string without NUL');
  return make([{ t: 'ident', names }]);
}

/** A bind parameter. */
export function param(value: unknown): Sql {
  return make([{ t: 'param', value }]);
}

/** A bind parameter whose value is supplied at execution time (join keys). */
export function placeholder(name: string): Sql {
  return make([{ t: 'placeholder', name }]);
}

export function aliasRef(alias: Alias): Sql {
  return make([{ t: 'alias', alias }]);
}

/** `alias.column` */
export function col(alias: Alias, column: string): Sql {
  return make([{ t: 'alias', alias }, { t: 'raw', text: '.' }, { t: 'ident', names: [column] }]);
}

export function join(items: readonly Sql[], separator: Sql): Sql {
  const parts: Part[] = [];
  items.forEach((item, i) => {
    if (i > 0) append(parts, separator.parts);
    append(parts, item.parts);
  });
  return make(parts);
}

export const empty: Sql = make([]);
export const comma: Sql = sql`, `;

export function list(items: readonly Sql[]): Sql {
  return join(items, comma);
}

/** A type cast target such as `"pg_catalog"."int4"`, or its array form. */
export function typeRef(schema: string, name: string, isArray = false): Sql {
  return isArray ? sql`${ident(schema, name)}[]` : ident(schema, name);
}

/** Allocates aliases for one statement; they never derive from user text (STYLE.md habit 4). */
export class AliasAllocator {
  private next = 0;
  alloc(): Alias {
    return { kind: 'alias', id: this.next++ };
  }
}

export interface PrintedSql {
  readonly text: string;
  /** Values for `$1..$n`; placeholder slots hold `undefined` until the runtime fills them. */
  readonly values: readonly unknown[];
  /** Placeholder name → zero-based index into `values`. */
  readonly placeholders: Readonly<Record<string, number>>;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Prints a fragment as text with numbered parameters. */
export function print(fragment: Sql): PrintedSql {
  let text = '';
  const values: unknown[] = [];
  const placeholders: Record<string, number> = {};
  const aliasNames = new Map<number, string>();
  for (const p of fragment.parts) {
    switch (p.t) {
      case 'raw':
        text += p.text;
        break;
      case 'ident':
        text += p.names.map(quoteIdent).join('.');
        break;
      case 'param':
        values.push(p.value);
        text += `$${values.length}`;
        break;
      case 'placeholder': {
        let idx = placeholders[p.name];
        if (idx === undefined) {
          values.push(undefined);
          idx = values.length - 1;
          placeholders[p.name] = idx;
        }
        text += `$${idx + 1}`;
        break;
      }
      case 'alias': {
        let name = aliasNames.get(p.alias.id);
        if (name === undefined) {
          name = `_${p.alias.id}`;
          aliasNames.set(p.alias.id, name);
        }
        text += quoteIdent(name);
        break;
      }
      default: {
        const never: never = p;
        invariant(false, `unknown SQL part ${String(never)}`);
      }
    }
  }
  return { text, values, placeholders };
}
