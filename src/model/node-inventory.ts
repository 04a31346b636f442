import type { GpuDevice } from './gpu-device.js';
import type { LinkMatrix } from './link-matrix.js';

/** What a node offers: its GPUs, how they are connected, and what it costs. Immutable. */
export interface NodeInventory {
  readonly name: string;
  /** GPUs in index order; `gpus[i].index` need not equal `i` but positions index `links`. */
  readonly gpus: readonly GpuDevice[];
  readonly links: LinkMatrix;
  /** Host allocatable CPU (milli) and memory (MiB); 0 means "not accounted by Tessera". */
  readonly cpuMilli: number;
  readonly memoryMiB: number;
  readonly capacityType: 'spot' | 'on-demand';
  /** Node price per hour in the configured currency, or null when unknown. */
  readonly hourlyPrice: number | null;
  /** `node.kubernetes.io/instance-type`, used with the price table. */
  readonly instanceType: string | null;
  /** NVLink domain across nodes (GB200 NVL72; GFD label `nvidia.com/gpu.clique`). */
  readonly clique: string | null;
  readonly rack: string | null;
  readonly zone: string | null;
  /** Name of the topology preset the links came from, or 'matrix' / 'inferred-…'. For display. */
  readonly topologySource: string;
}
