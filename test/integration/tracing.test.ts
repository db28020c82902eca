/**
 * OpenTelemetry traces (issue 15): a loopback OTLP/HTTP receiver gets the span tree of a
 * request with a remote join — graphql.request (child of the incoming W3C traceparent),
 * graphql.plan, graphql.execute and one farjoin.step per step with its attributes — from the
 * standard OTLP exporter configured by OTEL_EXPORTER_OTLP_ENDPOINT. Off when nothing is
 * configured.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { startDemo, type DemoContext } from '../helpers/demo.js';
import { sleep } from '../helpers/live.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}

let demo: DemoContext;
let receiver: Server;
let endpoint: string;
const spans: OtlpSpan[] = [];
const resources: unknown[] = [];

beforeAll(async () => {
  demo = await startDemo();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans: { resource: unknown; scopeSpans: { spans: OtlpSpan[] }[] }[] };
        for (const rs of body.resourceSpans) {
          resources.push(rs.resource);
          for (const ss of rs.scopeSpans) spans.push(...ss.spans);
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await demo?.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});

const attr = (s: OtlpSpan, key: string): unknown => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v ? Object.values(v)[0] : undefined;
};

describe('OpenTelemetry traces', () => {
  it('exports the span tree of a request, parented to the incoming traceparent, over OTLP/HTTP', async () => {
    const engine: Engine = await createEngine({
      metadataPath: demo.metadataPath,
      env: { ...process.env, ...demo.env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'farjoin-test', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    try {
      expect(engine.tracing.enabled).toBe(true);
      const r = await engine.execute({
        query: 'query Orders { orders(order_by: {id: asc}) { id user { name } } }', operationName: 'Orders',
        headers: { traceparent: `00-${traceId}-${parentId}-01`, 'x-farjoin-strategy': 'two-phase' },
      });
      expect(r.errors).toBeUndefined();
    } finally {
      await engine.close(); // flushes the batch
    }
    for (let i = 0; i < 50 && spans.length < 5; i++) await sleep(20);
    const byName = (name: string) => spans.filter((s) => s.name === name);
    const [root] = byName('graphql.request');
    expect(root).toBeDefined();
    expect(root!.traceId).toBe(traceId);
    expect(root!.parentSpanId).toBe(parentId);
    expect(root!.kind).toBe(2); // SERVER
    expect(attr(root!, 'graphql.operation.type')).toBe('query');
    expect(attr(root!, 'graphql.operation.name')).toBe('Orders');
    const [plan] = byName('graphql.plan');
    const [execute] = byName('graphql.execute');
    expect(plan!.parentSpanId).toBe(root!.spanId);
    expect(attr(plan!, 'farjoin.plan_cache')).toBe('miss');
    expect(execute!.parentSpanId).toBe(root!.spanId);
    const steps = byName('farjoin.step');
    expect(steps.map((s) => [attr(s, 'farjoin.step.kind'), attr(s, 'farjoin.step.source'), attr(s, 'farjoin.step.strategy')]).sort())
      .toEqual([['fetch', 'source_db', 'local'], ['remote-join', 'target_db', 'two-phase']]);
    for (const s of steps) {
      expect(s.parentSpanId).toBe(execute!.spanId);
      expect(s.traceId).toBe(traceId);
      expect(BigInt(s.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(execute!.startTimeUnixNano));
      expect(BigInt(s.endTimeUnixNano)).toBeLessThanOrEqual(BigInt(root!.endTimeUnixNano));
    }
    const join = steps.find((s) => attr(s, 'farjoin.step.kind') === 'remote-join')!;
    expect(Number(attr(join, 'farjoin.step.keys'))).toBe(4); // user ids 1, 2, 3, 99 of the orders (a null key is not sent)
    expect(Number(attr(join, 'farjoin.step.statements'))).toBe(1);
    expect(JSON.stringify(resources[0])).toContain('farjoin-test');
  });

  it('is off, and builds nothing, when no OTLP endpoint is configured', async () => {
    const env = { ...process.env, ...demo.env };
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
    delete env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    const engine = await createEngine({ metadataPath: demo.metadataPath, env });
    try {
      expect(engine.tracing.enabled).toBe(false);
      const off = await createEngine({ metadataPath: demo.metadataPath, env: { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SDK_DISABLED: 'true' } });
      expect(off.tracing.enabled).toBe(false);
      await off.close();
    } finally {
      await engine.close();
    }
  });
});
