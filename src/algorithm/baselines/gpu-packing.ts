import type { BaselinePolicy, NodeFree, PodDemand } from './baseline-policy.js';
import { MILLI } from './baseline-policy.js';
import { bestFitGpus } from './select-gpus.js';

/**
 * GpuPacking score (`getPackingScore`): idle node `max(33 − G, G)`; when fully free GPUs must be used
 * `max(50 − #fullyFreeUsed, 33)`; when only partly used GPUs are taken `max(100 − Σ(free·100/1000)/10, 50)`.
 * GPUs are walked tightest first. CPU pods score 0.
 */
export function gpuPackingScore(pod: PodDemand, node: NodeFree): number {
  if (pod.gpuMilli <= 0) return 0;
  const g = node.gpuLeft.length;
  let fullyFree = 0;
  for (const left of node.gpuLeft) if (left === MILLI) fullyFree++;
  if (fullyFree === g) return Math.max(33 - fullyFree, fullyFree);
  const order = node.gpuLeft.map((left, i) => ({ left, i })).sort((a, b) => a.left - b.left || a.i - b.i);
  let need = pod.gpuCount;
  let freeUsed = 0;
  let ratioSum = 0;
  for (const { left } of order) {
    if (need === 0) break;
    if (pod.gpuMilli <= left) {
      need--;
      if (left === MILLI) freeUsed++;
      ratioSum += Math.trunc((left * 100) / MILLI);
    }
  }
  if (need !== 0) return 0;
  if (freeUsed > 0) return Math.max(50 - freeUsed, 33);
  return Math.max(100 - Math.trunc(ratioSum / 10), 50);
}

/** GpuPacking with best-fit GPU choice. */
export const gpuPacking: BaselinePolicy = {
  name: 'GpuPacking',
  pick: 'argmax',
  score: gpuPackingScore,
  selectGpus: (pod, node) => bestFitGpus(pod, node),
};
