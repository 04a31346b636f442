import type { GpuDevice } from '../model/gpu-device.js';
import type { GpuRequest } from '../model/gpu-request.js';
import type { CycleState, NodeEvaluation, PlannedDevice } from './cycle-state.js';
import { EMPTY_GPU_USAGE, freeReplicas, replicaCapacity } from './gpu-capacity.js';
import { bestGpuSet, setQuality } from './gpu-sets.js';
import type { NodeState } from './node-state.js';
import { pickSingle } from './pick-single.js';
import { devicesOfSet, plannedDevice, planEvaluation, rejected } from './plan-evaluation.js';
import { unresolvable, unschedulable } from './status.js';
import { gpuWord, modesOf } from './rejection-text.js';
import { topologyStatus } from './topology-status.js';

/**
 * Evaluates a time-slice replica request on `node`: time-sliced GPUs with a free replica, then the count and
 * topology; one GPU by pickSingle, several by bestGpuSet.
 */
export function evaluateReplica(req: GpuRequest, node: NodeState, cycle: CycleState, visible: number): NodeEvaluation {
  const info = node.info;
  const capable = visible & info.timeSlicedMask;
  if (capable === 0) return rejected(unresolvable(`need ${req.gpus} time-sliced ${gpuWord(req.gpus)}: node has none (GPUs are ${modesOf(node, visible)})`));
  let hosting = 0;
  for (let i = 0; i < info.n; i += 1) {
    const g = node.inventory.gpus[i];
    if ((capable >> i) & 1 && g !== undefined && freeReplicas(g, node.usage.gpus[i] ?? EMPTY_GPU_USAGE) > 0) hosting |= 1 << i;
  }
  const bad = topologyStatus(req, node, capable, hosting, `time-sliced ${gpuWord(req.gpus)} with a free replica`);
  if (bad !== null) return rejected(bad);
  const make = (g: GpuDevice, i: number): PlannedDevice => {
    const r = Math.max(1, replicaCapacity(g));
    return plannedDevice(g, i, 'replica', 0, Math.floor(1000 / r), { replicas: 1 });
  };
  if (req.gpus === 1) return pickSingle(node, cycle, hosting, make);
  const set = bestGpuSet(info, hosting, req.gpus, req.topology, node.freeWholeMask, cycle.memo.gpuSets);
  if (set === 0) return rejected(unschedulable(`need ${req.gpus} time-sliced GPUs: no set satisfies topology "${req.topology}"`));
  return planEvaluation(node, cycle, devicesOfSet(node, set, make), setQuality(info, set));
}
