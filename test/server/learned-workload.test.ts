import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterSink, ClusterSource, PodObject } from '../../src/cluster/cache/cluster-source.js';
import { DEFAULT_FLEET, fleetNodes } from '../../src/sim/simulated-cluster-fleet.js';
import { kubePod } from './kube-fixtures.js';
import { startTestServer, type TestServer } from './harness.js';

/** A cluster that lists `pods` (pending ones: no nodeName) and the default fleet, then stays quiet. */
function listedCluster(pods: readonly PodObject[]): ClusterSource {
  return {
    kind: 'test',
    async start(sink: ClusterSink) {
      for (const n of fleetNodes(DEFAULT_FLEET)) sink.upsertNode(n);
      for (const p of pods) sink.upsertPod(p);
      sink.markSynced();
    },
    async bind() {},
    async stop() {},
  };
}

const pending = (i: number, requests: Record<string, string>): PodObject =>
  kubePod({ name: `p${i}`, uid: `uid-${i}`, requests }) as unknown as PodObject;

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

describe('the learned target workload across a restart', () => {
  it('is rebuilt from every pod the cluster lists at start, and equals what the first process learned', async () => {
    // 30 pods seen by a first process: 20 shares of 20 GiB / 300 milli and 10 whole 2-GPU jobs.
    const pods = [
      ...Array.from({ length: 20 }, (_, i) => pending(i, { 'tessera.io/gpu-memory': '20Gi', 'tessera.io/gpu-compute': '300' })),
      ...Array.from({ length: 10 }, (_, i) => pending(100 + i, { 'nvidia.com/gpu': '2' })),
    ];
    t = await startTestServer({ source: listedCluster(pods) });
    const first = t.server.service.engine;
    await expect.poll(() => first.workloadLearner?.observed).toBe(30);
    expect(first.workloadLearner?.warm).toBe(true);
    const learned = first.options.targetWorkload.map((x) => `${x.kind}/${x.gpus}/${x.computeMilli}/${x.memoryMiB}/${x.weight.toFixed(2)}`);
    expect(learned).toEqual(['share/1/300/20480/0.67', 'whole/2/0/0/0.33']);
    // The value-loss penalty is back on once warm.
    expect(first.options.valueLossPenalty).toBe(100);
    await t.close();

    // A restart: a new process, the same cluster. Nothing is carried over but what the cluster lists.
    t = await startTestServer({ source: listedCluster(pods) });
    const second = t.server.service.engine;
    await expect.poll(() => second.workloadLearner?.observed).toBe(30);
    expect(second.options.targetWorkload.map((x) => `${x.kind}/${x.gpus}/${x.computeMilli}/${x.memoryMiB}/${x.weight.toFixed(2)}`)).toEqual(learned);
  });

  it('learns each pod once, whether the cluster shows it first or a filter call does', async () => {
    const pod = pending(1, { 'nvidia.com/gpu': '1' });
    t = await startTestServer({ source: listedCluster([pod]) });
    await expect.poll(() => t?.server.service.engine.workloadLearner?.observed).toBe(1);
    const r = await t.post('/scheduler/filter', { Pod: pod, Nodes: null, NodeNames: ['h100-0'] });
    expect(r.status).toBe(200);
    expect(t.server.service.engine.workloadLearner?.observed).toBe(1);
    // A pod the cluster never showed (the simulated cluster shows none) is learned at its first filter call.
    await t.post('/scheduler/filter', { Pod: pending(2, { 'nvidia.com/gpu': '1' }), Nodes: null, NodeNames: ['h100-0'] });
    expect(t.server.service.engine.workloadLearner?.observed).toBe(2);
  });
});
