import type { GpuDevice } from '../model/gpu-device.js';
import type { GpuRequest } from '../model/gpu-request.js';
import type { CycleState, NodeEvaluation, PlannedDevice } from './cycle-state.js';
import { bestGpuSet, setQuality } from './gpu-sets.js';
import type { NodeState } from './node-state.js';
import { pickSingle } from './pick-single.js';
import { devicesOfSet, plannedDevice, planEvaluation, rejected } from './plan-evaluation.js';
import { unschedulable } from './status.js';
import { topologyStatus } from './topology-status.js';

/**
 * Evaluates a whole-GPU request on `node` (GPUs the pod may see: `visible`): free whole-able GPUs that satisfy
 * the count and topology; one GPU by pickSingle, several by the best connected set (bestGpuSet).
 */
export function evaluateWhole(req: GpuRequest, node: NodeState, cycle: CycleState, visible: number): NodeEvaluation {
  const info = node.info;
  const capable = visible & info.wholeableMask;
  const free = capable & node.freeWholeMask;
  const bad = topologyStatus(req, node, capable, free, req.gpus === 1 ? 'whole GPU' : 'whole GPUs');
  if (bad !== null) return rejected(bad);
  const make = (g: GpuDevice, i: number): PlannedDevice => plannedDevice(g, i, 'whole', g.memoryMiB, g.computeMilli > 0 ? g.computeMilli : 1000);
  if (req.gpus === 1) return pickSingle(node, cycle, free, make);
  const set = bestGpuSet(info, free, req.gpus, req.topology, node.freeWholeMask, cycle.memo.gpuSets);
  if (set === 0) return rejected(unschedulable(`need ${req.gpus} free whole GPUs: no set satisfies topology "${req.topology}"`));
  return planEvaluation(node, cycle, devicesOfSet(node, set, make), setQuality(info, set));
}
