/**
 * Whether two columns can be mapped to each other, shown beside each column pair of a new
 * relationship. The same families as the engine's check (compiler/metadata/type-compat.ts),
 * which has the last word when the relationship is created; this copy only reads the
 * type names as the catalog prints them (`integer`, `character varying(20)`, `int4`, `text[]`).
 */

const ALIASES: Readonly<Record<string, string>> = {
  smallint: 'int2', integer: 'int4', int: 'int4', bigint: 'int8', real: 'float4', 'double precision': 'float8',
  decimal: 'numeric', 'character varying': 'varchar', character: 'bpchar', char: 'bpchar', boolean: 'bool',
  'timestamp without time zone': 'timestamp', 'timestamp with time zone': 'timestamptz',
  'time without time zone': 'time', 'time with time zone': 'timetz', serial: 'int4', bigserial: 'int8', smallserial: 'int2',
};

const FAMILIES: readonly (readonly string[])[] = [
  ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'oid'],
  ['text', 'varchar', 'bpchar', 'citext', 'name'],
  ['timestamp', 'timestamptz'],
  ['json', 'jsonb'],
];

/** `character varying(20)` → `varchar`, `integer[]` → `int4[]`, `_int4` → `int4[]`. */
export function canonicalType(type: string): string {
  let t = type.trim().toLowerCase().replace(/^pg_catalog\./, '').replace(/"/g, '');
  let array = '';
  while (t.endsWith('[]')) {
    array += '[]';
    t = t.slice(0, -2).trim();
  }
  if (t.startsWith('_')) {
    array += '[]';
    t = t.slice(1);
  }
  t = t.replace(/\s*\([^)]*\)/g, '').replace(/\s+/g, ' ').trim();
  return (ALIASES[t] ?? t) + array;
}

export function typesComparable(a: string, b: string): boolean {
  const x = canonicalType(a);
  const y = canonicalType(b);
  if (x === y) return true;
  if (x.endsWith('[]') || y.endsWith('[]')) {
    return x.endsWith('[]') && y.endsWith('[]') && typesComparable(x.slice(0, -2), y.slice(0, -2));
  }
  return FAMILIES.some((f) => f.includes(x) && f.includes(y));
}
