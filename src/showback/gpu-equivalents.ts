import { EMPTY_GPU_USAGE, idleUnits } from '../algorithm/gpu-capacity.js';
import { addAssignment } from '../algorithm/usage-math.js';
import type { Allocation, DeviceAssignment } from '../model/allocation.js';
import type { NodeInventory } from '../model/node-inventory.js';

/**
 * GPU-equivalents of one device assignment: the share of its GPU it takes away from everyone else, in the core's
 * idle units (src/algorithm/gpu-capacity.ts `idleUnits`) divided by 1000. A whole GPU is 1; a share is the mean of
 * its memory fraction and compute fraction (10 GiB and 250 milli of an 80 GiB GPU: 0.19); a time-slice replica is
 * 1/replicas; a MIG instance is its memory slices / 8. `idleUnits` is linear in what is held, so the
 * GPU-equivalents of the pods on a GPU add up to the GPU's allocated share exactly.
 */
export function deviceGpuEquivalents(device: Omit<DeviceAssignment, 'gpuUuid'>, inventory: NodeInventory): number {
  const gpu = inventory.gpus[device.gpuIndex];
  if (gpu === undefined) return 0;
  const before = idleUnits(gpu, EMPTY_GPU_USAGE);
  const after = idleUnits(gpu, addAssignment(gpu, EMPTY_GPU_USAGE, device));
  return Math.max(0, before - after) / 1000;
}

/** GPU-equivalents of a pod's whole allocation (the sum over its devices); see deviceGpuEquivalents. */
export function allocationGpuEquivalents(allocation: Allocation, inventory: NodeInventory): number {
  let sum = 0;
  for (const d of allocation.devices) sum += deviceGpuEquivalents(d, inventory);
  return sum;
}
