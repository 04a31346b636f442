import type { GpuRequest } from '../model/gpu-request.js';
import { largestSatisfyingSet } from './gpu-sets.js';
import { popcount } from './inventory-info.js';
import type { NodeState } from './node-state.js';
import type { Status } from './status.js';
import { unresolvable, unschedulable } from './status.js';

/** Rejects when the capable (ever usable) or free GPUs cannot satisfy the count and topology need. */
export function topologyStatus(req: GpuRequest, node: NodeState, capable: number, free: number, what: string): Status | null {
  const k = req.gpus;
  const info = node.info;
  if (popcount(capable) < k) return unresolvable(`need ${k} ${what}: node has ${popcount(capable)}`);
  if (k > 1 && req.topology === 'nvlink-required') {
    const all = largestSatisfyingSet(info, capable, 'nvlink-required');
    if (all < k) return unresolvable(`need ${k} NVLink-connected ${what}: largest NVLink island on the node has ${all}`);
  }
  if (k > 1 && req.topology === 'numa') {
    const all = largestSatisfyingSet(info, capable, 'numa');
    if (all < k) return unresolvable(`need ${k} ${what} on one NUMA node: the node has at most ${all} per NUMA node`);
  }
  if (popcount(free) < k) return unschedulable(`need ${k} free ${what}: ${popcount(free)} free`);
  if (k > 1 && req.topology === 'nvlink-required') {
    const have = largestSatisfyingSet(info, free, 'nvlink-required');
    if (have < k) return unschedulable(`need ${k} NVLink-connected ${what}: largest free NVLink island has ${have}`);
  }
  if (k > 1 && req.topology === 'numa') {
    const have = largestSatisfyingSet(info, free, 'numa');
    if (have < k) return unschedulable(`need ${k} free ${what} on one NUMA node: at most ${have} free on one NUMA node`);
  }
  return null;
}
