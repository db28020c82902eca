/**
 * Golden tests for generated SQL and plans (STYLE.md habit 10): each case folder under
 * test/golden holds `query.graphql` (and optional `variables.json`) and the expected
 * explain JSON in `plan.json`. `UPDATE_GOLDEN=1 npx vitest run test/unit/golden-sql.test.ts`
 * rewrites them. The compiler runs without a database; every statement must also parse
 * as PostgreSQL.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parsePg } from 'pgsql-ast-parser';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createCompiler } from '../../compiler/index.js';
import { explainPlan } from '../../compiler/explain/json.js';
import { packageFile } from '../../runtime/paths.js';
import { demoCatalog } from '../helpers/catalog.js';

const GOLDEN = packageFile('test', 'golden');
const metadata = parseYaml(readFileSync(packageFile('fixtures', 'demo', 'metadata.yaml'), 'utf8')) as unknown;
const compiler = createCompiler(metadata, demoCatalog());

describe('golden SQL for the demo metadata', () => {
  for (const name of readdirSync(GOLDEN).filter((n) => existsSync(join(GOLDEN, n, 'query.graphql'))).sort()) {
    it(name, () => {
      const dir = join(GOLDEN, name);
      const query = readFileSync(join(dir, 'query.graphql'), 'utf8');
      const varsFile = join(dir, 'variables.json');
      const variables = existsSync(varsFile) ? (JSON.parse(readFileSync(varsFile, 'utf8')) as Record<string, unknown>) : null;
      const result = compiler.compile({ query, variables });
      if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
      const explain = explainPlan(result.plan);
      for (const step of explain.steps) expect(() => parsePg(step.sql)).not.toThrow();
      // Values are part of the golden output: they show what is bound, and that nothing is inlined.
      const actual = { ...explain, values: result.plan.steps.map((s) => s.sql.values.map((v) => (v === undefined ? '<keys>' : v))) };
      const expectedFile = join(dir, 'plan.json');
      if (process.env.UPDATE_GOLDEN === '1' || !existsSync(expectedFile)) {
        writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
      }
      expect(actual).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
    });
  }
});
