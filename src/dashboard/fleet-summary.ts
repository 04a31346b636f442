import { EMPTY_GPU_USAGE, idleUnits } from '../algorithm/gpu-capacity.js';
import type { NodeState } from '../algorithm/node-state.js';
import type { NodeInventory } from '../model/node-inventory.js';
import type { TargetTask } from '../algorithm/scheduling-options.js';
import { StrandedGpus } from './stranded-gpus.js';

/** One node as the dashboard's fleet table shows it. GPU figures are in GPU-equivalents (the core's idle units / 1000). */
export interface NodeSummary {
  readonly name: string;
  /** The GPU product, or products joined with `+` on a mixed node; '' without GPUs. */
  readonly product: string;
  readonly gpus: number;
  readonly spot: boolean;
  /** Node price per hour / GPUs, or null without a price. */
  readonly pricePerGpu: number | null;
  /** Share taken by pods: idle units of the empty node minus idle units now (so it equals the pods' GPU-equivalents). */
  readonly allocated: number;
  readonly idle: number;
  readonly stranded: number;
}

/** GPUs of one product and capacity type. */
export interface FleetGroup {
  readonly product: string;
  readonly capacityType: 'spot' | 'on-demand';
  readonly nodes: number;
  readonly gpus: number;
  readonly allocated: number;
  readonly stranded: number;
}

/** Fleet totals: GPUs, allocated and stranded GPU-equivalents, and the same by product and capacity type. */
export interface FleetTotals {
  readonly nodes: number;
  readonly gpus: number;
  readonly allocated: number;
  readonly idle: number;
  readonly stranded: number;
  /** Cost per hour of the allocated GPU-equivalents at each node's price per GPU. */
  readonly allocatedCostPerHour: number;
  /** Sorted by product, then capacity type. */
  readonly groups: readonly FleetGroup[];
}

/**
 * Node summaries memoised by NodeState (states are immutable: a node whose state did not change is not measured
 * again), and fleet totals over them.
 */
export class FleetSummary {
  private memo = new WeakMap<NodeState, NodeSummary>();
  private stranded: StrandedGpus;
  private workload: readonly TargetTask[];
  private generationCount = 0;

  /**
   * `workload` is read on every call: when it returns another array (Tessera re-published its learned workload),
   * stranded GPUs are measured against the new one and `generation` changes.
   */
  constructor(private readonly currentWorkload: () => readonly TargetTask[]) {
    this.workload = currentWorkload();
    this.stranded = new StrandedGpus(this.workload);
  }

  /** Changes whenever the workload stranded GPUs are measured against changes (every summary is then stale). */
  get generation(): number {
    this.refresh();
    return this.generationCount;
  }

  /** The summary of one node's state. */
  node(state: NodeState): NodeSummary {
    this.refresh();
    let s = this.memo.get(state);
    if (s === undefined) {
      s = summarize(state, this.stranded);
      this.memo.set(state, s);
    }
    return s;
  }

  private refresh(): void {
    const now = this.currentWorkload();
    if (now === this.workload) return;
    this.workload = now;
    this.stranded = new StrandedGpus(now);
    this.memo = new WeakMap();
    this.generationCount += 1;
  }

  /** Totals over `states`, by product and capacity type, computed afresh (FleetTotalsTracker keeps them incrementally; tests compare the two). */
  totals(states: Iterable<NodeState>): FleetTotals {
    const groups = new Map<string, { product: string; capacityType: 'spot' | 'on-demand'; nodes: number; gpus: number; allocated: number; stranded: number }>();
    let nodes = 0;
    let gpus = 0;
    let allocated = 0;
    let idle = 0;
    let stranded = 0;
    let cost = 0;
    for (const state of states) {
      const s = this.node(state);
      nodes += 1;
      gpus += s.gpus;
      allocated += s.allocated;
      idle += s.idle;
      stranded += s.stranded;
      if (s.pricePerGpu !== null) cost += s.allocated * s.pricePerGpu;
      const capacityType = s.spot ? 'spot' : 'on-demand';
      const key = `${s.product}\u0000${capacityType}`;
      let g = groups.get(key);
      if (g === undefined) {
        g = { product: s.product, capacityType, nodes: 0, gpus: 0, allocated: 0, stranded: 0 };
        groups.set(key, g);
      }
      g.nodes += 1;
      g.gpus += s.gpus;
      g.allocated += s.allocated;
      g.stranded += s.stranded;
    }
    const sorted = [...groups.values()].sort((a, b) => a.product.localeCompare(b.product) || a.capacityType.localeCompare(b.capacityType));
    return { nodes, gpus, allocated, idle, stranded, allocatedCostPerHour: cost, groups: sorted };
  }
}

const emptyIdle = new WeakMap<NodeInventory, number>();

/**
 * Idle GPU-equivalents of the node with nothing held (below its GPU count only where a fixed MIG layout leaves
 * slices out), over the GPUs the core models (NodeState.idle).
 */
function idleWhenEmpty(inv: NodeInventory, modelled: number): number {
  let x = emptyIdle.get(inv);
  if (x === undefined) {
    x = inv.gpus.slice(0, modelled).reduce((sum, g) => sum + idleUnits(g, EMPTY_GPU_USAGE), 0) / 1000;
    emptyIdle.set(inv, x);
  }
  return x;
}

function summarize(state: NodeState, stranded: StrandedGpus): NodeSummary {
  const inv = state.inventory;
  const products = [...new Set(inv.gpus.map((g) => g.product))];
  let idle = 0;
  for (const x of state.idle) idle += x / 1000;
  return {
    name: inv.name,
    product: products.join('+'),
    gpus: inv.gpus.length,
    spot: inv.capacityType === 'spot',
    pricePerGpu: state.pricePerGpu,
    allocated: Math.max(0, idleWhenEmpty(inv, state.idle.length) - idle),
    idle,
    stranded: stranded.of(state),
  };
}
