import type { CycleState } from '../../algorithm/cycle-state.js';
import { prefilter } from '../../algorithm/cycle-state.js';
import { filterNode } from '../../algorithm/filter.js';
import { placeOnNode } from '../../algorithm/place.js';
import type { SchedulingOptions } from '../../algorithm/scheduling-options.js';
import { evaluateNode } from '../../algorithm/evaluate-node.js';
import { planRemainder } from '../../algorithm/score-parts.js';
import { scoreNode } from '../../algorithm/score.js';
import type { Snapshot } from '../../algorithm/snapshot.js';
import type { ReplayPolicy } from './replay-policy.js';
import { EvaluationMemo } from '../../algorithm/evaluation-memo.js';

/**
 * Tessera's own policy in the harness: the same pure core the extender calls (prefilter once per pod, then
 * filterNode, scoreNode and placeOnNode per node, reserve in the harness). `snapshot` only supplies what the
 * cycle reads across nodes (price range, job groups), which placements do not change.
 *
 * The harness ranks by the integer score (as kube-scheduler's int64 scores); ties go to the node whose planned
 * GPUs keep the least idle beside the pod (best fit, `planRemainder`), then to the lowest node position. Ranking
 * by the unrounded score instead was worse on the traces tried (docs/replay.md).
 */
export function tesseraReplayPolicy(options: SchedulingOptions, snapshot: Snapshot, name = 'Tessera'): ReplayPolicy {
  let cycle: CycleState | null = null;
  const memo = new EvaluationMemo(options);
  return {
    name,
    pick: 'argmax',
    startPod(pod) {
      cycle = prefilter(pod.request, snapshot, options, memo);
    },
    score(pod, node) {
      const c = cycle ?? prefilter(pod.request, snapshot, options, memo);
      if (filterNode(pod.request, node.state, c).code !== 'success') return -1;
      const score = scoreNode(pod.request, node.state, c).score;
      const plan = evaluateNode(node.state, c);
      const gpus = Math.max(1, plan.devices?.length ?? 0);
      // In [score, score + 0.5]: orders equal integer scores only, tightest fit first.
      return score + 0.5 * (1 - Math.min(1, planRemainder(node.state, plan) / (1000 * gpus)));
    },
    place(pod, node) {
      const c = prefilter(pod.request, snapshot, options, memo);
      return placeOnNode(pod.request, node.state, c).allocation;
    },
  };
}
