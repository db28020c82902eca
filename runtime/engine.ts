/**
 * The embeddable engine (DESIGN.md §6 "library"): metadata + live catalogs → compiler;
 * `execute` compiles and runs a request; `explain` shows the plan (optionally analysed);
 * `handler` serves HTTP. All I/O lives here and below; the compiler stays pure.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCompiler, type Compiler, type GraphQLRequest } from '../compiler/index.js';
import { FarjoinError } from '../compiler/errors.js';
import { explainPlan, type ExplainJson } from '../compiler/explain/json.js';
import { parseMetadata } from '../compiler/metadata/parse.js';
import type { Metadata } from '../compiler/metadata/types.js';
import type { StrategyRequest } from '../compiler/plan/strategy.js';
import { DEFAULT_MAX_KEYS_PER_STATEMENT, executePlan, type StatementRunner } from './execute/execute.js';
import { readMetadataFile } from './metadata-file.js';
import { toErrorJson, type GraphQLErrorJson } from './server/errors.js';
import { createHandler } from './server/http.js';
import { resolveSession, type Session } from './server/session.js';
import { Sources } from './sources/sources.js';

export interface EngineLimits {
  /** Key tuples per remote-join statement before chunking (default 50,000). */
  readonly maxKeysPerStatement?: number;
  /** Statement timeout on every source, in ms (default: none). */
  readonly statementTimeoutMs?: number;
  /** Largest accepted HTTP request body, in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
}

export interface EngineOptions {
  /** Metadata as an object (Hasura v2 export_metadata shape) … */
  readonly metadata?: unknown;
  /** … or a YAML/JSON file to read it from. */
  readonly metadataPath?: string;
  readonly adminSecret?: string;
  readonly limits?: EngineLimits;
  /** Environment for `from_env` database URLs (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface ExecuteRequest extends GraphQLRequest {
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** Forces a join strategy (same as header `x-farjoin-strategy`). */
  readonly strategy?: StrategyRequest;
}

export interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: GraphQLErrorJson[];
}

export type ExplainResponse = ExplainJson | { errors: GraphQLErrorJson[] };

const STRATEGIES: readonly StrategyRequest[] = ['auto', 'two-phase', 'fdw', 'semi-join'];

export class Engine {
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;

  private constructor(
    readonly compiler: Compiler,
    readonly sources: Sources,
    readonly metadata: Metadata,
    private readonly options: EngineOptions,
  ) {
    this.handler = createHandler(this, { maxBodyBytes: options.limits?.maxBodyBytes ?? 1024 * 1024 });
  }

  static async create(options: EngineOptions): Promise<Engine> {
    const raw = options.metadata ?? (options.metadataPath ? await readMetadataFile(options.metadataPath) : undefined);
    if (raw === undefined) throw new FarjoinError('invalid-configuration', 'createEngine needs `metadata` or `metadataPath`');
    const metadata = parseMetadata(raw);
    const sources = new Sources(metadata, {
      env: options.env ?? process.env,
      ...(options.limits?.statementTimeoutMs ? { statementTimeoutMs: options.limits.statementTimeoutMs } : {}),
    });
    try {
      const catalog = await sources.introspectAll();
      const compiler = createCompiler(metadata, catalog);
      return new Engine(compiler, sources, metadata, options);
    } catch (e) {
      await sources.close();
      throw e;
    }
  }

  session(headers: ExecuteRequest['headers']): Session {
    return resolveSession(headers ?? {}, { adminSecret: this.options.adminSecret });
  }

  private runner(): StatementRunner {
    return {
      run: async (source, text, values) => {
        const result = await this.sources.get(source).query(text, values);
        const row = result.rows[0] as Record<string, unknown> | undefined;
        return row ? Object.values(row)[0] : null;
      },
    };
  }

  private strategyOf(request: ExecuteRequest): StrategyRequest {
    const header = request.headers?.['x-farjoin-strategy'];
    const value = request.strategy ?? (Array.isArray(header) ? header[0] : header) ?? 'auto';
    if (!STRATEGIES.includes(value as StrategyRequest)) {
      throw new FarjoinError('validation-failed', `unknown strategy "${value}"; use one of ${STRATEGIES.join(', ')}`, { path: '$' });
    }
    return value as StrategyRequest;
  }

  async execute(request: ExecuteRequest): Promise<GraphQLResponse> {
    let admin = false;
    try {
      const session = this.session(request.headers);
      admin = session.admin;
      const compiled = this.compiler.compile(request, { strategy: this.strategyOf(request) });
      if (!compiled.ok) return { errors: compiled.errors.map((e) => toErrorJson(e, admin)) };
      const { data } = await executePlan(compiled.plan, this.runner(), {
        maxKeysPerStatement: this.options.limits?.maxKeysPerStatement ?? DEFAULT_MAX_KEYS_PER_STATEMENT,
      });
      return { data };
    } catch (e) {
      return { errors: [toErrorJson(e, admin)] };
    }
  }

  /** The plan for a request; with `analyze`, runs it and adds rows, keys and timings per step. */
  async explain(request: ExecuteRequest, options: { analyze?: boolean } = {}): Promise<ExplainResponse> {
    let admin = false;
    try {
      admin = this.session(request.headers).admin;
      const compiled = this.compiler.compile(request, { strategy: this.strategyOf(request) });
      if (!compiled.ok) return { errors: compiled.errors.map((e) => toErrorJson(e, admin)) };
      const explain = explainPlan(compiled.plan);
      if (options.analyze) {
        const { stats } = await executePlan(compiled.plan, this.runner(), {
          maxKeysPerStatement: this.options.limits?.maxKeysPerStatement ?? DEFAULT_MAX_KEYS_PER_STATEMENT,
        });
        for (const step of explain.steps) {
          const s = stats.get(step.id);
          if (s) step.analyze = s;
        }
      }
      return explain;
    } catch (e) {
      return { errors: [toErrorJson(e, admin)] };
    }
  }

  health(): ReturnType<Sources['health']> {
    return this.sources.health();
  }

  async close(): Promise<void> {
    await this.sources.close();
  }
}

/** `import { createEngine } from 'farjoin'`. */
export function createEngine(options: EngineOptions): Promise<Engine> {
  return Engine.create(options);
}
