import type { GpuRequest } from '../model/gpu-request.js';
import type { CycleState, NodeEvaluation } from './cycle-state.js';
import type { NodeState } from './node-state.js';

/** Clamps to 0..100 (non-finite -> 0). */
export function clampPart(x: number): number {
  return Number.isFinite(x) ? Math.max(0, Math.min(100, x)) : 0;
}

/** Fragmentation part: 100·sigmoid(-ΔF/scale), FGD's score shape (50 = no change, higher = less fragmented). */
export function fragmentationPart(fragDelta: number, scale: number): number {
  return clampPart(100 / (1 + Math.exp(fragDelta / scale)));
}

/**
 * Packing part: the node's GPU utilisation after the placement, 0..100 (host CPU utilisation for GPU-less
 * pods where the node accounts CPU, else neutral 50). Filling used nodes lets empty ones be scaled away.
 */
export function packingPart(node: NodeState, req: GpuRequest, units: number): number {
  const n = node.info.n;
  if (n > 0 && req.kind !== 'none') return clampPart((100 * Math.min(1000 * n, node.usedUnits + units)) / (1000 * n));
  if (node.inventory.cpuMilli > 0) return clampPart((100 * (node.usage.cpuMilli + req.cpuMilli)) / node.inventory.cpuMilli);
  return 50;
}

/** Price per GPU unit of a node (hourly price / GPUs), or null when unknown. */
export function pricePerGpu(node: NodeState): number | null {
  return node.pricePerGpu;
}

/** Cost part: 100 for the cheapest price per GPU among the snapshot's nodes, 0 for the dearest; unknown = 50. */
export function costPart(node: NodeState, cycle: CycleState): number {
  const price = pricePerGpu(node);
  const range = cycle.priceRange;
  if (price === null || range === null || !(range.max > range.min)) return 50;
  return clampPart((100 * (range.max - price)) / (range.max - range.min));
}

/** Spot part: interruptible pods score spot 100 and on-demand 0; other pods are neutral (50). */
export function spotPart(node: NodeState, req: GpuRequest): number {
  if (!req.interruptible) return 50;
  return node.spot ? 100 : 0;
}

/** Group-locality part: same node as the group 100, same clique 80, rack 60, zone 40, else 0; no group = 50. */
export function groupLocalityPart(node: NodeState, cycle: CycleState): number {
  const g = cycle.group;
  if (g === null) return 50;
  const inv = node.inventory;
  if (g.nodes.has(inv.name)) return 100;
  if (inv.clique !== null && g.cliques.has(inv.clique)) return 80;
  if (inv.rack !== null && g.racks.has(inv.rack)) return 60;
  if (inv.zone !== null && g.zones.has(inv.zone)) return 40;
  return 0;
}

/**
 * Idle units (milli-GPU) a successful plan leaves on the GPUs it uses: 0 when it takes them whole, the room
 * left beside a share otherwise (0 for a plan without devices). Bin packing's best fit prefers the smallest;
 * the trace replay breaks ties between equal scores with it.
 */
export function planRemainder(node: NodeState, e: NodeEvaluation): number {
  const devices = e.devices;
  if (devices === null || devices.length === 0) return 0;
  let before = 0;
  for (let j = 0; j < devices.length; j += 1) {
    const d = devices[j];
    if (d === undefined) continue;
    let first = true;
    for (let k = 0; k < j; k += 1) if (devices[k]?.gpuIndex === d.gpuIndex) { first = false; break; }
    if (first) before += node.idle[d.gpuIndex] ?? 0;
  }
  return Math.max(0, before - e.units);
}
