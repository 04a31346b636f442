import type { NodeState } from './node-state.js';

/** Cheapest and dearest hourly price per GPU over the fleet's priced nodes (cost score normalisation). */
export interface PriceRange {
  readonly min: number;
  readonly max: number;
}

/**
 * One immutable view of the cluster for a scheduling cycle (kube-scheduler's `Snapshot`): node states by name
 * and, per job group (`tessera.io/group`), the nodes already running the group's pods.
 */
export interface Snapshot {
  readonly nodes: ReadonlyMap<string, NodeState>;
  readonly groupNodes: ReadonlyMap<string, readonly string[]>;
  /**
   * The fleet's price range (null when no node has a price). It depends on inventories only, so the snapshot's
   * owner maintains it (makeSnapshot derives it; the cluster cache keeps it incrementally).
   */
  readonly priceRange: PriceRange | null;
  /**
   * GPUs per product over the fleet, maintained by the snapshot's owner (a new Map object whenever it changes:
   * packing values keep their pressure per capacity object). Packing values weigh GPU kinds by how much of the
   * workload may use only them (packing-value.ts, kindPressure).
   */
  readonly gpuCapacity: ReadonlyMap<string, number>;
}

/** GPUs per product over `nodes`. O(nodes). */
export function fleetGpuCapacity(nodes: Iterable<NodeState>): Map<string, number> {
  const out = new Map<string, number>();
  for (const node of nodes) for (const g of node.inventory.gpus) out.set(g.product, (out.get(g.product) ?? 0) + 1);
  return out;
}

/** Price range over `nodes` (null when no node has a price). O(nodes). */
export function fleetPriceRange(nodes: Iterable<NodeState>): PriceRange | null {
  let min = Infinity;
  let max = -Infinity;
  for (const node of nodes) {
    const p = node.pricePerGpu;
    if (p === null) continue;
    if (p < min) min = p;
    if (p > max) max = p;
  }
  return min === Infinity ? null : { min, max };
}

/** Builds a Snapshot keyed by inventory name, with its price range and GPU capacity. */
export function makeSnapshot(nodes: Iterable<NodeState>, groupNodes?: ReadonlyMap<string, readonly string[]>): Snapshot {
  const map = new Map<string, NodeState>();
  for (const n of nodes) map.set(n.inventory.name, n);
  return { nodes: map, groupNodes: groupNodes ?? new Map(), priceRange: fleetPriceRange(map.values()), gpuCapacity: fleetGpuCapacity(map.values()) };
}
