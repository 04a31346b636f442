/**
 * One physical GPU as Tessera models it: a partitionable device.
 *
 * Units: memory in MiB, compute in milli-GPU (1000 = one whole GPU's SMs).
 */
export interface GpuDevice {
  /** Device index as `nvidia-smi` numbers it (0-based, unique within the node). */
  readonly index: number;
  /** `GPU-…` uuid; synthesized as `<node>-gpu<index>` when the node does not publish one. */
  readonly uuid: string;
  /** Canonical product name, e.g. `H100-80GB`, `A100-40GB`, `L4`, `T4` (see src/model/gpu-product.ts). */
  readonly product: string;
  readonly memoryMiB: number;
  /** Always 1000 for a whole physical GPU; kept explicit so mixed fleets can be modelled. */
  readonly computeMilli: number;
  readonly sharing: SharingPolicy;
  /** NUMA node the GPU is attached to, or null when unknown. */
  readonly numaNode: number | null;
  /** Device taints (annotation `tessera.io/gpu-taints`); only tolerating pods may use the GPU. */
  readonly taints: readonly DeviceTaint[];
}

/**
 * How a GPU may be shared.
 * - exclusive:   whole-GPU requests only.
 * - fractional:  memory+compute shares (both accounted); a whole-GPU request takes an empty GPU.
 * - time-sliced: `replicas` pods share the GPU without memory isolation (NVIDIA time-slicing).
 * - mig:         MIG instances only; `layout` is a fixed pre-partitioned set of instances, or
 *                'dynamic' when instances are created on demand at legal placements.
 */
export type SharingPolicy =
  | { readonly mode: 'exclusive' }
  | { readonly mode: 'fractional' }
  | { readonly mode: 'time-sliced'; readonly replicas: number }
  | { readonly mode: 'mig'; readonly layout: readonly MigInstance[] | 'dynamic' };

/** A MIG GPU instance: a profile at a placement on the 8-slice memory axis, `[start, start+size)`. */
export interface MigInstance {
  /** Profile name as NVIDIA prints it for this product, e.g. `3g.40gb`, `1g.10gb+me`. */
  readonly profile: string;
  readonly start: number;
  readonly size: number;
}

/** A device taint, with node-taint semantics for `effect`. */
export interface DeviceTaint {
  readonly key: string;
  readonly value: string;
  readonly effect: 'NoSchedule' | 'NoExecute' | 'PreferNoSchedule';
}
