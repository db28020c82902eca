/**
 * The file layout of metadata read with `!include`s (Hasura's exported `metadata/` folder,
 * or a hand-split file), so that a change is written back where each part came from:
 * every part that was included is written to its file again, new parts follow their
 * siblings (a new table beside the other table files, a new source's `tables` in a folder
 * named like the others), and files of removed parts are deleted.
 *
 * Parts are matched by identity, not position: a source by name, a table by schema and
 * name, a permission by role.
 */
import { basename, dirname, extname, join, relative } from 'node:path';
import { Document, Scalar, visit } from 'yaml';
import type { IncludeSite } from '../metadata-file.js';
import { isObject, qualifiedName } from './doc.js';

/** Identity path (JSON of its segments) → where that part lives. */
export type Layout = Map<string, { readonly file: string; readonly style: 'tag' | 'string' }>;

export interface PlannedFile {
  readonly path: string;
  readonly text: string;
}

function identity(v: unknown, i: number): string {
  if (isObject(v)) {
    for (const key of ['table', 'function'] as const) {
      if (v[key] === undefined) continue;
      try {
        const q = qualifiedName(v[key], '$');
        return `${key}:${q.schema}.${q.name}`;
      } catch {
        // not a qualified name: fall through
      }
    }
    if (typeof v.name === 'string') return `name:${v.name}`;
    if (typeof v.role === 'string') return `role:${v.role}`;
  }
  return `#${i}`;
}

/** The identity path of a position (keys and indices) in `doc`. */
function identityPath(doc: unknown, at: readonly (string | number)[]): string[] {
  const out: string[] = [];
  let node: unknown = doc;
  for (const seg of at) {
    if (Array.isArray(node) && typeof seg === 'number') {
      out.push(identity(node[seg], seg));
      node = node[seg];
    } else {
      out.push(String(seg));
      node = isObject(node) ? node[String(seg)] : undefined;
    }
  }
  return out;
}

/** The layout of a document from the includes its reading reported. */
export function layoutOf(doc: unknown, sites: readonly IncludeSite[]): Layout {
  const layout: Layout = new Map();
  for (const site of sites) layout.set(JSON.stringify(identityPath(doc, site.at)), { file: site.file, style: site.style });
  return layout;
}

const MARK = '\u0000include';

/** Plans the files that hold `value` (the part at `at`) in `file`, following `old`. */
export function planFiles(value: unknown, at: readonly string[], file: string, old: Layout): { files: PlannedFile[]; layout: Layout } {
  const files: PlannedFile[] = [];
  const layout: Layout = new Map();
  const taken = new Set<string>([file]);

  const include = (part: unknown, path: string[], target: string, style: 'tag' | 'string', from: string): unknown => {
    layout.set(JSON.stringify(path), { file: target, style });
    taken.add(target);
    writeFile(part, path, target);
    const rel = relative(dirname(from), target);
    return style === 'tag' && !isJson(from) ? { [MARK]: rel } : `!include ${rel}`;
  };

  /** Where a new part goes when its siblings were included, or undefined to keep it inline. */
  const siblingTarget = (path: string[], part: unknown, index: number, from: string): { file: string; style: 'tag' | 'string' } | undefined => {
    const parent = path.slice(0, -1);
    const element = /^(\w+:|#)/.test(path[path.length - 1]!);
    for (const [key, entry] of old) {
      const p = JSON.parse(key) as string[];
      if (p.length !== path.length) continue;
      if (element && JSON.stringify(p.slice(0, -1)) === JSON.stringify(parent)) {
        // A new element of a list whose elements live in files: a file beside theirs.
        return { file: unique(join(dirname(entry.file), fileName(part, index, entry.file)), taken), style: entry.style };
      }
      if (element && /^(\w+:|#)/.test(p[p.length - 1]!) && onlyNameDiffers(p.slice(0, -1), parent) >= 0) {
        // … or whose cousins do (the tables of a new source): a file beside the list's own.
        return { file: unique(join(dirname(from), fileName(part, index, entry.file)), taken), style: entry.style };
      }
      const i = onlyNameDiffers(p, path);
      if (i < 0) continue;
      // The same key of a sibling (a new source's `tables`): its file with the sibling's name replaced.
      const segs = entry.file.split('/');
      const j = segs.lastIndexOf(p[i]!.slice('name:'.length));
      if (j < 0) continue;
      segs[j] = path[i]!.slice('name:'.length);
      return { file: unique(segs.join('/'), taken), style: entry.style };
    }
    return undefined;
  };

  const render = (part: unknown, path: string[], from: string, index: number): unknown => {
    if (path.length > at.length) {
      const known = old.get(JSON.stringify(path));
      const target = known ?? siblingTarget(path, part, index, from);
      if (target) return include(part, path, known ? known.file : target.file, target.style, from);
    }
    return renderChildren(part, path, from);
  };

  const renderChildren = (part: unknown, path: string[], from: string): unknown => {
    if (Array.isArray(part)) return part.map((v, i) => render(v, [...path, identity(v, i)], from, i));
    if (isObject(part)) return Object.fromEntries(Object.entries(part).map(([k, v]) => [k, render(v, [...path, k], from, 0)]));
    return part;
  };

  const writeFile = (part: unknown, path: string[], target: string): void => {
    const rendered = renderChildren(part, path, target);
    files.push({ path: target, text: serialize(rendered, target) });
  };

  writeFile(value, [...at], file);
  return { files, layout };
}

/** The one position where `a` and `b` differ, both names of list elements; else -1. */
function onlyNameDiffers(a: readonly string[], b: readonly string[]): number {
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (at >= 0 || !a[i]!.startsWith('name:') || !b[i]!.startsWith('name:')) return -1;
    at = i;
  }
  return at;
}

function fileName(part: unknown, index: number, sibling: string): string {
  const ext = extname(sibling) || '.yaml';
  const id = identity(part, index).replace(/^\w+:/, '').replace(/\./g, '_');
  return `${id.replace(/[^\w-]/g, '_')}${ext}`;
}

function unique(path: string, taken: Set<string>): string {
  if (!taken.has(path)) return path;
  const ext = extname(path);
  for (let n = 2; ; n++) {
    const candidate = join(dirname(path), `${basename(path, ext)}_${n}${ext}`);
    if (!taken.has(candidate)) return candidate;
  }
}

function isJson(file: string): boolean {
  return extname(file).toLowerCase() === '.json';
}

/** YAML (with `!include` tags where the part was tagged), or JSON for `.json` files. */
export function serialize(value: unknown, file: string): string {
  if (isJson(file)) return `${JSON.stringify(value, null, 2)}\n`;
  const doc = new Document(value);
  visit(doc, {
    Map(_, node) {
      const mark = node.items.find((i) => (i.key as Scalar | null)?.value === MARK);
      if (!mark) return undefined;
      const tagged = new Scalar((mark.value as Scalar).value);
      tagged.tag = '!include';
      return tagged;
    },
  });
  return doc.toString();
}
