import type { BaselinePolicy, NodeFree, PodDemand } from './baseline-policy.js';
import { MAX_SPEC_CPU, MAX_SPEC_GPU } from './baseline-policy.js';
import { bestFitGpus } from './select-gpus.js';

/**
 * DotProd score (Tetris alignment, dimext=merge, norm=max): `int(100 * (1 - nodeVec·podVec / 2))` with
 * `nodeVec = [cpuLeft/128000, ΣgpuLeft/8000]`, `podVec = [cpu/128000, k·m/8000]`; 0 when CPU does not fit.
 */
export function dotProdScore(pod: PodDemand, node: NodeFree): number {
  if (node.cpuLeft < pod.cpuMilli) return 0;
  let gpuLeft = 0;
  for (const left of node.gpuLeft) gpuLeft += left;
  const dot = (node.cpuLeft / MAX_SPEC_CPU) * (pod.cpuMilli / MAX_SPEC_CPU)
    + (gpuLeft / MAX_SPEC_GPU) * ((pod.gpuCount * pod.gpuMilli) / MAX_SPEC_GPU);
  return Math.trunc(100 * (1 - dot / 2));
}

/** DotProd with best-fit GPU choice. */
export const dotProd: BaselinePolicy = {
  name: 'DotProd',
  pick: 'argmax',
  score: dotProdScore,
  selectGpus: (pod, node) => bestFitGpus(pod, node),
};
