import type { NodeFree, PodDemand, Rng } from './baseline-policy.js';
import { MILLI } from './baseline-policy.js';

/** `AllocateExclusiveGpuId`: the lowest-index fully free GPUs, `count` of them (empty when too few). */
export function lowestFreeGpus(gpuLeft: readonly number[], count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < gpuLeft.length && out.length < count; i++) if (gpuLeft[i] === MILLI) out.push(i);
  return out.length === count ? out : [];
}

/** Best-fit device choice (`allocateGpuIdBasedOnBestFit`): smallest free ≥ m, lowest index on ties. */
export function bestFitGpus(pod: PodDemand, node: NodeFree): number[] {
  if (pod.gpuCount === 0) return [];
  if (pod.gpuMilli >= MILLI) return lowestFreeGpus(node.gpuLeft, pod.gpuCount);
  let best = -1;
  for (let i = 0; i < node.gpuLeft.length; i++) {
    const left = node.gpuLeft[i]!;
    if (left >= pod.gpuMilli && (best < 0 || left < node.gpuLeft[best]!)) best = i;
  }
  return best < 0 ? [] : [best];
}

/** Random-fit device choice: a share pod gets a uniformly random fitting GPU; exclusive pods the lowest free. */
export function randomFitGpus(pod: PodDemand, node: NodeFree, rng: Rng): number[] {
  if (pod.gpuCount === 0) return [];
  if (pod.gpuMilli >= MILLI) return lowestFreeGpus(node.gpuLeft, pod.gpuCount);
  const fits: number[] = [];
  node.gpuLeft.forEach((left, i) => { if (left >= pod.gpuMilli) fits.push(i); });
  if (fits.length === 0) return [];
  return [fits[Math.floor(rng() * fits.length)]!];
}
