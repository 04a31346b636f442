import type { GpuDevice } from '../model/gpu-device.js';
import type { CycleState, NodeEvaluation, PlannedDevice } from './cycle-state.js';
import { replicaCapacity } from './gpu-capacity.js';
import { remainderValue } from './gpu-sets.js';
import { maxClique } from './inventory-info.js';
import type { NodeState } from './node-state.js';
import { planEvaluation, rejected } from './plan-evaluation.js';
import { unschedulable } from './status.js';

/**
 * Picks one GPU among `hosting` for a single-GPU request: least fragmentation increase, then a GPU already in
 * use (keeps whole GPUs free), then the pick that keeps the best-connected free remainder, then lowest index.
 * GPUs that are twins (same device, same usage) share one fragmentation evaluation.
 */
export function pickSingle(node: NodeState, cycle: CycleState, hosting: number, make: (g: GpuDevice, i: number) => PlannedDevice): NodeEvaluation {
  const reps: number[] = [];
  const evals: NodeEvaluation[] = [];
  let best = -1; let bestEval: NodeEvaluation | null = null; let bestUsed = false; let bestRem = -1;
  for (let i = 0; i < node.info.n; i += 1) {
    if (!((hosting >> i) & 1)) continue;
    const g = node.inventory.gpus[i];
    if (g === undefined) continue;
    let e: NodeEvaluation | undefined;
    for (let r = 0; r < reps.length; r += 1) if (twins(node, reps[r] ?? -1, i)) { e = evals[r]; break; }
    if (e === undefined) {
      e = planEvaluation(node, cycle, [make(g, i)], 100);
      reps.push(i); evals.push(e);
    }
    const used = (node.freeWholeMask & (1 << i)) === 0;
    let better = bestEval === null;
    const lossDiff = bestEval === null ? 0 : e.valueLoss - bestEval.valueLoss;
    if (lossDiff < -1e-9) better = true;
    else if (bestEval !== null && lossDiff <= 1e-9) {
      const d = e.fragDelta - bestEval.fragDelta;
      if (d < -1e-9) better = true;
      else if (d <= 1e-9) {
        if (used !== bestUsed) better = used;
        else if (!used) {
          if (bestRem < 0) bestRem = remainderValue(node.info, node.freeWholeMask & ~(1 << best), cycle.memo.gpuSets);
          const rem = remainderValue(node.info, node.freeWholeMask & ~(1 << i), cycle.memo.gpuSets);
          if (rem > bestRem) { better = true; bestRem = rem; }
        }
      }
    }
    if (better) {
      if (bestEval === null || e.fragDelta !== bestEval.fragDelta || used !== bestUsed || e.valueLoss !== bestEval.valueLoss) bestRem = -1;
      best = i; bestEval = e; bestUsed = used;
    }
  }
  const g = node.inventory.gpus[best];
  if (bestEval === null || g === undefined) return rejected(unschedulable('no GPU can host the pod'));
  return { ...bestEval, devices: [make(g, best)], topology: singleQuality(node, best) };
}

/** Topology quality of a single-GPU pick: 100 unless it breaks up a free NVLink island (then island after/before). */
function singleQuality(node: NodeState, gpu: number): number {
  const bit = 1 << gpu;
  if ((node.freeWholeMask & bit) === 0) return 100;
  const before = node.largestFreeNvIsland;
  if (before <= 1) return 100;
  const after = maxClique(node.info.nvAdj, node.freeWholeMask & ~bit);
  return (100 * after) / before;
}

/** True when GPUs i and j of the node are the same kind of device holding the same usage. */
function twins(node: NodeState, i: number, j: number): boolean {
  const a = node.inventory.gpus[i]; const b = node.inventory.gpus[j];
  if (a === undefined || b === undefined || node.gpuKeys[i] !== node.gpuKeys[j]) return false;
  return a.product === b.product && a.memoryMiB === b.memoryMiB && a.computeMilli === b.computeMilli
    && a.sharing.mode === b.sharing.mode && replicaCapacity(a) === replicaCapacity(b) && a.sharing.mode !== 'mig';
}
