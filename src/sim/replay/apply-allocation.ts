import type { Allocation, GpuUsage, NodeUsage } from '../../model/allocation.js';
import type { NodeInventory } from '../../model/node-inventory.js';

/** An empty NodeUsage for `inventory`. */
export function emptyUsage(inventory: NodeInventory): NodeUsage {
  return {
    gpus: inventory.gpus.map(() => ({ memoryMiB: 0, computeMilli: 0, replicas: 0, whole: false, mig: [] })),
    cpuMilli: 0,
    memoryMiB: 0,
  };
}

/**
 * Adds `alloc` to `usage` (a whole-GPU hold counts the full compute and memory). Returns a new NodeUsage;
 * the harness re-validates nothing here because every allocation comes from a feasibility check on the
 * same state.
 */
export function addAllocation(inventory: NodeInventory, usage: NodeUsage, alloc: Allocation): NodeUsage {
  const gpus: GpuUsage[] = usage.gpus.slice();
  for (const d of alloc.devices) {
    const g = gpus[d.gpuIndex]!;
    const dev = inventory.gpus[d.gpuIndex]!;
    gpus[d.gpuIndex] = d.kind === 'whole'
      ? { ...g, whole: true, computeMilli: dev.computeMilli, memoryMiB: dev.memoryMiB }
      : { ...g, computeMilli: g.computeMilli + d.computeMilli, memoryMiB: g.memoryMiB + d.memoryMiB };
  }
  return { gpus, cpuMilli: usage.cpuMilli + alloc.cpuMilli, memoryMiB: usage.memoryMiB + alloc.memoryMiB };
}
