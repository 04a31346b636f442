import type { CycleState } from '../algorithm/cycle-state.js';
import type { NodeState } from '../algorithm/node-state.js';
import type { Snapshot } from '../algorithm/snapshot.js';
import type { GpuRequest } from '../model/gpu-request.js';
import type { PodObject } from '../cluster/cache/cluster-source.js';

/**
 * What filter learned about one pod, reused by prioritize and bind: the parsed request, the core's CycleState
 * (valid for one cache version) and the node states that passed filter (by identity: a node whose state object
 * changed is filtered again).
 */
export interface Evaluation {
  readonly podKey: string;
  /** Pod resourceVersion the request was parsed from ('' when absent). */
  readonly podVersion: string;
  readonly pod: PodObject;
  readonly request: GpuRequest;
  /** Cluster cache version and the snapshot `cycle` was computed against. */
  readonly version: number;
  readonly snapshot: Snapshot;
  readonly cycle: CycleState;
  readonly feasible: Map<string, NodeState>;
}

/** A bounded LRU of evaluations keyed by pod UID (or `namespace/name` when the pod has no UID). */
export class EvaluationCache {
  private readonly map = new Map<string, Evaluation>();

  constructor(private readonly capacity: number) {}

  /** The evaluation of `podKey`, refreshed as most recently used; undefined when absent. */
  get(podKey: string): Evaluation | undefined {
    const hit = this.map.get(podKey);
    if (hit === undefined) return undefined;
    this.map.delete(podKey);
    this.map.set(podKey, hit);
    return hit;
  }

  /** Stores `ev`, evicting the least recently used entry beyond capacity. */
  set(ev: Evaluation): void {
    if (this.capacity === 0) return;
    this.map.delete(ev.podKey);
    this.map.set(ev.podKey, ev);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (oldest.done !== true) this.map.delete(oldest.value);
    }
  }

  /** Drops `podKey` (after a successful bind). */
  delete(podKey: string): void {
    this.map.delete(podKey);
  }

  /** Entries held. */
  get size(): number {
    return this.map.size;
  }
}
