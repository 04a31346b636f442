/**
 * Shared shapes for the six FGD-paper baselines (PROTOCOL.md §3). The replay harness owns the cluster state
 * (the core's NodeUsage) and hands each baseline this flat view of one node; baselines are pure functions of it.
 */

/** A trace pod's demand as the FGD simulator sees it (`PodResource` plus memory for the filter). */
export interface PodDemand {
  /** Host CPU, milli. */
  readonly cpuMilli: number;
  /** Host memory, MiB (hard filter only; no score uses it). */
  readonly memoryMiB: number;
  /** Milli-GPU per GPU, 0..1000 (0 for CPU pods). */
  readonly gpuMilli: number;
  /** Number of GPUs, 0..8. */
  readonly gpuCount: number;
  /** Allowed GPU models (`gpu_spec` split on `|`), or null for any. */
  readonly models: readonly string[] | null;
}

/** Free resources of one node, in device-index order. */
export interface NodeFree {
  /** GPU model of the node (trace model name, e.g. `G2`, `V100M16`). */
  readonly model: string;
  readonly cpuLeft: number;
  readonly memLeft: number;
  /** Free milli-GPU per device, 0..1000. */
  readonly gpuLeft: readonly number[];
  /** GpuClustering tags (`share-gpu`, `<k>-gpu`) of the GPU pods currently on the node. */
  readonly tags: ReadonlySet<string>;
}

/** A seeded uniform generator in [0, 1); injected so the baselines stay deterministic. */
export type Rng = () => number;

/**
 * One baseline: a node score (integer 0..100, called only on feasible nodes) and the GPU choice on the
 * chosen node. `pick: 'random'` means the node is drawn uniformly among feasible ones (Random-fit).
 */
export interface BaselinePolicy {
  readonly name: string;
  readonly pick: 'argmax' | 'random';
  score(pod: PodDemand, node: NodeFree): number;
  selectGpus(pod: PodDemand, node: NodeFree, rng: Rng): number[];
}

/** MaxSpecCpu from the simulator's `const.go`: CPU normaliser (milli). */
export const MAX_SPEC_CPU = 128000;
/** MaxSpecGpu: GPU normaliser (milli-GPU of an 8-GPU node). */
export const MAX_SPEC_GPU = 8000;
/** One whole GPU in milli. */
export const MILLI = 1000;
