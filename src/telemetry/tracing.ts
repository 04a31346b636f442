import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Instrumentation scope of every Tessera span. */
export const TRACER_NAME = 'tessera';
/** `service.name` unless OTEL_SERVICE_NAME (or `service.name` in OTEL_RESOURCE_ATTRIBUTES) says otherwise. */
export const DEFAULT_SERVICE_NAME = 'tessera';

/** Where spans go: nowhere, stdout, or an OTLP/HTTP receiver. */
export type TracingMode = 'none' | 'console' | 'otlp';

/** The tracer the service uses (only @opentelemetry/api: a no-op until an SDK is registered). */
export function tesseraTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** A started tracing SDK. */
export interface TracingHandle {
  /** The exporter in use. */
  readonly mode: TracingMode;
  /** Exports the spans still buffered. */
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The exporter to use: the configured mode when it is not `none`, else the standard OTEL_TRACES_EXPORTER
 * (`otlp`, `console` or `none`; the first of a list); OTEL_SDK_DISABLED=true turns tracing off whatever is set.
 */
export function tracingModeFrom(configured: TracingMode, env: Readonly<Record<string, string | undefined>>): TracingMode {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return 'none';
  if (configured !== 'none') return configured;
  const first = env.OTEL_TRACES_EXPORTER?.split(',')[0]?.trim().toLowerCase();
  return first === 'otlp' || first === 'console' ? first : 'none';
}

/**
 * The resource spans carry: the SDK's defaults, `service.name` "tessera" and `service.version`, overridden by the
 * standard OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME (read from the process environment).
 */
export function tracingResource(): Resource {
  const own: Record<string, string> = { 'service.name': DEFAULT_SERVICE_NAME };
  const version = packageVersion();
  if (version !== null) own['service.version'] = version;
  return defaultResource().merge(resourceFromAttributes(own)).merge(detectResources({ detectors: [envDetector] }));
}

let active: TracingHandle | null = null;

/** True while an SDK started by startTracing records spans (callers skip building spans otherwise). */
export function tracingActive(): boolean {
  return active !== null;
}

/**
 * Registers the OpenTelemetry SDK globally. `otlp` exports in batches over OTLP/HTTP (JSON) to the endpoint of the
 * standard variables (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, default
 * http://localhost:4318; OTEL_EXPORTER_OTLP_HEADERS, ..._TIMEOUT; batching by OTEL_BSP_*); `console` prints each
 * span to stdout; `none` registers nothing. An explicit `exporter` (tests: InMemorySpanExporter) wins over the
 * mode. Once started, later calls return the running SDK (the `--import` preload and `serve` both call this).
 */
export function startTracing(mode: TracingMode, exporter?: SpanExporter): TracingHandle {
  if (active !== null) return active;
  let processor: SpanProcessor | null = null;
  if (exporter !== undefined) processor = new SimpleSpanProcessor(exporter);
  else if (mode === 'console') processor = new SimpleSpanProcessor(new ConsoleSpanExporter());
  else if (mode === 'otlp') processor = new BatchSpanProcessor(new OTLPTraceExporter());
  if (processor === null) return { mode: 'none', forceFlush: async () => {}, shutdown: async () => {} };
  const provider = new NodeTracerProvider({ resource: tracingResource(), spanProcessors: [processor] });
  provider.register();
  const handle: TracingHandle = {
    mode,
    forceFlush: () => provider.forceFlush(),
    shutdown: async () => {
      if (active === handle) active = null;
      await provider.shutdown();
      trace.disable();
    },
  };
  active = handle;
  return handle;
}

/** Tessera's version from its package.json (found upwards from this module), or null. */
function packageVersion(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === 'tessera' && typeof pkg.version === 'string') return pkg.version;
      } catch {
        return null;
      }
    }
    if (dirname(dir) === dir) return null;
    dir = dirname(dir);
  }
}
