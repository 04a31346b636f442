import type { GpuDevice } from '../../model/gpu-device.js';
import type { GpuRequest } from '../../model/gpu-request.js';
import type { LinkLevel, LinkMatrix } from '../../model/link-matrix.js';
import type { NodeInventory } from '../../model/node-inventory.js';
import type { TraceNode, TracePod } from './load-trace.js';

/**
 * GPU memory (MiB) Tessera models for every trace GPU. The trace gives none and `gpu_milli` is one fraction of
 * the GPU, so a share of `m` milli asks for `m × 16` MiB: memory and compute fractions stay equal and the
 * core's idle units (the mean of both fractions) equal the trace's free milli exactly.
 */
export const TRACE_GPU_MEMORY_MIB = 16000;

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
      memoryMiB: TRACE_GPU_MEMORY_MIB,
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
 * A trace pod as the core's GpuRequest: `share` for one GPU below 1000 milli (compute `m`, memory the same
 * fraction, see TRACE_GPU_MEMORY_MIB), `whole` for 1000 milli, `none` for CPU pods;
 * models from `gpu_spec`.
 */
export function tracePodRequest(pod: TracePod): GpuRequest {
  const kind = pod.gpuCount === 0 ? 'none' : pod.gpuMilli >= 1000 ? 'whole' : 'share';
  return {
    kind,
    gpus: pod.gpuCount,
    memoryMiB: kind === 'share' ? (pod.gpuMilli * TRACE_GPU_MEMORY_MIB) / 1000 : 0,
    computeMilli: kind === 'share' ? pod.gpuMilli : 0,
    mig: [],
    models: pod.gpuSpec === '' ? null : pod.gpuSpec.split('|'),
    topology: pod.topology ?? 'any',
    interruptible: pod.interruptible ?? false,
    group: null,
    tolerations: [],
    cpuMilli: pod.cpuMilli,
    hostMemoryMiB: pod.memoryMiB,
    priority: 0,
  };
}
