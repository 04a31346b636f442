/** Multi-GPU topology need from the annotation `tessera.io/topology`. */
export type TopologyNeed = 'nvlink-required' | 'nvlink-preferred' | 'numa' | 'any';

/** A pod toleration, as in core/v1. */
export interface Toleration {
  readonly key?: string;
  readonly operator?: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: string;
}

/**
 * One pod's GPU demand, parsed once from its resources and annotations (src/model/parse-gpu-request.ts).
 *
 * kind:
 * - none:    no GPU (host resources only)
 * - whole:   `gpus` whole GPUs
 * - share:   `gpus` GPUs, each giving `memoryMiB` and `computeMilli` (either may be 0 = not constrained)
 * - replica: `gpus` time-slice replicas, each on a different GPU
 * - mig:     the MIG instances in `mig`
 */
export interface GpuRequest {
  readonly kind: 'none' | 'whole' | 'share' | 'replica' | 'mig';
  readonly gpus: number;
  readonly memoryMiB: number;
  readonly computeMilli: number;
  readonly mig: readonly { readonly profile: string; readonly count: number }[];
  /** Allowed canonical products (annotation `tessera.io/gpu-model`), or null for any. */
  readonly models: readonly string[] | null;
  readonly topology: TopologyNeed;
  readonly interruptible: boolean;
  /** Job group (annotation `tessera.io/group`), or null. */
  readonly group: string | null;
  readonly tolerations: readonly Toleration[];
  /** Host CPU (milli) and memory (MiB) the pod asks for; used where the node accounts them. */
  readonly cpuMilli: number;
  readonly hostMemoryMiB: number;
  /** Pod priority (spec.priority), used by preemption. */
  readonly priority: number;
}
