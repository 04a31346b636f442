import type { GpuDevice } from '../../model/gpu-device.js';
import type { GpuRequest } from '../../model/gpu-request.js';
import type { LinkLevel, LinkMatrix } from '../../model/link-matrix.js';
import type { NodeInventory } from '../../model/node-inventory.js';
import type { TraceNode, TracePod } from './load-trace.js';

/** Nominal memory per trace model (MiB); the trace does not give GPU memory, so requests never constrain it. */
const TRACE_GPU_MEMORY_MIB: Readonly<Record<string, number>> = {
  V100M16: 16384, V100M32: 32768, T4: 15360, P100: 16384, A10: 24576, G1: 32768, G2: 32768, G3: 81920,
};

/**
 * A trace node as the core's NodeInventory: one fractional GPU (1000 milli) per trace GPU with the trace model
 * as product, host CPU/memory from the row, on-demand, no price. `links` is a flat PCIe-host matrix because
 * the trace has no topology (scenarios replace it with presets).
 */
export function traceNodeInventory(node: TraceNode): NodeInventory {
  const gpus: GpuDevice[] = [];
  for (let i = 0; i < node.gpuCount; i++) {
    gpus.push({
      index: i,
      uuid: `${node.name}-gpu${i}`,
      product: node.model,
      memoryMiB: TRACE_GPU_MEMORY_MIB[node.model] ?? 16384,
      computeMilli: 1000,
      sharing: { mode: 'fractional' },
      numaNode: null,
      taints: [],
    });
  }
  const links: LinkMatrix = gpus.map((_, i) => gpus.map((_, j) => ({ level: (i === j ? 'X' : 'PHB') as LinkLevel, bonds: 0 })));
  return {
    name: node.name,
    gpus,
    links,
    cpuMilli: node.cpuMilli,
    memoryMiB: node.memoryMiB,
    capacityType: 'on-demand',
    hourlyPrice: null,
    instanceType: null,
    clique: null,
    rack: null,
    zone: null,
    topologySource: 'trace',
  };
}

/**
 * A trace pod as the core's GpuRequest: `share` (compute only) for one GPU below 1000 milli, `whole` for
 * 1000 milli, `none` for CPU pods; models from `gpu_spec`.
 */
export function tracePodRequest(pod: TracePod): GpuRequest {
  const kind = pod.gpuCount === 0 ? 'none' : pod.gpuMilli >= 1000 ? 'whole' : 'share';
  return {
    kind,
    gpus: pod.gpuCount,
    memoryMiB: 0,
    computeMilli: kind === 'share' ? pod.gpuMilli : 0,
    mig: [],
    models: pod.gpuSpec === '' ? null : pod.gpuSpec.split('|'),
    topology: 'any',
    interruptible: false,
    group: null,
    tolerations: [],
    cpuMilli: pod.cpuMilli,
    hostMemoryMiB: pod.memoryMiB,
    priority: 0,
  };
}
