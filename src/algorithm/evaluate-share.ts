import type { GpuDevice } from '../model/gpu-device.js';
import type { GpuRequest } from '../model/gpu-request.js';
import type { CycleState, NodeEvaluation, PlannedDevice } from './cycle-state.js';
import { EMPTY_GPU_USAGE, freeComputeMilli, freeMemoryMiB, shareFits } from './gpu-capacity.js';
import { bestGpuSet, setQuality } from './gpu-sets.js';
import { popcount } from './inventory-info.js';
import type { NodeState } from './node-state.js';
import { pickSingle } from './pick-single.js';
import { devicesOfSet, plannedDevice, planEvaluation, rejected } from './plan-evaluation.js';
import { unresolvable, unschedulable } from './status.js';
import { gpuWord, modesOf } from './rejection-text.js';
import { topologyStatus } from './topology-status.js';

/**
 * Evaluates a share request (memory and compute on fractional GPUs) on `node`: GPUs large enough ever, GPUs
 * with the share free now, then the count and topology; one GPU by pickSingle, several by bestGpuSet.
 */
export function evaluateShare(req: GpuRequest, node: NodeState, cycle: CycleState, visible: number): NodeEvaluation {
  const info = node.info;
  let capable = 0; let hosting = 0;
  let bestMem = -1; let bestComp = 0; let largest = 0;
  for (let i = 0; i < info.n; i += 1) {
    const bit = 1 << i;
    if (!(visible & info.fractionalMask & bit)) continue;
    const g = node.inventory.gpus[i];
    const u = node.usage.gpus[i] ?? EMPTY_GPU_USAGE;
    if (g === undefined) continue;
    largest = Math.max(largest, g.memoryMiB);
    if (g.memoryMiB < req.memoryMiB || (g.computeMilli > 0 ? g.computeMilli : 1000) < req.computeMilli) continue;
    capable |= bit;
    if (shareFits(g, u, req.memoryMiB, req.computeMilli)) hosting |= bit;
    const fm = freeMemoryMiB(g, u);
    const fc = freeComputeMilli(g, u);
    if (fm > bestMem || (fm === bestMem && fc > bestComp)) { bestMem = fm; bestComp = fc; }
  }
  const what = `${gpuWord(req.gpus)} with ${req.memoryMiB} MiB and ${req.computeMilli} milli`;
  if (popcount(capable) < req.gpus) {
    if ((visible & info.fractionalMask) === 0) return rejected(unresolvable(`need ${req.gpus} fractional ${gpuWord(req.gpus)}: node has none (GPUs are ${modesOf(node, visible)})`));
    return rejected(unresolvable(`need ${req.gpus} ${what}: node has ${popcount(capable)} (largest fractional GPU has ${largest} MiB)`));
  }
  if (popcount(hosting) < req.gpus) {
    return rejected(unschedulable(`need ${req.gpus} ${what} free: best GPU has ${Math.max(0, bestMem)} MiB / ${bestComp} milli`));
  }
  const bad = topologyStatus(req, node, capable, hosting, `${gpuWord(req.gpus)} with the share free`);
  if (bad !== null) return rejected(bad);
  const make = (g: GpuDevice, i: number): PlannedDevice => plannedDevice(g, i, 'share', req.memoryMiB, req.computeMilli);
  if (req.gpus === 1) return pickSingle(node, cycle, hosting, make);
  const set = bestGpuSet(info, hosting, req.gpus, req.topology, node.freeWholeMask, cycle.memo.gpuSets);
  if (set === 0) return rejected(unschedulable(`need ${req.gpus} ${what}: no set satisfies topology "${req.topology}"`));
  return planEvaluation(node, cycle, devicesOfSet(node, set, make), setQuality(info, set));
}
