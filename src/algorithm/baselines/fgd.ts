import type { BaselinePolicy, NodeFree, PodDemand } from './baseline-policy.js';
import { MILLI } from './baseline-policy.js';
import type { TypicalPod } from './fgd-fragmentation.js';
import { fragDeltaScore, makeFragMemo } from './fgd-fragmentation.js';
import { lowestFreeGpus } from './select-gpus.js';

/** FGD's choice on one node: integer score 0..100 and the devices it would use. */
export interface FgdChoice {
  readonly score: number;
  readonly gpus: number[];
}

/**
 * FGD (`calculateGpuShareFragExtendScore`, PROTOCOL §3.3) against the target workload `typical`.
 * Share pods try every fitting GPU in index order and keep the first strictly best integer score;
 * exclusive and CPU pods take the lowest-index free GPUs.
 */
export function makeFgd(typical: readonly TypicalPod[]): BaselinePolicy & { choose(pod: PodDemand, node: NodeFree): FgdChoice } {
  const frag = makeFragMemo(typical);
  const choose = (pod: PodDemand, node: NodeFree): FgdChoice => {
    const before = frag(node);
    if (pod.gpuCount === 1 && pod.gpuMilli < MILLI) {
      let best: FgdChoice | null = null;
      for (let i = 0; i < node.gpuLeft.length; i++) {
        if (node.gpuLeft[i]! < pod.gpuMilli) continue;
        const gpuLeft = node.gpuLeft.slice();
        gpuLeft[i] = gpuLeft[i]! - pod.gpuMilli;
        const s = fragDeltaScore(before, frag({ model: node.model, cpuLeft: node.cpuLeft - pod.cpuMilli, gpuLeft }));
        if (best === null || s > best.score) best = { score: s, gpus: [i] };
      }
      return best ?? { score: 0, gpus: [] };
    }
    const gpus = pod.gpuCount === 0 ? [] : lowestFreeGpus(node.gpuLeft, pod.gpuCount);
    const gpuLeft = node.gpuLeft.slice();
    for (const i of gpus) gpuLeft[i] = gpuLeft[i]! - pod.gpuMilli;
    return { score: fragDeltaScore(before, frag({ model: node.model, cpuLeft: node.cpuLeft - pod.cpuMilli, gpuLeft })), gpus };
  };
  return {
    name: 'FGD',
    pick: 'argmax',
    score: (pod, node) => choose(pod, node).score,
    selectGpus: (pod, node) => choose(pod, node).gpus,
    choose,
  };
}
