import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { NodeTracerProvider, SpanExporter } from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry traces: off (the API's no-op, no cost) unless an OTLP endpoint is configured
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), or a test passes its
 * own exporter. When on, every service's HTTP server continues the caller's W3C `traceparent`,
 * the gateway's Apollo spans (plan, fetch) nest under it, and each subgraph fetch carries the
 * fetch span's `traceparent` to the subgraph, so one trace runs from the client through every
 * subgraph.
 */
let provider: NodeTracerProvider | undefined;

export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Registers the process's tracer provider (once). Returns `undefined` when tracing is off.
 * `exporter` (tests) replaces the OTLP exporter and exports each span as it ends.
 */
export function initTracing(service: string, options: { exporter?: SpanExporter } = {}): NodeTracerProvider | undefined {
  if (provider) return provider;
  if (!options.exporter && !tracingConfigured()) return undefined;
  // The SDK and the exporter load only when tracing is on: otherwise they cost every process
  // 65 ms of CPU at start (measured), eight times over for `npm start`.
  const { BatchSpanProcessor, NodeTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME || `citizen-graph-${service}` }),
    spanProcessors: [options.exporter ? new SimpleSpanProcessor(options.exporter) : new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // W3C trace context and baggage propagators, and the AsyncLocalStorage context manager.
  provider.register();
  return provider;
}

/** Flushes and stops the tracer provider (graceful shutdown). */
export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown();
}

const tracer = () => trace.getTracer('citizen-graph');

/**
 * Runs `fn` in a SERVER span that continues the trace in `headers` (`traceparent`), or starts
 * one. The remote parent is read from the headers alone, never from this process's context.
 */
export function inServerSpan<T>(
  name: string,
  headers: Record<string, string | string[] | undefined>,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  return tracer().startActiveSpan(name, { kind: SpanKind.SERVER, attributes }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Writes the active span's `traceparent` (and `tracestate`) into outgoing request headers. */
export function injectTraceHeaders(set: (name: string, value: string) => void): void {
  propagation.inject(context.active(), undefined, { set: (_carrier, name, value) => set(name, value) });
}

/** The active trace id, if a span is recording. */
export function activeTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}
