import { collectDefaultMetrics, type Registry } from 'prom-client';

/** A metric collectDefaultMetrics registers, to tell whether a registry already has them. */
const MARKER = 'process_cpu_user_seconds_total';

/**
 * Registers prom-client's default process and Node.js metrics on `registry`, under their standard names without
 * Tessera's prefix (`process_cpu_seconds_total`, `process_resident_memory_bytes`, `nodejs_heap_size_used_bytes`,
 * `nodejs_gc_duration_seconds`, `nodejs_eventloop_lag_seconds` and its `_p50/_p90/_p99` percentiles from
 * `monitorEventLoopDelay`, ...) so that the usual Node.js dashboards and alerts work unchanged. Registering twice on
 * one registry is a no-op.
 */
export function registerProcessMetrics(registry: Registry): void {
  if (registry.getSingleMetric(MARKER) !== undefined) return;
  // 10 ms resolution of the event-loop delay histogram (prom-client's default); GC durations in Prometheus' buckets.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
}
