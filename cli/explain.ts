/** `farjoin explain`: the plan of a query — steps, SQL, strategy and reason per remote join. */
import { explainText } from '../compiler/explain/text.js';
import { FarjoinError } from '../compiler/errors.js';
import type { StrategyRequest } from '../compiler/plan/strategy.js';
import { createEngine } from '../runtime/engine.js';

export interface ExplainOptions {
  metadata: string;
  query: string;
  variables?: string;
  operationName?: string;
  role?: string;
  session?: string;
  strategy: string;
  format: string;
  analyze?: boolean;
}

function parseJsonOption(name: string, value: string | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  try {
    const v = JSON.parse(value) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new FarjoinError('validation-failed', `--${name} must be a JSON object, e.g. --${name} '{"id": 1}' (${(e as Error).message})`);
  }
}

/** Prints the plan; resolves to the process exit code. */
export async function runExplain(o: ExplainOptions): Promise<number> {
  if (o.format !== 'text' && o.format !== 'json') throw new FarjoinError('validation-failed', `--format must be "text" or "json", not "${o.format}"`);
  const variables = parseJsonOption('variables', o.variables) ?? null;
  const session = parseJsonOption('session', o.session) ?? {};
  const headers: Record<string, string> = Object.fromEntries(Object.entries(session).map(([k, v]) => [k.toLowerCase(), String(v)]));
  if (o.role) headers['x-hasura-role'] = o.role;
  const engine = await createEngine({ metadataPath: o.metadata });
  try {
    const result = await engine.explain(
      { query: o.query, variables, operationName: o.operationName ?? null, headers, strategy: o.strategy as StrategyRequest },
      { analyze: o.analyze === true },
    );
    if ('errors' in result) {
      if (o.format === 'json') console.log(JSON.stringify(result, null, 2));
      else for (const e of result.errors) console.error(`farjoin: ${e.message} (${e.extensions.code} at ${e.extensions.path})`);
      return 1;
    }
    console.log(o.format === 'json' ? JSON.stringify(result, null, 2) : explainText(result));
    return 0;
  } finally {
    await engine.close();
  }
}
