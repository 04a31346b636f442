import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prefilter } from '../../src/algorithm/cycle-state.js';
import { EvaluationMemo } from '../../src/algorithm/evaluation-memo.js';
import { parseGpuRequest, type PodLike } from '../../src/model/parse-gpu-request.js';
import { freshExtenderScores } from './fresh-scores.js';
import { startTracing, type TracingHandle } from '../../src/telemetry/tracing.js';
import { bindArgs, kubePod, namesArgs } from './kube-fixtures.js';
import { startTestServer, type TestServer } from './harness.js';

type HostPriority = { Host: string; Score: number };

const ALL = [...[0, 1, 2, 3].map((i) => `h100-${i}`), ...[0, 1, 2, 3].map((i) => `a100-${i}`), ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `l4-${i}`)];
const exporter = new InMemorySpanExporter();
let tracing: TracingHandle;
let t: TestServer;

beforeAll(async () => {
  tracing = startTracing('none', exporter);
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
  await tracing.shutdown();
});

/** What scoring each node afresh with the core gives now (the oracle the kept scores must equal). */
function freshScores(pod: object, hosts: readonly string[]): HostPriority[] {
  const parsed = parseGpuRequest(pod as PodLike);
  if (!parsed.ok) throw new Error('test pod does not parse');
  const snapshot = t.server.cache.snapshot();
  const cycle = prefilter(parsed.value, snapshot, t.server.service.engine.options, new EvaluationMemo(t.server.service.engine.options));
  const scores = freshExtenderScores(cycle, snapshot, hosts);
  return hosts.map((host, i) => ({ Host: host, Score: scores[i] as number }));
}

/** The `tessera.scores_reused` attribute of the last prioritize span. */
function lastReused(): unknown {
  const spans = exporter.getFinishedSpans().filter((s) => s.name === 'prioritize nodes');
  return spans[spans.length - 1]?.attributes['tessera.scores_reused'];
}

async function filterNames(pod: object, hosts: readonly string[]): Promise<string[]> {
  return ((await t.post('/scheduler/filter', namesArgs(pod, hosts))).json as { NodeNames: string[] }).NodeNames;
}

async function prioritize(pod: object, hosts: readonly string[]): Promise<HostPriority[]> {
  return (await t.post('/scheduler/prioritize', namesArgs(pod, hosts))).json as HostPriority[];
}

describe('prioritize after filter (nodeCacheCapable: true)', () => {
  it.each([
    ["answers filter's survivors in filter's order from the scores filter kept", (s: string[]) => s],
    ['answers the survivors in reverse order from the kept scores', (s: string[]) => [...s].reverse()],
  ])('%s, equal to scoring every node afresh', async (_name, order) => {
    const pod = kubePod({ name: 'p', uid: `uid-${order.length}-${_name.length}`, requests: { 'nvidia.com/gpu': '1' }, annotations: { 'tessera.io/interruptible': 'true' } });
    const survivors = await filterNames(pod, ALL);
    expect(survivors.length).toBeGreaterThan(4);
    const hosts = order(survivors);
    const got = await prioritize(pod, hosts);
    expect(got).toEqual(freshScores(pod, hosts));
    expect(new Set(got.map((h) => h.Score)).size).toBeGreaterThan(1);
    expect(lastReused()).toBe(hosts.length);
  });

  it('reads the nodes filter judged (passed or rejected) and judges a node it never saw afresh (0 when the pod does not fit)', async () => {
    const pod = kubePod({ name: 'h', uid: 'uid-h100-only', requests: { 'nvidia.com/gpu': '4' }, annotations: { 'tessera.io/gpu-model': 'H100' } });
    const survivors = await filterNames(pod, ['h100-0', 'h100-1', 'a100-0']);
    expect(survivors).toEqual(['h100-0', 'h100-1']);
    const hosts = ['h100-0', 'a100-0', 'h100-2', 'ghost'];
    const got = await prioritize(pod, hosts);
    expect(got).toEqual(freshScores(pod, hosts));
    expect(got[1]).toEqual({ Host: 'a100-0', Score: 0 });
    expect(got[2]?.Score).toBeGreaterThan(0);
    // h100-0 and a100-0 were judged by filter; h100-2 is judged now; ghost is no node.
    expect(lastReused()).toBe(2);
  });

  it('re-scores a node whose state changed between filter and prioritize (a bind in between)', async () => {
    const pod = kubePod({ name: 'q', uid: 'uid-q', requests: { 'nvidia.com/gpu': '1' }, annotations: { 'tessera.io/gpu-model': 'H100' } });
    const survivors = await filterNames(pod, ['h100-2', 'h100-3']);
    expect(survivors).toEqual(['h100-2', 'h100-3']);
    const before = freshScores(pod, survivors);
    expect(before[0]?.Score).toBeGreaterThan(0);
    // Another pod takes all eight GPUs of h100-2 before kube-scheduler asks to prioritize `pod`.
    const big = kubePod({ name: 'big', uid: 'uid-big', requests: { 'nvidia.com/gpu': '8' }, annotations: { 'tessera.io/gpu-model': 'H100' } });
    expect(await filterNames(big, ['h100-2'])).toEqual(['h100-2']);
    expect(((await t.post('/scheduler/bind', bindArgs(big as never, 'h100-2'))).json as { Error: string }).Error).toBe('');
    const got = await prioritize(pod, survivors);
    expect(got[0]).toEqual({ Host: 'h100-2', Score: 0 });
    expect(got).toEqual(freshScores(pod, survivors));
    // Only h100-2 changed: h100-3 is still read from filter's pass.
    expect(lastReused()).toBe(1);
  });
});
