import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetSchema } from '../../src/sim/simulated-cluster-fleet.js';
import { bindArgs, kubePod, namesArgs } from './kube-fixtures.js';
import { startTestServer, type TestServer } from './harness.js';

/** whole-0: 8 H100 NVSwitch; frac-0: one fractional H100; spot-0: 8 L4 spot. */
const FLEET = FleetSchema.parse({
  apiVersion: 'tessera.io/v1alpha1', kind: 'SimulatedFleet',
  pools: [
    { name: 'whole', count: 1, gpuProduct: 'NVIDIA-H100-80GB-HBM3', gpuCount: 8, topologyPreset: 'hgx-h100-8x-sxm', sharing: 'exclusive' },
    { name: 'frac', count: 1, gpuProduct: 'NVIDIA-H100-80GB-HBM3', gpuCount: 1, gpuMemoryMiB: 81559, sharing: 'fractional' },
    { name: 'spot', count: 1, gpuProduct: 'NVIDIA-L4', gpuCount: 8, topologyPreset: 'l4-8x-pcie-2socket', capacityType: 'spot' },
  ],
});

let t: TestServer;
const wholePods: Record<string, unknown>[] = [];
const shares: Record<string, unknown>[] = [];

async function place(pod: Record<string, unknown>, node: string): Promise<void> {
  await t.post('/scheduler/filter', namesArgs(pod, [node]));
  const r = (await t.post('/scheduler/bind', bindArgs(pod as never, node))).json as { Error: string };
  expect(r.Error).toBe('');
}

beforeAll(async () => {
  t = await startTestServer({ fleet: FLEET });
  // whole-0 full: priorities 5,1,4,1,3,6,2,7 on its 8 GPUs.
  for (const [i, priority] of [5, 1, 4, 1, 3, 6, 2, 7].entries()) {
    const pod = kubePod({ name: `w${i}`, uid: `uid-w${i}`, priority, requests: { 'nvidia.com/gpu': '1' } });
    wholePods.push(pod);
    await place(pod, 'whole-0');
  }
  // frac-0: four 20000 MiB shares of one GPU, priorities 4,2,3,1.
  for (const [i, priority] of [4, 2, 3, 1].entries()) {
    const pod = kubePod({ name: `s${i}`, uid: `uid-s${i}`, priority, requests: { 'tessera.io/gpu-memory': '20000' } });
    shares.push(pod);
    await place(pod, 'frac-0');
  }
});
afterAll(async () => {
  await t.close();
});

const uids = (pods: Record<string, unknown>[]): { UID: string }[] =>
  pods.map((p) => ({ UID: (p.metadata as { uid: string }).uid }));

interface PreemptResult { NodeNameToMetaVictims: Record<string, { Pods: { UID: string }[]; NumPDBViolations: number }> }

describe('preempt', () => {
  it.each([
    ['NodeNameToMetaVictims (nodeCacheCapable: true)', true],
    ['NodeNameToVictims with full pods (nodeCacheCapable: false)', false],
  ])('picks the fewest lowest-priority victims and answers UIDs, given %s', async (_mode, meta) => {
    const pod = kubePod({ name: 'urgent', uid: 'uid-urgent', priority: 100, requests: { 'nvidia.com/gpu': '2' } });
    const proposal = { whole: wholePods, frac: shares, spot: [] as Record<string, unknown>[] };
    const body = meta
      ? { Pod: pod, NodeNameToVictims: null, NodeNameToMetaVictims: {
        'whole-0': { Pods: uids(proposal.whole), NumPDBViolations: 1 },
        'spot-0': { Pods: [], NumPDBViolations: 0 },
      } }
      : { Pod: pod, NodeNameToMetaVictims: null, NodeNameToVictims: {
        'whole-0': { Pods: proposal.whole, NumPDBViolations: 1 },
        'spot-0': { Pods: [], NumPDBViolations: 0 },
      } };
    const r = await t.post('/scheduler/preempt', body);
    expect(r.status).toBe(200);
    const result = r.json as PreemptResult;
    // The two priority-1 pods (w1, w3) free two GPUs; the spot node cannot help a non-interruptible pod.
    expect(Object.keys(result.NodeNameToMetaVictims)).toEqual(['whole-0']);
    expect(result.NodeNameToMetaVictims['whole-0']?.Pods.map((p) => p.UID).sort()).toEqual(['uid-w1', 'uid-w3']);
    expect(result.NodeNameToMetaVictims['whole-0']?.NumPDBViolations).toBeLessThanOrEqual(1);
  });

  it('preempts fractionally: evicting two small shares frees memory for a 30000 MiB share', async () => {
    const pod = kubePod({ name: 'share', uid: 'uid-share', priority: 50, requests: { 'tessera.io/gpu-memory': '30000' } });
    const r = (await t.post('/scheduler/preempt', {
      Pod: pod, NodeNameToVictims: null, NodeNameToMetaVictims: { 'frac-0': { Pods: uids(shares), NumPDBViolations: 0 } },
    })).json as PreemptResult;
    // Free 1559 MiB; shares are 20000 each: two victims, the lowest priorities (s3 = 1, s1 = 2).
    expect(r.NodeNameToMetaVictims['frac-0']?.Pods.map((p) => p.UID).sort()).toEqual(['uid-s1', 'uid-s3']);
  });

  it('drops nodes where only higher-priority pods run', async () => {
    const pod = kubePod({ name: 'meek', uid: 'uid-meek', priority: 0, requests: { 'nvidia.com/gpu': '1' } });
    const r = (await t.post('/scheduler/preempt', {
      Pod: pod, NodeNameToVictims: null, NodeNameToMetaVictims: { 'whole-0': { Pods: uids(wholePods), NumPDBViolations: 0 } },
    })).json as PreemptResult;
    expect(r.NodeNameToMetaVictims).toEqual({});
  });

  it('changes no state', async () => {
    const before = t.server.cache.version;
    await t.post('/scheduler/preempt', {
      Pod: kubePod({ name: 'urgent2', uid: 'uid-urgent2', priority: 100, requests: { 'nvidia.com/gpu': '8' } }),
      NodeNameToVictims: null, NodeNameToMetaVictims: { 'whole-0': { Pods: uids(wholePods), NumPDBViolations: 0 } },
    });
    expect(t.server.cache.version).toBe(before);
    expect(t.server.cache.podsOn('whole-0')).toHaveLength(8);
  });
});
