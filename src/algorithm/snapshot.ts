import type { NodeState } from './node-state.js';

/**
 * One immutable view of the cluster for a scheduling cycle (kube-scheduler's `Snapshot`): node states by name
 * and, per job group (`tessera.io/group`), the nodes already running the group's pods.
 */
export interface Snapshot {
  readonly nodes: ReadonlyMap<string, NodeState>;
  readonly groupNodes: ReadonlyMap<string, readonly string[]>;
}

/** Builds a Snapshot keyed by inventory name. */
export function makeSnapshot(nodes: Iterable<NodeState>, groupNodes?: ReadonlyMap<string, readonly string[]>): Snapshot {
  const map = new Map<string, NodeState>();
  for (const n of nodes) map.set(n.inventory.name, n);
  return { nodes: map, groupNodes: groupNodes ?? new Map() };
}
