import type { TracePod } from './load-trace.js';
import type { SeededRng } from './seeded-rng.js';

/** `-tune 1.3`: the arriving workload is 1.3 × the cluster's GPU capacity. */
export const TUNE_RATIO = 1.3;

/**
 * The arrival order of one seed (PROTOCOL §2.1 steps 3-4): sort by name, shuffle, then append uniform
 * resampled clones (`<name>-tuned-<i>`) until the next clone would overshoot `ratio × capacityMilli`
 * (the break test adds the clone's per-GPU milli, the running total adds count × milli), or drop random
 * pods while the total is above the target.
 */
export function arrivalOrder(pods: readonly TracePod[], capacityMilli: number, rng: SeededRng, ratio = TUNE_RATIO): TracePod[] {
  const order = [...pods].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.intn(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  const target = ratio * capacityMilli;
  let total = 0;
  for (const p of order) total += p.gpuCount * p.gpuMilli;
  if (total < target) {
    const originals = order.slice();
    for (let i = 0; ; i++) {
      const p = originals[rng.intn(originals.length)]!;
      if (total + p.gpuMilli > target) break;
      order.push({ ...p, name: `${p.name}-tuned-${i}` });
      total += p.gpuCount * p.gpuMilli;
    }
  } else {
    while (total > target && order.length > 0) {
      const [p] = order.splice(rng.intn(order.length), 1);
      total -= p!.gpuCount * p!.gpuMilli;
    }
  }
  return order;
}
