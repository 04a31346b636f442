import { extenderScores, nodeTieKey } from '../../algorithm/node-rank.js';
import type { SeededRng } from '../replay/seeded-rng.js';
import {
  balancedScore, DEFAULT_MEMORY_REQUEST_BYTES, DEFAULT_MILLI_CPU_REQUEST, fitScore, type ResourceSpec,
} from './in-tree-scores.js';
import type { SchedulerProfileModel } from './scheduler-profile-model.js';

const MIB = 1024 * 1024;

/** A pod's host requests as kube-scheduler reads them (one container, as replayed pods have). */
export interface HostRequest {
  readonly cpuMilli: number;
  readonly memoryMiB: number;
}

/**
 * kube-scheduler's node choice for the extender's pods, as a model the replay runs (docs/replay.md "Node
 * choice"): every candidate's total is the extender's 0..10 score x weight x 10 plus the profile's
 * NodeResourcesFit and NodeResourcesBalancedAllocation scores x their weights, and the pod goes to a node with
 * the highest total, ties broken uniformly at random (`selectHost`) with the replay's seeded generator. Keeps
 * each node's requested CPU and memory (both as requested and with kube-scheduler's non-zero defaults) from
 * `placed` and `removed`.
 */
export class KubeSchedulerChoice {
  private readonly cpu: Float64Array;
  private readonly cpuNonZero: Float64Array;
  private readonly mem: Float64Array;
  private readonly memNonZero: Float64Array;
  private scores = new Uint8Array(0);
  private totalsScratch = new Float64Array(0);
  /** Scratch vectors for one node's requested and allocatable resources. */
  private readonly requested: number[] = [];
  private readonly allocatableScratch: number[] = [];
  /** Nodes whose totals tied at the top in the last choice (for the model-vs-real check). */
  lastTies = 0;

  private readonly tieKeys: Float64Array;

  /** `nodes[i]`: node i's name and allocatable CPU and memory. */
  constructor(readonly model: SchedulerProfileModel, private readonly allocatable: readonly (HostRequest & { readonly name: string })[]) {
    const n = allocatable.length;
    this.tieKeys = Float64Array.from(allocatable, (a) => nodeTieKey(a.name));
    this.cpu = new Float64Array(n);
    this.cpuNonZero = new Float64Array(n);
    this.mem = new Float64Array(n);
    this.memNonZero = new Float64Array(n);
  }

  /**
   * The node kube-scheduler would bind `pod` to among the candidates `ranks[i]` (Tessera's node rank; NaN for
   * a node the pod does not fit), or -1 when none fits. `interested` false models a pod that names none of the
   * extender's managedResources: kube-scheduler does not call the extender for it, so only the in-tree scores
   * count (`ranks` then only says which nodes fit).
   */
  choose(ranks: Float64Array, pod: HostRequest, rng: SeededRng, interested = true): number {
    const totals = this.totals(ranks, pod, interested);
    let best = -Infinity;
    let chosen = -1;
    let ties = 0;
    for (let i = 0; i < totals.length; i += 1) {
      const total = totals[i] as number;
      if (total !== total) continue;
      if (total > best) {
        best = total;
        chosen = i;
        ties = 1;
      } else if (total === best) {
        ties += 1;
        if (rng.intn(ties) === 0) chosen = i;
      }
    }
    this.lastTies = ties;
    return chosen;
  }

  /** Every candidate's total as kube-scheduler adds it up (NaN where the pod does not fit). */
  totals(ranks: Float64Array, pod: HostRequest, interested = true): Float64Array {
    const n = ranks.length;
    if (this.scores.length < n) {
      this.scores = new Uint8Array(n);
      this.totalsScratch = new Float64Array(n);
    }
    const ext = extenderScores(ranks, this.tieKeys, n, this.scores);
    const w = interested ? this.model.extenderWeight * 10 : 0;
    const out = this.totalsScratch;
    for (let i = 0; i < n; i += 1) {
      const r = ranks[i] as number;
      out[i] = r !== r ? NaN : (ext[i] as number) * w + this.inTree(i, pod);
    }
    return out.length === n ? out : out.subarray(0, n);
  }

  /** The in-tree part of node `i`'s total for `pod` (NodeResourcesFit and BalancedAllocation, weighted). */
  inTree(i: number, pod: HostRequest): number {
    const m = this.model;
    const alloc = this.allocatable[i] as HostRequest;
    let total = 0;
    if (m.fit !== null) {
      const podCpu = pod.cpuMilli > 0 ? pod.cpuMilli : DEFAULT_MILLI_CPU_REQUEST;
      const podMem = pod.memoryMiB > 0 ? pod.memoryMiB * MIB : DEFAULT_MEMORY_REQUEST_BYTES;
      this.vectors(m.fit.resources, alloc, (this.cpuNonZero[i] as number) + podCpu, (this.memNonZero[i] as number) + podMem);
      total += m.fit.weight * fitScore(m.fit.strategy, m.fit.resources, this.requested, this.allocatableScratch);
    }
    if (m.balanced !== null && (pod.cpuMilli > 0 || pod.memoryMiB > 0)) {
      this.vectors(m.balanced.resources, alloc, (this.cpu[i] as number) + pod.cpuMilli, (this.mem[i] as number) + pod.memoryMiB * MIB);
      total += m.balanced.weight * balancedScore(this.requested, this.allocatableScratch);
    }
    return total;
  }

  /** Records `pod` bound to node `i`. */
  placed(i: number, pod: HostRequest): void {
    this.add(i, pod, 1);
  }

  /** Records `pod` gone from node `i` (the churn replay). */
  removed(i: number, pod: HostRequest): void {
    this.add(i, pod, -1);
  }

  /** Fills the scratch vectors: requested and allocatable per scored resource (cpu in milli, memory in bytes; others 0, skipped). */
  private vectors(resources: readonly ResourceSpec[], alloc: HostRequest, cpu: number, mem: number): void {
    const requested = this.requested;
    const allocatable = this.allocatableScratch;
    requested.length = resources.length;
    allocatable.length = resources.length;
    for (let k = 0; k < resources.length; k += 1) {
      const name = resources[k]?.name;
      requested[k] = name === 'cpu' ? cpu : name === 'memory' ? mem : 0;
      allocatable[k] = name === 'cpu' ? alloc.cpuMilli : name === 'memory' ? alloc.memoryMiB * MIB : 0;
    }
  }

  private add(i: number, pod: HostRequest, sign: 1 | -1): void {
    this.cpu[i] = (this.cpu[i] as number) + sign * pod.cpuMilli;
    this.mem[i] = (this.mem[i] as number) + sign * pod.memoryMiB * MIB;
    this.cpuNonZero[i] = (this.cpuNonZero[i] as number) + sign * (pod.cpuMilli > 0 ? pod.cpuMilli : DEFAULT_MILLI_CPU_REQUEST);
    this.memNonZero[i] = (this.memNonZero[i] as number) + sign * (pod.memoryMiB > 0 ? pod.memoryMiB * MIB : DEFAULT_MEMORY_REQUEST_BYTES);
  }
}

