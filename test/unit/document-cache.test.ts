/**
 * The compiler keeps validated documents per role (compiler/index.ts): a repeated query
 * text skips parse and validate, but never crosses roles (each role validates against its
 * own schema), never carries variable values, and failing texts fail every time.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createCompiler } from '../../compiler/index.js';
import { packageFile } from '../../runtime/paths.js';
import { demoCatalog } from '../helpers/catalog.js';

const metadata = parseYaml(readFileSync(packageFile('fixtures', 'demo', 'metadata.yaml'), 'utf8')) as unknown;

describe('validated document cache', () => {
  it('validates a text again for another role', () => {
    const compiler = createCompiler(metadata, demoCatalog());
    const query = '{ user { id name } orders { id } }';
    expect(compiler.compile({ query }).ok).toBe(true);
    expect(compiler.compile({ query }).ok).toBe(true);
    const asStranger = compiler.compile({ query }, { session: { role: 'stranger', variables: {} } });
    expect(asStranger.ok).toBe(false);
    // Validated against the stranger's schema, which has neither field; Hasura reports the first error only.
    if (!asStranger.ok) expect(asStranger.errors.map((e) => [e.code, e.path])).toEqual([['validation-failed', '$.selectionSet.user']]);
  });

  it('binds each request’s own variable values', () => {
    const compiler = createCompiler(metadata, demoCatalog());
    const query = 'query Q($n: Int!) { orders(limit: $n) { id } }';
    const values = (n: number): unknown[] => {
      const r = compiler.compile({ query, variables: { n } });
      if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
      return [...r.plan.steps[0]!.sql.values];
    };
    expect(values(1)).toEqual([1]);
    expect(values(7)).toEqual([7]);
  });

  it('fails an invalid text every time', () => {
    const compiler = createCompiler(metadata, demoCatalog());
    for (let i = 0; i < 2; i++) {
      const r = compiler.compile({ query: '{ orders { no_such_column } }' });
      expect(r.ok).toBe(false);
    }
  });
});
