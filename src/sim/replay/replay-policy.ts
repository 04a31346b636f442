import type { Allocation } from '../../model/allocation.js';
import type { GpuRequest } from '../../model/gpu-request.js';
import type { NodeInventory } from '../../model/node-inventory.js';
import type { NodeUsage } from '../../model/allocation.js';
import type { NodeFree, PodDemand } from '../../algorithm/baselines/baseline-policy.js';

/** A replay node: the core's inventory and usage plus the flat free view the baselines score. */
export interface ReplayNode {
  /** Position in this seed's random node order (ties go to the lowest). */
  readonly position: number;
  readonly inventory: NodeInventory;
  usage: NodeUsage;
  readonly free: NodeFree & { cpuLeft: number; memLeft: number; gpuLeft: number[]; tags: Set<string> };
  /** Bumped on every change; per-class score caches compare against it. */
  version: number;
}

/** A pod class: every pod with the same demand except host memory scores the same on a node. */
export interface ReplayPod {
  readonly demand: PodDemand;
  readonly request: GpuRequest;
}

/**
 * A placement policy as the harness drives it. `score` is an integer 0..100 on a feasible node or −1 when
 * the node cannot host the class (host memory is checked by the harness, so it is left out of `score`);
 * `place` gives the exact devices on the chosen node.
 */
export interface ReplayPolicy {
  readonly name: string;
  readonly pick: 'argmax' | 'random';
  score(pod: ReplayPod, node: ReplayNode): number;
  place(pod: ReplayPod, node: ReplayNode, rng: () => number): Allocation | null;
}
