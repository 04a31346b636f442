import { evaluateNode } from '../../algorithm/evaluate-node.js';
import { nodeRank } from '../../algorithm/node-rank.js';
import { makeNodeState, type NodeState } from '../../algorithm/node-state.js';
import { PlacementEngine } from '../../algorithm/placement-engine.js';
import { reserve } from '../../algorithm/reserve.js';
import type { SchedulingOptions } from '../../algorithm/scheduling-options.js';
import { fleetGpuCapacity, makeSnapshot, type Snapshot } from '../../algorithm/snapshot.js';
import type { Allocation } from '../../model/allocation.js';
import type { GpuRequest } from '../../model/gpu-request.js';
import type { NodeInventory } from '../../model/node-inventory.js';
import { KubeSchedulerChoice } from './kube-scheduler-choice.js';
import type { SchedulerProfileModel } from './scheduler-profile-model.js';

/** What the model says of one real placement. */
export interface MirrorVerdict {
  /** The model's total for the node the real kube-scheduler chose (NaN when the model says the pod does not fit there). */
  readonly chosenTotal: number;
  /** The best total the model gives any node (NaN when it fits none). */
  readonly bestTotal: number;
  /** Nodes at the best total. */
  readonly bestNodes: number;
}

/**
 * The replay's model of kube-scheduler + Tessera, kept in step with a real cluster so that each real choice can
 * be judged against it (docs/replay.md "Checking the model against a real kube-scheduler"): it sees the same
 * pods in the same order (so it learns the same workload) and applies the placements the real cluster made, not
 * its own, so every verdict compares choices made from the same state.
 */
export class NodeChoiceMirror {
  private readonly states: NodeState[];
  private readonly engine: PlacementEngine;
  private readonly choice: KubeSchedulerChoice;
  private readonly snapshot: Snapshot;
  private readonly index: Map<string, number>;

  constructor(readonly inventories: readonly NodeInventory[], options: SchedulingOptions, profile: SchedulerProfileModel) {
    this.states = inventories.map((inv) => makeNodeState(inv));
    this.engine = new PlacementEngine(options);
    this.choice = new KubeSchedulerChoice(profile, inventories.map((inv) => ({ name: inv.name, cpuMilli: inv.cpuMilli, memoryMiB: inv.memoryMiB })));
    this.snapshot = { ...makeSnapshot([]), gpuCapacity: fleetGpuCapacity(this.states) };
    this.index = new Map(inventories.map((inv, i) => [inv.name, i]));
  }

  /** Tells the model's learner about a pod (call once per pod, in the order the real cluster saw them). */
  observe(req: GpuRequest): void {
    this.engine.observe(req);
  }

  /** kube-scheduler's totals for `req` over every node, as the model computes them now (NaN: does not fit). */
  totals(req: GpuRequest): Float64Array {
    const cycle = this.engine.prefilter(req, this.snapshot);
    const ranks = new Float64Array(this.states.length);
    this.states.forEach((state, i) => {
      const e = evaluateNode(state, cycle);
      ranks[i] = e.status.code === 'success' ? nodeRank(state, cycle, e) : NaN;
    });
    const interested = this.choice.model.managedResources === 'all' || req.kind !== 'none';
    return Float64Array.from(this.choice.totals(ranks, { cpuMilli: req.cpuMilli, memoryMiB: req.hostMemoryMiB }, interested));
  }

  /** Judges the real choice `node` for `req` against the model's totals (call before `apply`). */
  verdict(req: GpuRequest, node: string): MirrorVerdict {
    const totals = this.totals(req);
    let best = NaN;
    for (const t of totals) if (!Number.isNaN(t) && !(t <= best)) best = t;
    let bestNodes = 0;
    for (const t of totals) if (t === best) bestNodes += 1;
    const i = this.index.get(node);
    return { chosenTotal: i === undefined ? NaN : (totals[i] as number), bestTotal: best, bestNodes };
  }

  /** Applies a placement the real cluster made; throws when it does not fit the model's state (a model bug). */
  apply(req: GpuRequest, allocation: Allocation): void {
    const i = this.index.get(allocation.node);
    if (i === undefined) throw new Error(`mirror: node "${allocation.node}" is not in the slice`);
    const r = reserve(this.states[i] as NodeState, allocation);
    if (r.status.code !== 'success') throw new Error(`mirror: the real placement does not fit the model: ${r.status.reason}`);
    this.states[i] = r.node;
    this.choice.placed(i, { cpuMilli: req.cpuMilli, memoryMiB: req.hostMemoryMiB });
  }

  /** GPU milli allocated in the model's state. */
  allocatedMilli(): number {
    let used = 0;
    for (const s of this.states) used += s.usedUnits;
    return used;
  }
}
