import type { GpuRequest } from '../model/gpu-request.js';
import type { CycleState, NodeEvaluation } from './cycle-state.js';
import { cycleFor } from './cycle-state.js';
import { clampPart, costPart, groupLocalityPart, spotPart } from './score-parts.js';
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
 * zone as the pod's group). A node the pod does not fit scores 0 with no parts. `raw` is the score before
 * rounding (for ranking without ties from rounding, e.g. in the simulator); `score === Math.round(raw)`.
 */
export function scoreNode(req: GpuRequest, node: NodeState, cycle: CycleState):
  { score: number; parts: Record<string, number>; raw: number } {
  cycle = cycleFor(req, cycle);
  const e = evaluateNode(node, cycle);
  if (e.status.code !== 'success') return { score: 0, parts: {}, raw: 0 };
  const parts = scoreParts(node, cycle, e);
  const penalty = (cycle.options.valueLossPenalty ?? 0) * e.valueLoss;
  return { score: combineParts(parts, cycle.options.weights, penalty), parts, raw: rawScore(node, cycle, e) };
}

/** The weighted mean of `parts` minus `penalty` points (the value-loss penalty), rounded to an integer 0..100. */
export function combineParts(parts: ScoreParts, w: ScoreWeights, penalty = 0): number {
  const total = w.fragmentation + w.packing + w.topology + w.cost + w.spot + w.groupLocality;
  if (!(total > 0)) return 0;
  const s = (w.fragmentation * parts.fragmentation + w.packing * parts.packing + w.topology * parts.topology
    + w.cost * parts.cost + w.spot * parts.spot + w.groupLocality * parts.groupLocality) / total - penalty;
  return Math.max(0, Math.min(MAX_SCORE, Math.round(s)));
}

/** The score parts of a successful evaluation. */
export function scoreParts(node: NodeState, cycle: CycleState, e: NodeEvaluation): ScoreParts {
  return {
    fragmentation: e.fragmentationPart, packing: e.packingPart, topology: clampPart(e.topology), cost: costPart(node, cycle),
    spot: spotPart(node, cycle.req), groupLocality: groupLocalityPart(node, cycle),
  };
}

/**
 * The score of a successful evaluation before rounding (0..100, fractional), without building the parts
 * object (the hot path of scheduleOne, which ranks by it so near-ties are not decided by rounding): the
 * shape-dependent parts are pre-weighted in `e.partial`. `Math.round` of it equals `scoreNode(...).score`.
 */
export function rawScore(node: NodeState, cycle: CycleState, e: NodeEvaluation): number {
  const w = cycle.options.weights;
  const total = w.fragmentation + w.packing + w.topology + w.cost + w.spot + w.groupLocality;
  if (!(total > 0)) return 0;
  const cost = w.cost === 0 ? 0 : w.cost * costPart(node, cycle);
  const spot = w.spot === 0 ? 0 : w.spot * spotPart(node, cycle.req);
  const group = w.groupLocality === 0 ? 0 : w.groupLocality * groupLocalityPart(node, cycle);
  return Math.max(0, Math.min(MAX_SCORE, (e.partial + cost + spot + group) / total));
}

/**
 * rawScore, or -1 when it is certainly below `floor` (the group-locality lookup, the dearest part, is skipped
 * when even a perfect group score could not reach `floor`). Used by scheduleOne's scan.
 */
export function rawScoreAtLeast(node: NodeState, cycle: CycleState, e: NodeEvaluation, floor: number): number {
  const w = cycle.options.weights;
  const total = w.fragmentation + w.packing + w.topology + w.cost + w.spot + w.groupLocality;
  if (!(total > 0)) return 0;
  const cost = w.cost === 0 ? 0 : w.cost * costPart(node, cycle);
  const spot = w.spot === 0 ? 0 : w.spot * spotPart(node, cycle.req);
  const base = e.partial + cost + spot;
  if (w.groupLocality === 0 || cycle.group === null) {
    return Math.max(0, Math.min(MAX_SCORE, (base + w.groupLocality * (cycle.group === null ? 50 : 0)) / total));
  }
  if ((base + w.groupLocality * 100) / total < floor) return -1;
  return Math.max(0, Math.min(MAX_SCORE, (base + w.groupLocality * groupLocalityPart(node, cycle)) / total));
}
