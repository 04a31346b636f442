import type { BaselinePolicy, NodeFree, PodDemand } from './baseline-policy.js';
import { MAX_SPEC_GPU, MILLI } from './baseline-policy.js';
import { bestFitGpus } from './select-gpus.js';

/** GpuClustering tag of a pod: `no-gpu`, `share-gpu` (k=1, m<1000) or `<k>-gpu`. */
export function gpuAffinityTag(pod: PodDemand): string {
  if (pod.gpuCount === 0 || pod.gpuMilli === 0) return 'no-gpu';
  if (pod.gpuCount === 1 && pod.gpuMilli < MILLI) return 'share-gpu';
  return `${pod.gpuCount}-gpu`;
}

/**
 * GpuClustering score: 75+b on a node holding only the pod's tag, 50+b with other tags too, 25+b on a node
 * without GPU pods, b otherwise; `b = 25·(8000 − ΣgpuLeft)/8000` in integer arithmetic; CPU pods score 0.
 */
export function gpuClusteringScore(pod: PodDemand, node: NodeFree): number {
  const tag = gpuAffinityTag(pod);
  if (tag === 'no-gpu') return 0;
  let gpuLeft = 0;
  for (const left of node.gpuLeft) gpuLeft += left;
  const b = Math.trunc((25 * (MAX_SPEC_GPU - gpuLeft)) / MAX_SPEC_GPU);
  if (node.tags.has(tag)) return (node.tags.size === 1 ? 75 : 50) + b;
  return (node.tags.size === 0 ? 25 : 0) + b;
}

/** GpuClustering with best-fit GPU choice. */
export const gpuClustering: BaselinePolicy = {
  name: 'GpuClustering',
  pick: 'argmax',
  score: gpuClusteringScore,
  selectGpus: (pod, node) => bestFitGpus(pod, node),
};
