import type { Allocation } from '../../model/allocation.js';
import type { BaselinePolicy } from '../../algorithm/baselines/baseline-policy.js';
import { fitsNode } from '../../algorithm/baselines/feasible.js';
import type { ReplayNode, ReplayPod, ReplayPolicy } from './replay-policy.js';
import { TRACE_GPU_MEMORY_MIB } from './trace-to-model.js';

/** Builds the Allocation for `gpus` (device positions) on `node`. */
export function traceAllocation(pod: ReplayPod, node: ReplayNode, gpus: readonly number[]): Allocation {
  const m = pod.demand.gpuMilli;
  return {
    node: node.inventory.name,
    devices: gpus.map((i) => ({
      gpuIndex: i,
      gpuUuid: node.inventory.gpus[i]!.uuid,
      kind: m >= 1000 ? 'whole' : 'share',
      memoryMiB: m >= 1000 ? TRACE_GPU_MEMORY_MIB : (m * TRACE_GPU_MEMORY_MIB) / 1000,
      computeMilli: m,
    })),
    cpuMilli: pod.demand.cpuMilli,
    memoryMiB: pod.demand.memoryMiB,
  };
}

/** Drives a baseline through the harness: the FGD-simulator filter, the baseline score and GPU choice. */
export function baselineReplayPolicy(baseline: BaselinePolicy): ReplayPolicy {
  return {
    name: baseline.name,
    pick: baseline.pick,
    score(pod, node) {
      const demand = pod.demand.memoryMiB === 0 ? pod.demand : { ...pod.demand, memoryMiB: 0 };
      if (!fitsNode(demand, node.free)) return -1;
      return baseline.score(demand, node.free);
    },
    place(pod, node, rng) {
      const gpus = baseline.selectGpus(pod.demand, node.free, rng);
      if (pod.demand.gpuCount > 0 && gpus.length !== pod.demand.gpuCount) return null;
      return traceAllocation(pod, node, gpus);
    },
  };
}
