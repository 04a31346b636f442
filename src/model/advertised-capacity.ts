import type { NodeInventory } from './node-inventory.js';
import { TESSERA_RESOURCES } from './parse-gpu-request.js';
import { parseQuantity, scaleQuantity } from './quantity.js';
import { RESOURCE } from './well-known-names.js';

/**
 * Node-level totals a GPU node advertises in `status.capacity` (the node agent's contract, docs/deploy.md), so
 * that kube-scheduler's in-tree NodeResourcesFit counts them and its preemption dry run finds victims on nodes
 * whose totals are used up. Tessera keeps these exact per GPU; the totals are only a coarse first cut.
 */
export const ADVERTISED_RESOURCES: readonly string[] = Object.freeze([RESOURCE.gpuMemory, RESOURCE.gpuCompute, RESOURCE.gpuReplica]);

/**
 * Resource names kube-scheduler's NodeResourcesFit must ignore (`ignoredResources`): those no node advertises
 * a total of (`tessera.io/gpu`, whose meaning depends on the request, and every MIG profile, whose count depends
 * on the layout Tessera picks). Sorted.
 */
export const UNADVERTISED_RESOURCES: readonly string[] = Object.freeze(
  TESSERA_RESOURCES.filter((r) => r !== RESOURCE.nvidiaGpu && !ADVERTISED_RESOURCES.includes(r)),
);

/**
 * What `inv` should advertise: `tessera.io/gpu-memory` = the memory of its fractional GPUs (a quantity in Mi, so
 * it compares with pods' byte quantities such as `10Gi`), `tessera.io/gpu-compute` = their compute in milli,
 * `tessera.io/gpu-replica` = the replicas of its time-sliced GPUs, and `nvidia.com/gpu` = its GPUs that are not
 * in MIG mode (NVIDIA's device plugin advertises that one itself where it runs). Every name is present, 0 when
 * the node has none.
 */
export function advertisedCapacity(inv: NodeInventory): Record<string, string> {
  let memoryMiB = 0;
  let computeMilli = 0;
  let replicas = 0;
  let whole = 0;
  for (const g of inv.gpus) {
    if (g.sharing.mode !== 'mig') whole += 1;
    if (g.sharing.mode === 'fractional') {
      memoryMiB += g.memoryMiB;
      computeMilli += g.computeMilli;
    }
    if (g.sharing.mode === 'time-sliced') replicas += Math.max(0, Math.floor(g.sharing.replicas));
  }
  return {
    [RESOURCE.gpuMemory]: memoryMiB === 0 ? '0' : `${memoryMiB}Mi`,
    [RESOURCE.gpuCompute]: String(computeMilli),
    [RESOURCE.gpuReplica]: String(replicas),
    [RESOURCE.nvidiaGpu]: String(whole),
  };
}

/** A quantity as a plain number of its base unit (bytes, units), or null when it is not one. */
export function quantityValue(text: unknown): number | null {
  const q = parseQuantity(text);
  if (!q.ok) return null;
  return scaleQuantity(q.value, 1n, 1n, 'ceil');
}
