import type { BaselinePolicy } from './baseline-policy.js';
import { randomFitGpus } from './select-gpus.js';

/**
 * Random-fit (`random_score.go`): a uniformly random feasible node scores 100, the rest 0, so the harness
 * draws the node itself (`pick: 'random'`); share pods get a random fitting GPU, exclusive pods the lowest free.
 */
export const randomFit: BaselinePolicy = {
  name: 'Random',
  pick: 'random',
  score: () => 0,
  selectGpus: randomFitGpus,
};
