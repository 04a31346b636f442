import type { GpuRequest } from '../model/gpu-request.js';
import type { CycleState } from './cycle-state.js';
import { cycleFor } from './cycle-state.js';
import { evaluateNode } from './evaluate-node.js';
import type { NodeState } from './node-state.js';
import type { Status } from './status.js';

/**
 * Whether `node` can take `req` now. `unresolvable` when even the empty node could not (wrong model, spot,
 * taints, too few or too small GPUs, no NVLink island large enough), so preemption is not tried there;
 * `unschedulable` when what is held now is in the way. `req` must be the request `cycle` was prefiltered for.
 */
export function filterNode(req: GpuRequest, node: NodeState, cycle: CycleState): Status {
  cycle = cycleFor(req, cycle);
  return evaluateNode(node, cycle).status;
}
