import { readFileSync } from 'node:fs';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, createPreemptionMetrics } from '../../src/telemetry/metrics.js';
import { startTracing, type TracingHandle } from '../../src/telemetry/tracing.js';
import { bindArgs, kubePod, namesArgs } from './kube-fixtures.js';
import { startTestServer, type TestServer } from './harness.js';

const exporter = new InMemorySpanExporter();
let tracing: TracingHandle;
let t: TestServer;

beforeAll(async () => {
  tracing = startTracing('none', exporter);
  t = await startTestServer();
  const pod = kubePod({ name: 'm', uid: 'uid-m', requests: { 'nvidia.com/gpu': '8' }, annotations: { 'tessera.io/gpu-model': 'H100' } });
  const args = namesArgs(pod, ['h100-0', 'a100-0', 'l4-0', 'ghost']);
  await t.post('/scheduler/filter', args);
  await t.post('/scheduler/prioritize', args);
  await t.post('/scheduler/bind', bindArgs(pod as never, 'h100-0'));
  await t.post('/scheduler/preempt', { Pod: pod, NodeNameToVictims: null, NodeNameToMetaVictims: { 'h100-1': { Pods: [], NumPDBViolations: 0 } } });
  await t.post('/scheduler/filter', '{oops');
});
afterAll(async () => {
  await t.close();
  await tracing.shutdown();
});

describe('metrics', () => {
  it('exposes request durations by verb and code, rejections by reason, binds, assumptions and GPU use', async () => {
    const r = await t.get('/metrics');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/plain/);
    const text = r.text;
    expect(text).toMatch(/^tessera_extender_request_duration_seconds_count\{verb="filter",code="200"\} 1$/m);
    expect(text).toMatch(/^tessera_extender_request_duration_seconds_count\{verb="filter",code="400"\} 1$/m);
    expect(text).toMatch(/^tessera_extender_request_duration_seconds_count\{verb="bind",code="200"\} 1$/m);
    expect(text).toMatch(/^tessera_filter_rejections_total\{reason="unresolvable"\} 2$/m);
    expect(text).toMatch(/^tessera_filter_rejections_total\{reason="unknown_node"\} 1$/m);
    expect(text).toMatch(/^tessera_binds_total\{result="bound"\} 1$/m);
    expect(text).toMatch(/^tessera_bind_conflicts_total 0$/m);
    // docs/service.md (Metrics): a compact filter body is read from its bytes, the same list again is recent.
    expect(text).toMatch(/^tessera_node_name_lists_total\{read="bytes"\} 1$/m);
    expect(text).toMatch(/^tessera_node_name_lists_total\{read="recent"\} 1$/m);
    expect(text).not.toMatch(/^tessera_node_name_lists_total\{read="parsed"\}/m);
    expect(text).toMatch(/^tessera_assumed_pods 0$/m);
    expect(text).toMatch(/^tessera_cluster_nodes 16$/m);
    expect(text).toMatch(/^tessera_gpus\{product="H100-80GB"\} 32$/m);
    // One of 32 H100s' capacity: a whole 8-GPU node is 8/32.
    expect(text).toMatch(/^tessera_gpu_allocated_ratio\{product="H100-80GB"\} 0\.25$/m);
    expect(text).toMatch(/^tessera_evaluation_cache_total\{result="hit"\} \d+$/m);
  });

  it('registers every metric on the injected registry, none globally, exactly the ones docs/service.md documents', () => {
    const registry = new Registry();
    createMetrics(registry);
    createPreemptionMetrics(registry);
    const names = registry.getMetricsAsArray().map((m) => m.name).sort();
    const docs = readFileSync(new URL('../../docs/service.md', import.meta.url), 'utf8');
    const documented = [...docs.matchAll(/^\| `(tessera_[a-z_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented.length).toBeGreaterThanOrEqual(13);
    expect(names).toEqual(documented);
  });
});

describe('tracing', () => {
  it('records one span per verb with the documented names, each inside a server span of the request', () => {
    const spans = exporter.getFinishedSpans();
    const names = spans.map((s) => s.name).filter((n) => !n.startsWith('POST '));
    expect(names).toEqual(['filter nodes', 'prioritize nodes', 'bind pod', 'preempt pod']);
    expect(spans.map((s) => s.name).filter((n) => n.startsWith('POST '))).toEqual(['POST /scheduler/filter', 'POST /scheduler/prioritize', 'POST /scheduler/bind', 'POST /scheduler/preempt']);
    const filter = spans.find((s) => s.name === 'filter nodes');
    expect(filter?.attributes['tessera.candidates']).toBe(4);
    expect(filter?.attributes['tessera.feasible']).toBe(1);
  });
});
