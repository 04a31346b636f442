import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { inPodTrace, podSpanId, podTraceId, withPodSpan } from '../../src/telemetry/pod-trace.js';
import { registerProcessMetrics } from '../../src/telemetry/process-metrics.js';
import { startTracing, tracingModeFrom, tracingResource } from '../../src/telemetry/tracing.js';

describe('tracingModeFrom()', () => {
  it.each([
    ['the configured mode wins', 'console', { OTEL_TRACES_EXPORTER: 'otlp' }, 'console'],
    ['OTEL_TRACES_EXPORTER=otlp when the config says none', 'none', { OTEL_TRACES_EXPORTER: 'otlp' }, 'otlp'],
    ['the first of a list', 'none', { OTEL_TRACES_EXPORTER: 'otlp,console' }, 'otlp'],
    ['an exporter Tessera does not ship is none', 'none', { OTEL_TRACES_EXPORTER: 'zipkin' }, 'none'],
    ['OTEL_SDK_DISABLED=true turns it off', 'otlp', { OTEL_SDK_DISABLED: 'true' }, 'none'],
  ] as const)('%s', (_name, configured, env, expected) => {
    expect(tracingModeFrom(configured, env)).toBe(expected);
  });
});

describe('podTraceId()', () => {
  it('is the UID without dashes for a Kubernetes UID (a UUID), lower case', () => {
    expect(podTraceId('3B0E7C52-1a4f-4d8e-9c61-0000000000A1')).toBe('3b0e7c521a4f4d8e9c610000000000a1');
  });

  it('hashes other UIDs into 32 hex digits, stably, never all zeros', () => {
    expect(podTraceId('uid-m')).toMatch(/^[0-9a-f]{32}$/);
    expect(podTraceId('uid-m')).toBe(podTraceId('uid-m'));
    expect(podTraceId('uid-m')).not.toBe(podTraceId('uid-n'));
    expect(podTraceId('00000000-0000-0000-0000-000000000000')).not.toMatch(/^0+$/);
  });

  it('puts spans started under inPodTrace in the pod\'s trace, under the pod\'s parent span id', () => {
    const span = inPodTrace('uid-m', context.active());
    expect(trace.getSpanContext(span)).toMatchObject({ traceId: podTraceId('uid-m'), spanId: podSpanId('uid-m'), isRemote: true });
  });
});

describe('withPodSpan() with a registered SDK', () => {
  const exporter = new InMemorySpanExporter();
  const handle = startTracing('none', exporter);
  afterAll(async () => {
    await handle.shutdown();
  });

  it('records a SERVER span in the pod\'s trace, ended when a promise settles, with the error on rejection', async () => {
    const value = withPodSpan('POST', '/scheduler/filter', { namespace: 'ns', name: 'p', uid: 'uid-m' }, () => 7);
    expect(value).toBe(7);
    await expect(withPodSpan('POST', '/scheduler/bind', { namespace: 'ns', name: 'p', uid: 'uid-m' }, async () => {
      throw new Error('no');
    })).rejects.toThrow('no');
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['POST /scheduler/filter', 'POST /scheduler/bind']);
    expect(spans.every((s) => s.spanContext().traceId === podTraceId('uid-m'))).toBe(true);
    expect(spans[0]?.attributes).toMatchObject({ 'k8s.pod.name': 'p', 'k8s.namespace.name': 'ns', 'k8s.pod.uid': 'uid-m' });
    expect(spans[1]?.status.code).toBe(2);
  });

  it('returns the running SDK when started again (the --import preload and serve both start it)', () => {
    expect(startTracing('otlp')).toBe(handle);
  });

  it('names the service "tessera" with its version', () => {
    const attrs = tracingResource().attributes;
    expect(attrs['service.name']).toBe(process.env.OTEL_SERVICE_NAME || 'tessera');
    expect(attrs['service.version']).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('registerProcessMetrics()', () => {
  it('adds the default process and Node.js metrics, event-loop lag percentiles included, once per registry', async () => {
    const registry = new Registry();
    registerProcessMetrics(registry);
    registerProcessMetrics(registry);
    const names = registry.getMetricsAsArray().map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes']));
    expect(names.filter((n) => n.startsWith('tessera_'))).toEqual([]);
    expect(await registry.metrics()).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
  });
});
