import type { GpuRequest } from '../model/gpu-request.js';
import type { CycleState, NodeEvaluation } from './cycle-state.js';
import { cycleFor, pricePerGpu } from './cycle-state.js';
import { evaluateNode } from './evaluate-node.js';
import type { NodeState } from './node-state.js';
import type { ScoreWeights } from './scheduling-options.js';

/** Highest score of a node (kube-scheduler's MaxNodeScore); the extender wire divides by 10. */
export const MAX_SCORE = 100;

/** Score parts, each 0..100 (higher is better). */
export type ScoreParts = Record<keyof ScoreWeights, number>;

/**
 * Scores how well `req` fits `node` (0 = worst, 100 = best) as the weighted mean of the parts:
 * fragmentation (FGD-class: 100·sigmoid(-ΔF/scale)), packing (node GPU utilisation after placement),
 * topology (link quality of the set, or how intact free NVLink islands stay), cost (cheaper price per GPU
 * than the other nodes), spot (interruptible pods prefer spot) and groupLocality (same node > clique > rack >
 * zone as the pod's group). A node the pod does not fit scores 0 with no parts.
 */
export function scoreNode(req: GpuRequest, node: NodeState, cycle: CycleState): { score: number; parts: Record<string, number> } {
  cycle = cycleFor(req, cycle);
  const e = evaluateNode(node, cycle);
  if (e.status.code !== 'success') return { score: 0, parts: {} };
  const parts = scoreParts(node, cycle, e);
  return { score: combineParts(parts, cycle.options.weights), parts };
}

/** The weighted mean of `parts`, rounded to an integer 0..100. */
export function combineParts(parts: ScoreParts, w: ScoreWeights): number {
  const total = w.fragmentation + w.packing + w.topology + w.cost + w.spot + w.groupLocality;
  if (!(total > 0)) return 0;
  const s = (w.fragmentation * parts.fragmentation + w.packing * parts.packing + w.topology * parts.topology
    + w.cost * parts.cost + w.spot * parts.spot + w.groupLocality * parts.groupLocality) / total;
  return Math.max(0, Math.min(MAX_SCORE, Math.round(s)));
}

/** The score parts of a successful evaluation. */
export function scoreParts(node: NodeState, cycle: CycleState, e: NodeEvaluation): ScoreParts {
  const req = cycle.req;
  const n = node.info.n;
  const fragmentation = 100 / (1 + Math.exp(e.fragDelta / cycle.options.fragmentationScale));
  let packing: number;
  if (n > 0) packing = (100 * Math.min(1000 * n, node.usedUnits + e.units)) / (1000 * n);
  else if (node.inventory.cpuMilli > 0) packing = (100 * (node.usage.cpuMilli + req.cpuMilli)) / node.inventory.cpuMilli;
  else packing = 50;
  let cost = 50;
  const price = pricePerGpu(node);
  const range = cycle.priceRange;
  if (price !== null && range !== null && range.max > range.min) cost = (100 * (range.max - price)) / (range.max - range.min);
  const spot = req.interruptible ? (node.inventory.capacityType === 'spot' ? 100 : 0) : 50;
  return {
    fragmentation: clamp(fragmentation), packing: clamp(packing), topology: clamp(e.topology), cost: clamp(cost), spot,
    groupLocality: groupLocality(node, cycle),
  };
}

function groupLocality(node: NodeState, cycle: CycleState): number {
  const g = cycle.group;
  if (g === null) return 50;
  const inv = node.inventory;
  if (g.nodes.has(inv.name)) return 100;
  if (inv.clique !== null && g.cliques.has(inv.clique)) return 80;
  if (inv.rack !== null && g.racks.has(inv.rack)) return 60;
  if (inv.zone !== null && g.zones.has(inv.zone)) return 40;
  return 0;
}

function clamp(x: number): number {
  return Number.isFinite(x) ? Math.max(0, Math.min(100, x)) : 0;
}
