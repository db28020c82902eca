/**
 * OpenTelemetry traces of each GraphQL request (issue 15), exported over OTLP/HTTP.
 *
 * Off by default, and then nothing is built per request. On when an OTLP endpoint is
 * configured the standard way — `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (the exporter reads them, with `OTEL_EXPORTER_OTLP_HEADERS`,
 * `…_TIMEOUT` and the rest) — unless `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`;
 * `OTEL_SERVICE_NAME` names the service (default `farjoin`). An embedding server can pass
 * its own exporter instead (`createEngine({ tracing: { exporter } })`).
 *
 * A request is one span tree, recorded when the request ends from the times the engine
 * measured (so the hot path only reads the clock): `graphql.request` (server span; the
 * incoming W3C `traceparent` is its parent), `graphql.plan` (parse, validate, plan, or the
 * plan cache), `graphql.execute`, and one `farjoin.step` per plan step with its kind,
 * source, strategy, statements, rows and keys.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type TextMapGetter, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface TracingOptions {
  /** Force tracing on or off (default: on when an OTLP endpoint is configured in the environment). */
  readonly enabled?: boolean;
  /** Where spans go (default: OTLP/HTTP as the OTEL_* variables configure it). */
  readonly exporter?: SpanExporter;
}

/** What the engine measured of one request (performance.now() times, milliseconds). */
export interface RequestTiming {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly planStartedAt?: number | undefined;
  readonly planMs?: number | undefined;
  readonly executeStartedAt?: number | undefined;
  readonly executeMs?: number | undefined;
}

export interface TracedRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>> | undefined;
  readonly operationType: string | undefined;
  readonly operationName: string | null | undefined;
  readonly requestId: string | undefined;
  readonly role: string | undefined;
  readonly planCache: string | undefined;
  readonly errorCodes: readonly string[] | undefined;
  readonly steps: readonly { id: number; kind: string; strategy?: string; source: string; rows: number; keys?: number; statements: number; ms: number; startedAt?: number; error?: string }[] | undefined;
}

const headerGetter: TextMapGetter<Readonly<Record<string, string | string[] | undefined>>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key.toLowerCase()],
};

export class Tracing {
  private readonly provider: BasicTracerProvider | undefined;
  private readonly tracer: Tracer | undefined;
  private readonly propagator = new W3CTraceContextPropagator();

  constructor(options: TracingOptions = {}, env: NodeJS.ProcessEnv = process.env) {
    if (!(options.enabled ?? (options.exporter !== undefined || configuredInEnv(env)))) return;
    // The exporter reads the OTEL_* variables of the process; the endpoint comes from the engine's env (the same one unless embedded).
    const exporter = options.exporter ?? new OTLPTraceExporter({ url: tracesEndpoint(env) });
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || 'farjoin' }),
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    this.tracer = this.provider.getTracer('farjoin');
  }

  get enabled(): boolean {
    return this.tracer !== undefined;
  }

  /** Records the span tree of one finished request. */
  record(request: TracedRequest, timing: RequestTiming): void {
    const tracer = this.tracer;
    if (!tracer) return;
    const parent = request.headers ? this.propagator.extract(ROOT_CONTEXT, request.headers, headerGetter) : ROOT_CONTEXT;
    const attributes: Attributes = {
      'graphql.operation.type': request.operationType ?? 'unknown',
      ...(request.operationName ? { 'graphql.operation.name': request.operationName } : {}),
      ...(request.requestId ? { 'farjoin.request_id': request.requestId } : {}),
      ...(request.role ? { 'farjoin.role': request.role } : {}),
    };
    const root = tracer.startSpan('graphql.request', { kind: SpanKind.SERVER, startTime: epoch(timing.startedAt), attributes }, parent);
    const inRoot = trace.setSpan(parent, root);
    if (timing.planStartedAt !== undefined && timing.planMs !== undefined) {
      tracer.startSpan('graphql.plan', { startTime: epoch(timing.planStartedAt), attributes: { 'farjoin.plan_cache': request.planCache ?? 'none' } }, inRoot)
        .end(epoch(timing.planStartedAt + timing.planMs));
    }
    if (timing.executeStartedAt !== undefined && timing.executeMs !== undefined) {
      const execute = tracer.startSpan('graphql.execute', { startTime: epoch(timing.executeStartedAt) }, inRoot);
      this.steps(tracer, trace.setSpan(inRoot, execute), request, timing.executeStartedAt);
      execute.end(epoch(timing.executeStartedAt + timing.executeMs));
    }
    if (request.errorCodes && request.errorCodes.length > 0) {
      root.setAttribute('farjoin.error_codes', [...request.errorCodes]);
      root.setStatus({ code: SpanStatusCode.ERROR, message: request.errorCodes.join(', ') });
    }
    root.end(epoch(timing.endedAt));
  }

  private steps(tracer: Tracer, context: Context, request: TracedRequest, executeStartedAt: number): void {
    for (const s of request.steps ?? []) {
      const start = s.startedAt ?? executeStartedAt;
      const span = tracer.startSpan('farjoin.step', {
        startTime: epoch(start),
        attributes: {
          'farjoin.step.id': s.id, 'farjoin.step.kind': s.kind, 'farjoin.step.source': s.source,
          'farjoin.step.strategy': s.strategy ?? 'local', 'farjoin.step.statements': s.statements, 'farjoin.step.rows': s.rows,
          ...(s.keys !== undefined ? { 'farjoin.step.keys': s.keys } : {}),
        },
      }, context);
      if (s.error) span.setStatus({ code: SpanStatusCode.ERROR, message: s.error });
      span.end(epoch(start + s.ms));
    }
  }

  /** Sends what is buffered and stops (engine close). */
  async shutdown(): Promise<void> {
    await this.provider?.shutdown();
  }
}

/** OTLP/HTTP's traces URL: the signal's own endpoint as given, or the base endpoint with `/v1/traces`. */
function tracesEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}

function configuredInEnv(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  if ((env.OTEL_TRACES_EXPORTER ?? '').split(',').map((s) => s.trim()).includes('none')) return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

/** A performance.now() time as epoch milliseconds, which OpenTelemetry takes as a time input. */
function epoch(ms: number): number {
  return performance.timeOrigin + ms;
}
