import type { CycleState } from '../algorithm/cycle-state.js';
import type { NodeState } from '../algorithm/node-state.js';
import type { Snapshot } from '../algorithm/snapshot.js';
import type { GpuRequest } from '../model/gpu-request.js';
import type { PodObject } from '../cluster/cache/cluster-source.js';

/**
 * The nodes that passed filter, in answer order, with the state each was judged on and its node rank
 * (node-rank.ts) computed in the same pass, so prioritize ranks with a lookup per name. A node whose state
 * object changed since (a bind in between) is evaluated again by prioritize.
 */
export interface FeasibleNodes {
  readonly names: readonly string[];
  /** `states[i]` is the NodeState `names[i]` passed on. */
  readonly states: readonly NodeState[];
  /** `ranks[i]` is the node rank of `names[i]` on `states[i]`. */
  readonly ranks: Float64Array;
  /** Name -> index, built on first use when prioritize's list is not filter's answer in order. */
  index: Map<string, number> | null;
}

/** No feasible nodes yet (filter has not run for the pod in this snapshot). */
export function noFeasibleNodes(): FeasibleNodes {
  return { names: [], states: [], ranks: new Float64Array(0), index: null };
}

/**
 * What filter learned about one pod, reused by prioritize and bind: the parsed request and, while the pod is
 * among the most recent ones, the core's CycleState for one snapshot and the nodes that passed filter with
 * their scores (by identity: a node whose state object changed is evaluated again).
 */
export interface Evaluation {
  readonly podKey: string;
  /** Pod resourceVersion the request was parsed from ('' when absent). */
  readonly podVersion: string;
  readonly pod: PodObject;
  readonly request: GpuRequest;
  /** Cluster cache version and snapshot `cycle` was computed against; null once the cycle was dropped. */
  readonly version: number;
  readonly snapshot: Snapshot | null;
  readonly cycle: CycleState | null;
  readonly feasible: FeasibleNodes | null;
}

/** An evaluation that still holds its cycle. */
export type LiveEvaluation = Evaluation & { readonly snapshot: Snapshot; readonly cycle: CycleState; readonly feasible: FeasibleNodes };

/** Cycles kept: kube-scheduler handles one pod at a time, so a few cover filter -> prioritize -> bind. */
const DEFAULT_LIVE_CYCLES = 16;

/**
 * A bounded LRU of evaluations keyed by pod UID (or `namespace/name`). A CycleState holds per-node memos (about
 * one entry per candidate node), so only the `liveCycles` most recent entries keep theirs; older entries keep the
 * parsed request for bind and drop the rest, which bounds memory and GC work.
 */
export class EvaluationCache {
  private readonly map = new Map<string, Evaluation>();
  private readonly live = new Map<string, true>();

  constructor(private readonly capacity: number, private readonly liveCycles = DEFAULT_LIVE_CYCLES) {}

  /** The evaluation of `podKey`, refreshed as most recently used; undefined when absent. */
  get(podKey: string): Evaluation | undefined {
    const hit = this.map.get(podKey);
    if (hit === undefined) return undefined;
    this.map.delete(podKey);
    this.map.set(podKey, hit);
    return hit;
  }

  /** Stores `ev`, evicting the least recently used entry beyond capacity and old cycles beyond `liveCycles`. */
  set(ev: Evaluation): void {
    if (this.capacity === 0) return;
    const key = ev.podKey;
    this.map.delete(key);
    this.map.set(key, ev);
    this.live.delete(key);
    if (ev.cycle !== null) this.live.set(key, true);
    while (this.live.size > this.liveCycles) {
      const oldest = this.live.keys().next().value as string;
      this.live.delete(oldest);
      const entry = this.map.get(oldest);
      if (entry !== undefined) this.map.set(oldest, { ...entry, snapshot: null, cycle: null, feasible: null });
    }
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.live.delete(oldest);
    }
  }

  /** Drops `podKey` (after a successful bind). */
  delete(podKey: string): void {
    this.map.delete(podKey);
    this.live.delete(podKey);
  }

  /** Entries held, and how many still hold a cycle. */
  get size(): { readonly entries: number; readonly liveCycles: number } {
    return { entries: this.map.size, liveCycles: this.live.size };
  }
}
