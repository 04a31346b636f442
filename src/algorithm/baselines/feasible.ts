import type { NodeFree, PodDemand } from './baseline-policy.js';

/** True when `node`'s model is one of `pod`'s allowed models (an empty/null spec matches any node). */
export function modelAccessible(pod: PodDemand, model: string): boolean {
  return pod.models === null || pod.models.length === 0 || pod.models.includes(model);
}

/** True when at least `count` devices have `milli` free (`CanNodeHostPodOnGpuMemory`). */
export function gpusFit(gpuLeft: readonly number[], milli: number, count: number): boolean {
  let need = count;
  for (const left of gpuLeft) {
    if (left >= milli && --need <= 0) return true;
  }
  return false;
}

/**
 * FGD simulator filter (PROTOCOL §3.0): CPU and memory fit, GPU pods need a GPU node of an allowed model
 * with `gpuCount` devices each holding `gpuMilli` free.
 */
export function fitsNode(pod: PodDemand, node: NodeFree): boolean {
  if (node.cpuLeft < pod.cpuMilli || node.memLeft < pod.memoryMiB) return false;
  if (pod.gpuCount === 0) return true;
  if (node.gpuLeft.length === 0 || !modelAccessible(pod, node.model)) return false;
  return gpusFit(node.gpuLeft, pod.gpuMilli, pod.gpuCount);
}
