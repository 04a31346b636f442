import type { Allocation } from '../model/allocation.js';
import type { GpuRequest } from '../model/gpu-request.js';
import type { GroupLocality } from '../model/job-group.js';
import type { NodeInventory } from '../model/node-inventory.js';
import type { CycleState } from './cycle-state.js';
import { cycleFor } from './cycle-state.js';
import { evaluateNode } from './evaluate-node.js';
import type { NodeState } from './node-state.js';
import { nodeRank } from './node-rank.js';
import { placeOnNode } from './place.js';
import { reserve } from './reserve.js';

export type { GroupLocality } from '../model/job-group.js';

/** Locality levels from the tightest to the whole cluster, in the order a plan tries them. */
export const GROUP_LEVELS: readonly (GroupLocality | 'cluster')[] = Object.freeze(['node', 'clique', 'rack', 'zone', 'cluster']);

/** One pod of a job group still to be placed. */
export interface GroupMember {
  /** Identifies the member in the plan (its pod UID). */
  readonly key: string;
  readonly req: GpuRequest;
}

/** Where each member goes. */
export interface GroupPlacement {
  readonly key: string;
  readonly node: string;
  readonly allocation: Allocation;
}

/** A plan for the whole group, or why there is none. */
export type GroupPlan =
  | { readonly ok: true; readonly placements: readonly GroupPlacement[]; readonly level: GroupLocality | 'cluster'; readonly domain: string }
  | { readonly ok: false; readonly reason: string; readonly placeable: number };

/** What constrains the plan besides capacity. */
export interface GroupPlanOptions {
  /** Every member in one domain of this level; null = anywhere (tightest domain preferred). */
  readonly locality: GroupLocality | null;
  /** Nodes where other members of the group already hold devices: with a locality, the domain must hold them. */
  readonly placedOn: readonly string[];
}

/**
 * Plans places for all `members` together on `nodes` (each state already counting every device held), or says
 * why they do not fit. Levels are tried tightest first (one node, one NVLink clique, one rack, one zone, then
 * the whole cluster; only the required level with `locality`); in each domain the members go largest first,
 * each to the node Tessera ranks best for it given the members placed before it. The first domain where all
 * fit wins. Pure; `cycle` is any cycle over the same snapshot and options (each member gets its own).
 */
export function planGroup(members: readonly GroupMember[], nodes: ReadonlyMap<string, NodeState>, cycle: CycleState, opts: GroupPlanOptions): GroupPlan {
  if (members.length === 0) return { ok: true, placements: [], level: 'cluster', domain: '' };
  const ordered = [...members].sort((a, b) => size(b.req) - size(a.req) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const cycles = new Map(ordered.map((m) => [m.key, cycleFor(m.req, cycle)]));
  const levels = opts.locality === null ? GROUP_LEVELS : [opts.locality];
  let placeable = 0;
  for (const level of levels) {
    const required = requiredDomain(level, opts.placedOn, nodes);
    if (required === null) continue;
    for (const [domain, states] of domains(level, nodes)) {
      if (required !== undefined && domain !== required) continue;
      const tried = placeAll(ordered, states, cycles);
      if (tried.placements.length === ordered.length) return { ok: true, placements: tried.placements, level, domain };
      placeable = Math.max(placeable, tried.placements.length);
    }
  }
  const where = opts.locality === null ? 'in the cluster' : `in one ${opts.locality}`;
  return {
    ok: false, placeable,
    reason: `${ordered.length} ${ordered.length === 1 ? 'pod does' : 'pods do'} not fit together ${where}: at most ${placeable} can be placed`,
  };
}

/** Milli-GPU-ish size used to place the largest members first. */
function size(req: GpuRequest): number {
  switch (req.kind) {
    case 'whole': return req.gpus * 1000;
    case 'share': return req.gpus * Math.max(req.computeMilli, 1);
    case 'replica': return req.gpus * 100;
    case 'mig': return req.mig.reduce((s, m) => s + m.count * 1000, 0);
    case 'none': return 0;
  }
}

/** The domain key of `inv` at `level` (null when the node has none at that level). */
function domainOf(level: GroupLocality | 'cluster', inv: NodeInventory): string | null {
  switch (level) {
    case 'node': return inv.name;
    case 'clique': return inv.clique;
    case 'rack': return inv.rack;
    case 'zone': return inv.zone;
    case 'cluster': return '';
  }
}

/**
 * The one domain the members already placed pin at `level`: undefined when nothing is pinned, null when they
 * are spread over several domains (or on a node without one), so no domain of this level can hold the group.
 */
function requiredDomain(level: GroupLocality | 'cluster', placedOn: readonly string[], nodes: ReadonlyMap<string, NodeState>): string | null | undefined {
  let pinned: string | undefined;
  for (const name of placedOn) {
    const inv = nodes.get(name)?.inventory;
    const d = inv === undefined ? null : domainOf(level, inv);
    if (d === null) return null;
    if (pinned !== undefined && pinned !== d) return null;
    pinned = d;
  }
  return pinned;
}

/** Nodes grouped by domain at `level`, domains and nodes in name order (deterministic plans). */
function domains(level: GroupLocality | 'cluster', nodes: ReadonlyMap<string, NodeState>): [string, NodeState[]][] {
  const out = new Map<string, NodeState[]>();
  for (const state of nodes.values()) {
    const d = domainOf(level, state.inventory);
    if (d === null) continue;
    let list = out.get(d);
    if (list === undefined) {
      list = [];
      out.set(d, list);
    }
    list.push(state);
  }
  const byName = (a: NodeState, b: NodeState): number => (a.inventory.name < b.inventory.name ? -1 : a.inventory.name > b.inventory.name ? 1 : 0);
  return [...out.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([d, list]) => [d, list.sort(byName)]);
}

/** Places members one by one on `states` (a scratch copy), stopping at the first that does not fit. */
function placeAll(members: readonly GroupMember[], states: readonly NodeState[], cycles: ReadonlyMap<string, CycleState>): { placements: GroupPlacement[] } {
  const scratch = [...states];
  const placements: GroupPlacement[] = [];
  for (const m of members) {
    const c = cycles.get(m.key) as CycleState;
    let best = -1;
    let bestRank = -Infinity;
    for (let i = 0; i < scratch.length; i += 1) {
      const s = scratch[i] as NodeState;
      const e = evaluateNode(s, c);
      if (e.status.code !== 'success') continue;
      const rank = nodeRank(s, c, e);
      if (rank > bestRank) {
        bestRank = rank;
        best = i;
      }
    }
    if (best < 0) return { placements };
    const target = scratch[best] as NodeState;
    const allocation = placeOnNode(m.req, target, c).allocation;
    if (allocation === null) return { placements };
    const r = reserve(target, allocation);
    if (r.status.code !== 'success') return { placements };
    scratch[best] = r.node;
    placements.push({ key: m.key, node: target.inventory.name, allocation });
  }
  return { placements };
}
