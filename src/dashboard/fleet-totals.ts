import type { Snapshot } from '../algorithm/snapshot.js';
import type { FleetGroup, FleetSummary, FleetTotals, NodeSummary } from './fleet-summary.js';

/** What the tracker reads from the cluster cache. */
export interface TotalsSource {
  readonly version: number;
  snapshot(): Snapshot;
  /** Nodes changed after `version` (ClusterCache.changedSince), or null when that is too far back. */
  changedSince(version: number): string[] | null;
}

type MutableGroup = { -readonly [K in keyof FleetGroup]: FleetGroup[K] };

/** Incremental updates after which the sums are rebuilt from scratch (floating-point drift stays far below the rounding). */
const REBUILD_AFTER = 5000;

/**
 * Fleet totals kept current by the cache's change journal: a new cache version re-reads only the nodes that
 * changed (a bind touches one node of 5,000), and an unchanged version answers from the last result. This is what
 * lets every open dashboard poll once a second.
 */
export class FleetTotalsTracker {
  private readonly byNode = new Map<string, NodeSummary>();
  private readonly groups = new Map<string, MutableGroup>();
  private sums = { nodes: 0, gpus: 0, allocated: 0, idle: 0, stranded: 0, cost: 0 };
  private version = -1;
  private generation = -1;
  private updates = 0;
  private result: FleetTotals | null = null;

  constructor(private readonly fleet: FleetSummary, private readonly source: TotalsSource) {}

  /** The totals at the cache's current version. */
  totals(): FleetTotals {
    const version = this.source.version;
    const generation = this.fleet.generation;
    if (this.result !== null && version === this.version && generation === this.generation) return this.result;
    const snapshot = this.source.snapshot();
    // A new workload re-measures every node's stranded GPUs: rebuild from scratch.
    const changed = this.version < 0 || this.updates >= REBUILD_AFTER || generation !== this.generation ? null : this.source.changedSince(this.version);
    this.generation = generation;
    if (changed === null) {
      this.byNode.clear();
      this.groups.clear();
      this.sums = { nodes: 0, gpus: 0, allocated: 0, idle: 0, stranded: 0, cost: 0 };
      this.updates = 0;
      for (const [name, state] of snapshot.nodes) this.add(name, this.fleet.node(state));
    } else {
      for (const name of new Set(changed)) {
        const old = this.byNode.get(name);
        if (old !== undefined) this.remove(name, old);
        const state = snapshot.nodes.get(name);
        if (state !== undefined) this.add(name, this.fleet.node(state));
        this.updates += 1;
      }
    }
    this.version = version;
    const s = this.sums;
    const groups = [...this.groups.values()].map((g) => ({ ...g }))
      .sort((a, b) => a.product.localeCompare(b.product) || a.capacityType.localeCompare(b.capacityType));
    this.result = { nodes: s.nodes, gpus: s.gpus, allocated: s.allocated, idle: s.idle, stranded: s.stranded, allocatedCostPerHour: s.cost, groups };
    return this.result;
  }

  private add(name: string, n: NodeSummary): void {
    this.byNode.set(name, n);
    this.apply(n, 1);
  }

  private remove(name: string, n: NodeSummary): void {
    this.byNode.delete(name);
    this.apply(n, -1);
  }

  private apply(n: NodeSummary, sign: 1 | -1): void {
    const s = this.sums;
    s.nodes += sign;
    s.gpus += sign * n.gpus;
    s.allocated += sign * n.allocated;
    s.idle += sign * n.idle;
    s.stranded += sign * n.stranded;
    if (n.pricePerGpu !== null) s.cost += sign * n.allocated * n.pricePerGpu;
    const capacityType = n.spot ? 'spot' : 'on-demand';
    const key = `${n.product}\u0000${capacityType}`;
    let g = this.groups.get(key);
    if (g === undefined) {
      g = { product: n.product, capacityType, nodes: 0, gpus: 0, allocated: 0, stranded: 0 };
      this.groups.set(key, g);
    }
    g.nodes += sign;
    g.gpus += sign * n.gpus;
    g.allocated += sign * n.allocated;
    g.stranded += sign * n.stranded;
    if (g.nodes === 0) this.groups.delete(key);
  }
}
