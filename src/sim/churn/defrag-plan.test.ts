import { describe, expect, it } from 'vitest';
import type { PodDemand } from '../../algorithm/baselines/baseline-policy.js';
import { inventoryInfo } from '../../algorithm/inventory-info.js';
import { loadTopologyPresets } from '../../io/load-topology-presets.js';
import type { TraceNode } from '../replay/load-trace.js';
import { churnCluster } from './churn-cluster.js';
import type { DefragNodeView } from './defrag-plan.js';
import { bestConnectedSets, planDefrag } from './defrag-plan.js';

const presets = loadTopologyPresets();
const share = (milli: number): PodDemand => ({ cpuMilli: 1000, memoryMiB: 1024, gpuMilli: milli, gpuCount: 1, models: null });
const whole = (gpus: number): PodDemand => ({ cpuMilli: 1000, memoryMiB: 1024, gpuMilli: 1000, gpuCount: gpus, models: null });

/** A node of `gpus` GPUs with the churn topology and the given pods: [id, milli, gpu, interruptible]. */
function node(gpus: number, pods: [number, number, number, boolean][]): DefragNodeView {
  const trace: TraceNode = { name: `n${gpus}`, cpuMilli: 64000, memoryMiB: 256000, gpuCount: gpus, model: 'G' };
  const inv = churnCluster([trace], 1, presets)[0]!;
  const gpuLeft = Array.from({ length: gpus }, () => 1000);
  for (const [, milli, g] of pods) gpuLeft[g]! -= milli;
  return {
    free: { model: 'G', cpuLeft: 64000 - 1000 * pods.length, memLeft: 256000 - 1024 * pods.length, gpuLeft, tags: new Set() },
    info: inventoryInfo(inv),
    pods: pods.map(([id, milli, g, interruptible]) => ({ id, demand: share(milli), devices: [g], interruptible })),
  };
}

describe('planDefrag', () => {
  it('frees a whole GPU by moving the one interruptible share on it, to the room beside it on the same node', () => {
    const plan = planDefrag(whole(1), { nodes: [node(2, [[1, 300, 0, true], [2, 300, 1, false]]), node(1, [[3, 600, 0, true]])] });
    expect(plan).toEqual({ node: 0, gpus: [0], moves: [{ pod: 1, to: 0 }] });
  });

  it('prefers one move over two, even when the one moves more GPU', () => {
    const plan = planDefrag(whole(1), { nodes: [node(1, [[1, 200, 0, true], [2, 200, 0, true]]), node(1, [[3, 700, 0, true]]), node(1, [[4, 100, 0, false]])] });
    expect(plan).toEqual({ node: 1, gpus: [0], moves: [{ pod: 3, to: 2 }] });
  });

  it('never moves a pod that is not interruptible, and gives up when a moved pod would fit nowhere', () => {
    expect(planDefrag(whole(1), { nodes: [node(1, [[1, 600, 0, false]]), node(1, [[2, 600, 0, false]])] })).toBeNull();
    expect(planDefrag(whole(1), { nodes: [node(1, [[1, 600, 0, true]]), node(1, [[2, 600, 0, false]])] })).toBeNull();
  });

  it('frees an NVLink bridge pair for a 2-GPU pod, not any two GPUs', () => {
    // a100-pcie-4x-bridge-pairs: 0-1 and 2-3 are NVLinked. GPU 1 is free; freeing 0 makes the pair {0,1} (1 move);
    // {2,3} holds a pod that may not move; {1,2} would need one move too but is not an island.
    const plan = planDefrag(whole(2), { nodes: [node(4, [[1, 300, 0, true], [2, 300, 2, true], [3, 300, 3, false]])] });
    expect(plan).toEqual({ node: 0, gpus: [0, 1], moves: [{ pod: 1, to: 0 }] });
  });

  it('plans nothing for shares and CPU-only pods (they need room, not a free GPU)', () => {
    const nodes = [node(1, [[1, 600, 0, true]]), node(1, [])];
    expect(planDefrag(share(500), { nodes })).toBeNull();
    expect(planDefrag({ ...share(0), gpuCount: 0 }, { nodes })).toBeNull();
  });

  it.each([[8, 2, 28], [8, 8, 1], [4, 2, 2], [4, 4, 1], [2, 2, 1], [1, 1, 1]])('bestConnectedSets: a %i-GPU churn node has %i-GPU best sets: %i', (gpus, k, count) => {
    const inv = churnCluster([{ name: 'x', cpuMilli: 1, memoryMiB: 1, gpuCount: gpus, model: 'G' }], 1, presets)[0]!;
    expect(bestConnectedSets(inventoryInfo(inv), k)).toHaveLength(count);
  });
});
