/**
 * kube-scheduler v1.35's node-resource score plugins, transcribed from
 * `pkg/scheduler/framework/plugins/noderesources/` (least_allocated.go, most_allocated.go,
 * balanced_allocation.go, resource_allocation.go) for the replay's model of kube-scheduler's node choice.
 * Integer arithmetic follows the Go source (int64 division truncates); all inputs are non-negative integers,
 * CPU in milli and memory in bytes, small enough for exact doubles.
 */

/** kube-scheduler's MaxNodeScore. */
export const MAX_NODE_SCORE = 100;

/** `schedutil.DefaultMilliCPURequest` and `DefaultMemoryRequest`: what a container without requests counts as in NodeResourcesFit. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST_BYTES = 200 * 1024 * 1024;

/** One scored resource with its weight (`scoringStrategy.resources`, `NodeResourcesBalancedAllocationArgs.resources`). */
export interface ResourceSpec {
  readonly name: string;
  readonly weight: number;
}

/** `leastRequestedScore`: (capacity - requested) * 100 / capacity, 0 when over capacity. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** `mostRequestedScore`: requested * 100 / capacity, requested capped at capacity. */
export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  return Math.trunc((Math.min(requested, capacity) * MAX_NODE_SCORE) / capacity);
}

/**
 * `leastResourceScorer` / `mostResourceScorer`: the weighted mean (truncated) of the per-resource scores over
 * resources the node has (allocatable 0 is skipped).
 */
export function fitScore(strategy: 'LeastAllocated' | 'MostAllocated', resources: readonly ResourceSpec[],
  requested: readonly number[], allocatable: readonly number[]): number {
  let score = 0;
  let weights = 0;
  for (let i = 0; i < resources.length; i += 1) {
    const alloc = allocatable[i] ?? 0;
    if (alloc === 0) continue;
    const w = resources[i]?.weight ?? 1;
    const req = requested[i] ?? 0;
    score += (strategy === 'LeastAllocated' ? leastRequestedScore(req, alloc) : mostRequestedScore(req, alloc)) * w;
    weights += w;
  }
  return weights === 0 ? 0 : Math.trunc(score / weights);
}

/**
 * `balancedResourceScorer`: (1 - std) * 100 truncated, std over the requested fractions (each capped at 1) of
 * the resources the node has; for two resources std is |f1 - f2| / 2.
 */
export function balancedScore(requested: readonly number[], allocatable: readonly number[]): number {
  const fractions: number[] = [];
  let total = 0;
  for (let i = 0; i < requested.length; i += 1) {
    const alloc = allocatable[i] ?? 0;
    if (alloc === 0) continue;
    const f = Math.min(1, (requested[i] ?? 0) / alloc);
    total += f;
    fractions.push(f);
  }
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs(((fractions[0] as number) - (fractions[1] as number)) / 2);
  } else if (fractions.length > 2) {
    const mean = total / fractions.length;
    let sum = 0;
    for (const f of fractions) sum += (f - mean) * (f - mean);
    std = Math.sqrt(sum / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}
