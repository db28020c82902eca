/** The one SQL builder (STYLE.md habit 3): identifiers quoted, values bound, nothing else spliced. */
import { describe, expect, it } from 'vitest';
import { AliasAllocator, col, ident, param, placeholder, print, sql, type Sql } from '../../compiler/sql/builder.js';

describe('sql builder', () => {
  it('quotes identifiers and doubles embedded quotes', () => {
    expect(print(ident('public', 'user')).text).toBe('"public"."user"');
    expect(print(ident('we"ird', 'x;DROP')).text).toBe('"we""ird"."x;DROP"');
  });

  it('binds values as numbered parameters, in order', () => {
    const p = print(sql`a = ${param("'; DROP TABLE x; --")} AND b = ${param(2)}`);
    expect(p.text).toBe('a = $1 AND b = $2');
    expect(p.values).toEqual(["'; DROP TABLE x; --", 2]);
  });

  it('refuses to interpolate anything but a fragment', () => {
    const userText = 'id; DROP TABLE orders' as unknown as Sql;
    expect(() => sql`SELECT ${userText}`).toThrow(/only Sql fragments/);
  });

  it('rejects NUL in identifiers', () => {
    expect(() => ident('a\0b')).toThrow();
  });

  it('numbers placeholders once and records their slot for the runtime', () => {
    const p = print(sql`x = ${param(1)} AND y = ANY(${placeholder('k0')}) AND z = ANY(${placeholder('k0')})`);
    expect(p.text).toBe('x = $1 AND y = ANY($2) AND z = ANY($2)');
    expect(p.placeholders).toEqual({ k0: 1 });
    expect(p.values).toEqual([1, undefined]);
  });

  it('allocates aliases that never come from user text', () => {
    const aliases = new AliasAllocator();
    const a = aliases.alloc();
    const b = aliases.alloc();
    expect(print(sql`${col(a, 'id')} = ${col(b, 'x"y')}`).text).toBe('"_0"."id" = "_1"."x""y"');
  });
});
