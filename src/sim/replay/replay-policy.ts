import type { Allocation } from '../../model/allocation.js';
import type { GpuRequest } from '../../model/gpu-request.js';
import type { NodeInventory } from '../../model/node-inventory.js';
import type { NodeState } from '../../algorithm/node-state.js';
import type { NodeFree, PodDemand } from '../../algorithm/baselines/baseline-policy.js';
import type { SeededRng } from './seeded-rng.js';

/** A replay node: the core's inventory and usage plus the flat free view the baselines score. */
export interface ReplayNode {
  /** Position in this seed's random node order (ties go to the lowest). */
  readonly position: number;
  readonly inventory: NodeInventory;
  /** The core's node state (usage included); replaced by `reserve` on every placement. */
  state: NodeState;
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
 * A placement policy as the harness drives it. `score` is ≥ 0 on a feasible node (baselines: integer 0..100) or −1 when
 * the node cannot host the class (host memory is checked by the harness, so it is left out of `score`);
 * `place` gives the exact devices on the chosen node.
 */
export interface ReplayPolicy {
  readonly name: string;
  /** argmax: the best score, ties to the lowest position; random: a uniform feasible node; custom: `choose`. */
  readonly pick: 'argmax' | 'random' | 'custom';
  /**
   * Called once when a pod arrives, before its first `startPod`: policies that learn from the arrivals observe the
   * pod here. The arrivals-only replay calls it right before `startPod`; churn mode attempts a waiting pod again and
   * again, but it arrives once.
   */
  arrive?(pod: ReplayPod): void;
  /**
   * Called before the `score` calls of each scheduling attempt (once per arriving pod in the arrivals-only replay;
   * churn mode retries waiting pods): per-pod scratch such as the core's CycleState.
   */
  startPod?(pod: ReplayPod): void;
  score(pod: ReplayPod, node: ReplayNode): number;
  place(pod: ReplayPod, node: ReplayNode, rng: () => number): Allocation | null;
  /**
   * With pick 'custom': the node position to place `pod` on, given every node's score (NaN where the pod does
   * not fit, host memory included), or -1.
   */
  choose?(pod: ReplayPod, scores: Float64Array, nodes: readonly ReplayNode[], rng: SeededRng): number;
  /**
   * Changes whenever earlier scores may no longer hold for unchanged nodes (a learned workload re-published):
   * the harness then scores every node afresh.
   */
  generation?(): number;
  /**
   * Churn mode only: `pod` left `node` and the harness has released `alloc` (node.state is already the state
   * after the release). Policies that keep per-run state of what was placed update it here.
   */
  release?(pod: ReplayPod, node: ReplayNode, alloc: Allocation): void;
}
