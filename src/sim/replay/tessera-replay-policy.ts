import type { CycleState } from '../../algorithm/cycle-state.js';
import { prefilter } from '../../algorithm/cycle-state.js';
import { filterNode } from '../../algorithm/filter.js';
import { placeOnNode } from '../../algorithm/place.js';
import type { SchedulingOptions } from '../../algorithm/scheduling-options.js';
import { scoreNode } from '../../algorithm/score.js';
import type { Snapshot } from '../../algorithm/snapshot.js';
import type { ReplayPolicy } from './replay-policy.js';

/**
 * Tessera's own policy in the harness: the same pure core the extender calls (prefilter once per pod, then
 * filterNode, scoreNode and placeOnNode per node, reserve in the harness). `snapshot` only supplies what the
 * cycle reads across nodes (price range, job groups), which placements do not change.
 */
export function tesseraReplayPolicy(options: SchedulingOptions, snapshot: Snapshot, name = 'Tessera'): ReplayPolicy {
  let cycle: CycleState | null = null;
  return {
    name,
    pick: 'argmax',
    startPod(pod) {
      cycle = prefilter(pod.request, snapshot, options);
    },
    score(pod, node) {
      const c = cycle ?? prefilter(pod.request, snapshot, options);
      if (filterNode(pod.request, node.state, c).code !== 'success') return -1;
      return scoreNode(pod.request, node.state, c).score;
    },
    place(pod, node) {
      const c = prefilter(pod.request, snapshot, options);
      return placeOnNode(pod.request, node.state, c).allocation;
    },
  };
}
