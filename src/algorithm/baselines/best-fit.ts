import type { BaselinePolicy, NodeFree, PodDemand } from './baseline-policy.js';
import { MAX_SPEC_CPU, MAX_SPEC_GPU } from './baseline-policy.js';
import { bestFitGpus } from './select-gpus.js';

/**
 * BestFit score: `int((1 − s)·100)` with `s = 0.5·(cpuLeft − cpu)/128000 + 0.5·(ΣgpuLeft − k·m)/8000`, i.e. the
 * least CPU+GPU left after placement wins. The simulator min-max normalises across feasible nodes; raw scores
 * already lie in 0..100 so that map is strictly increasing and cannot change the argmax, hence it is omitted.
 */
export function bestFitScore(pod: PodDemand, node: NodeFree): number {
  let gpuLeft = 0;
  for (const left of node.gpuLeft) gpuLeft += left;
  let s = 0;
  s += ((node.cpuLeft - pod.cpuMilli) / MAX_SPEC_CPU) * 0.5;
  s += ((gpuLeft - pod.gpuCount * pod.gpuMilli) / MAX_SPEC_GPU) * 0.5;
  return Math.trunc((1 - s) * 100);
}

/** BestFit with best-fit GPU choice. */
export const bestFit: BaselinePolicy = {
  name: 'BestFit',
  pick: 'argmax',
  score: bestFitScore,
  selectGpus: (pod, node) => bestFitGpus(pod, node),
};
