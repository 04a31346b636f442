import type { NodeInventory } from '../../model/node-inventory.js';
import { arrivalOrder } from './arrival-order.js';
import type { Trace, TracePod } from './load-trace.js';
import { seededRng } from './seeded-rng.js';
import { traceNodeInventory } from './trace-to-model.js';

/** What one seed fixes for every policy: the arrival order and the random node order. */
export interface SeedSetup {
  readonly seed: number;
  readonly pods: readonly TracePod[];
  /** GPU nodes sorted by name, then permuted (`syncClusterResourceList`'s random `%04d-` prefixes). */
  readonly nodes: readonly NodeInventory[];
  readonly capacityMilli: number;
}

/** Builds the seed's arrival order (shuffle + tune to 1.3×) and node order; GPU nodes only, as in the paper. */
export function seedSetup(trace: Trace, seed: number): SeedSetup {
  const gpuNodes = trace.nodes.filter((n) => n.gpuCount > 0).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const capacityMilli = gpuNodes.reduce((s, n) => s + n.gpuCount * 1000, 0);
  const rng = seededRng(seed);
  rng.next(); // the simulator spends one draw on a debug print
  const pods = arrivalOrder(trace.pods, capacityMilli, rng);
  const perm = gpuNodes.map((_, i) => i);
  for (let i = perm.length - 1; i > 0; i--) {
    const j = rng.intn(i + 1);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  return { seed, pods, nodes: perm.map((i) => traceNodeInventory(gpuNodes[i]!)), capacityMilli };
}
