import type { CycleState, NodeEvaluation } from './cycle-state.js';
import type { NodeState } from './node-state.js';
import { planRemainder } from './score-parts.js';
import { rawScore } from './score.js';

/**
 * The one rule that ranks the nodes a pod fits, used by the extender (through its 0..10 scores), the trace
 * replay and scheduleOne alike: the score rounded to an integer 0..100, then, among equal integer scores, the
 * node whose planned GPUs keep the least idle room beside the pod (best fit) first. The result lies in
 * [score, score + 0.5]; higher is better. Ranking by the unrounded score instead was worse on the traces
 * (docs/replay.md): rounding lets best fit decide between placements the score barely tells apart.
 */
export function nodeRank(node: NodeState, cycle: CycleState, e: NodeEvaluation): number {
  return rankFromRaw(rawScore(node, cycle, e), node, e);
}

/** nodeRank from an already computed unrounded score (`rawScore`) of the evaluation. */
export function rankFromRaw(raw: number, node: NodeState, e: NodeEvaluation): number {
  const gpus = Math.max(1, e.devices?.length ?? 0);
  return Math.round(raw) + 0.5 * (1 - Math.min(1, planRemainder(node, e) / (1000 * gpus)));
}

/** Highest extender score kube-scheduler accepts (extenderv1.MaxExtenderPriority). */
export const MAX_EXTENDER_SCORE = 10;

/**
 * kube-scheduler's 0..10 extender scores for candidates of ranks `ranks[0..count)` (NaN = not feasible, scored
 * 0). Exactly one candidate gets 10: the best-ranked, and among equal best ranks the one with the lowest
 * `tieKeys` value (a stable per-node number, see `nodeTieKey`). Every other feasible candidate gets 1..9 in
 * proportion to its rank between the worst and the best.
 *
 * Why one: kube-scheduler adds score x weight x 10 to its in-tree scores and breaks equal totals at random.
 * Random ties between nodes Tessera ranks equal spread pods over them, which strands GPUs that a fixed order
 * (first fit among equals) keeps whole: on the Alibaba trace with the cold-start workload, random ties strand
 * 11.4 % of GPUs against 8.4 % for a fixed order (docs/replay.md "Node choice"). With the extender's weight
 * above what the in-tree scores can add (deploy/scheduler-config.yaml), the pod goes to the node this rule
 * ranks first. Scores are relative to the candidates of one request, so they are computed per request, never
 * kept per node.
 */
export function extenderScores(ranks: ArrayLike<number>, tieKeys: ArrayLike<number>, count: number, out: Uint8Array): Uint8Array {
  let best = -Infinity;
  let worst = Infinity;
  let top = -1;
  for (let i = 0; i < count; i += 1) {
    const r = ranks[i] as number;
    if (r !== r) continue; // NaN
    if (r > best || (r === best && (tieKeys[i] as number) < (tieKeys[top] as number))) {
      best = r;
      top = i;
    }
    if (r < worst) worst = r;
  }
  const span = best - worst;
  for (let i = 0; i < count; i += 1) {
    const r = ranks[i] as number;
    if (r !== r) out[i] = 0;
    else if (i === top) out[i] = MAX_EXTENDER_SCORE;
    else if (!(span > 0)) out[i] = MAX_EXTENDER_SCORE - 1;
    else out[i] = 1 + Math.min(MAX_EXTENDER_SCORE - 2, Math.floor(((MAX_EXTENDER_SCORE - 1) * (r - worst)) / span));
  }
  return out;
}

/**
 * A stable number per node name (32-bit FNV-1a) that orders nodes of equal rank: the same node wins a tie
 * every time, as the FGD protocol's lowest node position does, without favouring names that sort first.
 */
export function nodeTieKey(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i += 1) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
