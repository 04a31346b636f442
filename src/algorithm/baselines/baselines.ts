import type { BaselinePolicy } from './baseline-policy.js';
import { bestFit } from './best-fit.js';
import { dotProd } from './dot-prod.js';
import type { TypicalPod } from './fgd-fragmentation.js';
import { makeFgd } from './fgd.js';
import { gpuClustering } from './gpu-clustering.js';
import { gpuPacking } from './gpu-packing.js';
import { randomFit } from './random-fit.js';

/** Names of the six baselines, in the paper's order. */
export const BASELINE_NAMES = ['Random', 'DotProd', 'GpuClustering', 'GpuPacking', 'BestFit', 'FGD'] as const;

/** Builds the baseline called `name` (FGD needs the trace's target workload). */
export function makeBaseline(name: (typeof BASELINE_NAMES)[number], typical: readonly TypicalPod[]): BaselinePolicy {
  switch (name) {
    case 'Random': return randomFit;
    case 'DotProd': return dotProd;
    case 'GpuClustering': return gpuClustering;
    case 'GpuPacking': return gpuPacking;
    case 'BestFit': return bestFit;
    case 'FGD': return makeFgd(typical);
  }
}
