/**
 * The console's comparability hint (console/src/type-compat.ts) agrees with the engine's
 * check (compiler/metadata/type-compat.ts) on every pair of common types, whichever way the
 * catalog spells them (`int4` or `integer`, `varchar` or `character varying(20)`, `_int4`
 * or `integer[]`), so the console never marks comparable what the engine refuses.
 */
import { describe, expect, it } from 'vitest';
import type { PgType } from '../../compiler/catalog/types.js';
import { typesComparable as engineComparable } from '../../compiler/metadata/type-compat.js';
import { canonicalType, typesComparable as consoleComparable } from '../../console/src/type-compat.js';

/** Internal name → category and the spellings a catalog may print. */
const TYPES: Record<string, { category: string; spellings: string[] }> = {
  int2: { category: 'N', spellings: ['smallint'] },
  int4: { category: 'N', spellings: ['integer', 'int'] },
  int8: { category: 'N', spellings: ['bigint'] },
  numeric: { category: 'N', spellings: ['numeric(10,2)', 'decimal'] },
  float4: { category: 'N', spellings: ['real'] },
  float8: { category: 'N', spellings: ['double precision'] },
  oid: { category: 'N', spellings: [] },
  text: { category: 'S', spellings: [] },
  varchar: { category: 'S', spellings: ['character varying(20)', 'character varying'] },
  bpchar: { category: 'S', spellings: ['character(3)', 'char'] },
  name: { category: 'S', spellings: [] },
  timestamp: { category: 'D', spellings: ['timestamp without time zone', 'timestamp(3) without time zone'] },
  timestamptz: { category: 'D', spellings: ['timestamp with time zone'] },
  date: { category: 'D', spellings: [] },
  json: { category: 'U', spellings: [] },
  jsonb: { category: 'U', spellings: [] },
  bool: { category: 'B', spellings: ['boolean'] },
  uuid: { category: 'U', spellings: [] },
};

const pg = (name: string): PgType => ({ schema: 'pg_catalog', name, category: TYPES[name]!.category });
const array = (name: string): PgType => ({ schema: 'pg_catalog', name: `_${name}`, category: 'A', element: pg(name) });

describe('console comparability hint', () => {
  it('reads every spelling as the internal name', () => {
    for (const [name, { spellings }] of Object.entries(TYPES)) {
      for (const s of [name, ...spellings]) expect(canonicalType(s), s).toBe(name);
      expect(canonicalType(`_${name}`)).toBe(`${name}[]`);
    }
    expect(canonicalType('integer[]')).toBe('int4[]');
    expect(canonicalType('pg_catalog."varchar"')).toBe('varchar');
  });

  it('agrees with the engine on every pair, scalars and arrays', () => {
    const names = Object.keys(TYPES);
    let comparable = 0;
    for (const a of names) {
      for (const b of names) {
        const engine = engineComparable(pg(a), pg(b));
        if (engine) comparable++;
        for (const sa of [a, ...TYPES[a]!.spellings]) {
          for (const sb of [b, ...TYPES[b]!.spellings]) expect(consoleComparable(sa, sb), `${sa} ↔ ${sb}`).toBe(engine);
        }
        expect(consoleComparable(`_${a}`, `${b}[]`), `${a}[] ↔ ${b}[]`).toBe(engineComparable(array(a), array(b)));
        expect(consoleComparable(`${a}[]`, b), `${a}[] ↔ ${b}`).toBe(engineComparable(array(a), pg(b)));
      }
    }
    // Not everything is comparable with everything: int ↔ text is refused.
    expect(consoleComparable('integer', 'text')).toBe(false);
    expect(comparable).toBeLessThan(names.length * names.length);
  });
});
