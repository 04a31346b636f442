import type { Allocation } from '../model/allocation.js';
import type { GpuRequest } from '../model/gpu-request.js';
import type { CycleState } from './cycle-state.js';
import { cycleFor } from './cycle-state.js';
import type { NodeState } from './node-state.js';
import { placeOnNode } from './place.js';
import { unreserve } from './reserve.js';

/** A pod running on the node, as preemption sees it. */
export interface RunningPod {
  readonly uid: string;
  readonly priority: number;
  readonly allocation: Allocation;
}

/** Exhaustive search over victim pairs is tried while the candidates are at most this many. */
const MAX_PAIR_CANDIDATES = 48;

/**
 * The fewest, lowest-priority pods (priority below the pod's) whose removal from `node` lets `req` fit, and
 * where it would go; null when no set of lower-priority pods helps. Fractional-aware: removing one share on
 * one GPU is enough when that frees the memory and compute the pod needs. Single victims and pairs are
 * searched exhaustively (lowest priorities first); larger sets come from kube-scheduler's reprieve loop
 * (remove all candidates, then give back the highest-priority ones that are not needed).
 */
export function selectVictims(req: GpuRequest, node: NodeState, pods: readonly RunningPod[], cycle: CycleState):
  { victims: string[]; allocation: Allocation } | null {
  const c = cycleFor(req, cycle);
  const candidates = pods.filter((p) => p.priority < req.priority && p.allocation.node === node.inventory.name)
    .sort((a, b) => a.priority - b.priority || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
  if (candidates.length === 0) return null;
  const without = (victims: readonly RunningPod[]): Allocation | null => {
    let s = node;
    for (const v of victims) s = unreserve(s, v.allocation);
    return placeOnNode(req, s, c).allocation;
  };
  const all = without(candidates);
  if (all === null) return null;
  const result = (victims: readonly RunningPod[], allocation: Allocation): { victims: string[]; allocation: Allocation } =>
    ({ victims: victims.map((v) => v.uid), allocation });
  const none = placeOnNode(req, node, c).allocation;
  if (none !== null) return result([], none);
  for (const v of candidates) {
    const a = without([v]);
    if (a !== null) return result([v], a);
  }
  if (candidates.length <= MAX_PAIR_CANDIDATES) {
    let best: { pair: RunningPod[]; alloc: Allocation; key: number } | null = null;
    for (let i = 0; i < candidates.length; i += 1) {
      for (let j = i + 1; j < candidates.length; j += 1) {
        const a = candidates[i]; const b = candidates[j];
        if (a === undefined || b === undefined) continue;
        const key = Math.max(a.priority, b.priority) * 1e6 + (a.priority + b.priority);
        if (best !== null && key >= best.key) continue;
        const alloc = without([a, b]);
        if (alloc !== null) best = { pair: [a, b], alloc, key };
      }
    }
    if (best !== null) return result(best.pair, best.alloc);
  }
  // Reprieve: keep (give back) the highest-priority candidates that are not needed.
  const victims = [...candidates];
  for (let i = candidates.length - 1; i >= 0; i -= 1) {
    const v = candidates[i];
    if (v === undefined) continue;
    const trial = victims.filter((x) => x !== v);
    if (without(trial) !== null) victims.splice(victims.indexOf(v), 1);
  }
  const alloc = without(victims);
  return alloc === null ? null : result(victims, alloc);
}
