import type { MigInstance } from './gpu-device.js';

/**
 * What is held on one GPU. Derived from the allocations of the pods on the node.
 * Over-commit of any field is a bug (property-tested).
 */
export interface GpuUsage {
  /** MiB held by shares and MIG instances (a whole-GPU hold counts the full memory). */
  readonly memoryMiB: number;
  /** Milli held by shares (a whole-GPU hold counts 1000). */
  readonly computeMilli: number;
  /** Time-slice replicas held. */
  readonly replicas: number;
  /** True when a pod holds the GPU exclusively. */
  readonly whole: boolean;
  /** MIG instances in use (dynamic MIG) or taken from the fixed layout. */
  readonly mig: readonly MigInstance[];
}

/** Usage of one node; `gpus[i]` matches `NodeInventory.gpus[i]`. */
export interface NodeUsage {
  readonly gpus: readonly GpuUsage[];
  readonly cpuMilli: number;
  readonly memoryMiB: number;
}

/** What a pod was given on one GPU. */
export interface DeviceAssignment {
  /** Position in `NodeInventory.gpus` and the GPU's own index and uuid (the node agent reads these). */
  readonly gpuIndex: number;
  readonly gpuUuid: string;
  readonly kind: 'whole' | 'share' | 'replica' | 'mig';
  readonly memoryMiB: number;
  readonly computeMilli: number;
  /** Replicas held, for kind 'replica'. */
  readonly replicas?: number;
  /** The instance, for kind 'mig'. */
  readonly mig?: MigInstance;
}

/**
 * The exact devices a pod holds on a node. Serialized into the pod annotation `tessera.io/allocation`
 * (see src/model/allocation-annotation.ts), which is the contract a node agent or device plugin reads.
 */
export interface Allocation {
  readonly node: string;
  readonly devices: readonly DeviceAssignment[];
  readonly cpuMilli: number;
  readonly memoryMiB: number;
}
