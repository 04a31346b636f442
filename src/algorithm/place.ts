import type { Allocation } from '../model/allocation.js';
import type { GpuRequest } from '../model/gpu-request.js';
import type { CycleState } from './cycle-state.js';
import { cycleFor } from './cycle-state.js';
import { devicesFor, evaluateNode } from './evaluate-node.js';
import type { NodeState } from './node-state.js';
import type { Status } from './status.js';

/**
 * The exact devices `req` gets on `node` (GPU positions, share amounts, replicas, MIG profile and start), or
 * the rejection. Multi-GPU requests get the best-connected free set; single GPUs and shares the GPU that least
 * increases fragmentation (see docs/algorithm.md). Same input, same allocation.
 */
export function placeOnNode(req: GpuRequest, node: NodeState, cycle: CycleState): { status: Status; allocation: Allocation | null } {
  cycle = cycleFor(req, cycle);
  const e = evaluateNode(node, cycle);
  if (e.status.code !== 'success' || e.devices === null) return { status: e.status, allocation: null };
  return {
    status: e.status,
    allocation: { node: node.inventory.name, devices: devicesFor(node, e.devices), cpuMilli: req.cpuMilli, memoryMiB: req.hostMemoryMiB },
  };
}
