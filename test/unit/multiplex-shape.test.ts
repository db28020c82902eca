/** Where a statement's bind parameters are, for multiplexing (runtime/live/multiplex.ts). */
import { describe, expect, it } from 'vitest';
import { parameterShape } from '../../runtime/live/multiplex.js';

describe('parameterShape', () => {
  it('finds cast parameters and LIMIT/OFFSET counts, skipping quoted identifiers and literals', () => {
    const text = `SELECT "a$1", 'it''s $2' FROM "t""$3" WHERE x = $1::int4 AND y = ANY($2::"pg_catalog"."text"[]) LIMIT $3 OFFSET $4`;
    const shape = parameterShape(text)!;
    expect(shape.count).toBe(4);
    expect(shape.uses.map(([start, end, n, cast]) => [text.slice(start, end), n, cast])).toEqual([
      ['$1', 1, 'own'], ['$2', 2, 'own'], ['$3', 3, 'bigint'], ['$4', 4, 'bigint'],
    ]);
  });

  it('refuses a statement with a parameter it cannot type', () => {
    expect(parameterShape('SELECT $1 = x')).toBeUndefined();
    expect(parameterShape('SELECT 1')).toEqual({ count: 0, uses: [] });
  });
});
