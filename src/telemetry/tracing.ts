import { trace, type Tracer } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Instrumentation scope of every Tessera span. */
export const TRACER_NAME = 'tessera';

/** The tracer the service uses (only @opentelemetry/api: a no-op until an SDK is registered). */
export function tesseraTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** A started tracing SDK. */
export interface TracingHandle {
  shutdown(): Promise<void>;
}

/**
 * Registers the OpenTelemetry SDK globally. `console` prints each span to stdout; `none` registers nothing.
 * An explicit `exporter` (tests: InMemorySpanExporter) wins over the mode.
 */
export function startTracing(mode: 'none' | 'console', exporter?: SpanExporter): TracingHandle {
  const chosen = exporter ?? (mode === 'console' ? new ConsoleSpanExporter() : null);
  if (chosen === null) return { shutdown: async () => {} };
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(chosen)] });
  provider.register();
  return {
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
    },
  };
}
