import type { GpuUsage } from '../model/allocation.js';
import type { GpuDevice, MigInstance } from '../model/gpu-device.js';
import { MIG_MEMORY_SLICES, freeMigStarts, migProfile } from '../model/mig-profiles.js';

/** Usage of a GPU nobody holds anything on. */
export const EMPTY_GPU_USAGE: GpuUsage = Object.freeze({ memoryMiB: 0, computeMilli: 0, replicas: 0, whole: false, mig: Object.freeze([]) });

/** True when nothing at all is held on the GPU. */
export function isGpuEmpty(u: GpuUsage): boolean {
  return !u.whole && u.memoryMiB <= 0 && u.computeMilli <= 0 && u.replicas <= 0 && u.mig.length === 0;
}

/** Replica count of a time-sliced GPU, 0 for other modes. */
export function replicaCapacity(g: GpuDevice): number {
  return g.sharing.mode === 'time-sliced' ? Math.max(0, Math.floor(g.sharing.replicas)) : 0;
}

/** Memory slices occupied by MIG instances. */
export function migUsedSlices(instances: readonly MigInstance[]): number {
  let s = 0;
  for (const m of instances) s += m.size;
  return s;
}

/**
 * Idle share of a GPU in milli-GPU units (0..1000), the quantity fragmentation is measured in:
 * empty = 1000; fractional = mean of free memory fraction and free compute fraction; time-sliced = free
 * replicas / replicas; MIG = free memory slices / 8 (fixed layouts: slices of unused layout instances).
 */
export function idleUnits(g: GpuDevice, u: GpuUsage): number {
  if (u.whole) return 0;
  switch (g.sharing.mode) {
    case 'exclusive': return isGpuEmpty(u) ? 1000 : 0;
    case 'fractional': {
      const mem = g.memoryMiB > 0 ? Math.max(0, g.memoryMiB - u.memoryMiB) / g.memoryMiB : 0;
      const cap = g.computeMilli > 0 ? g.computeMilli : 1000;
      const comp = Math.max(0, cap - u.computeMilli) / cap;
      return 500 * mem + 500 * comp;
    }
    case 'time-sliced': {
      const r = replicaCapacity(g);
      return r > 0 ? (1000 * Math.max(0, r - u.replicas)) / r : 0;
    }
    case 'mig': {
      const layout = g.sharing.layout;
      if (layout === 'dynamic') return (1000 * Math.max(0, MIG_MEMORY_SLICES - migUsedSlices(u.mig))) / MIG_MEMORY_SLICES;
      let free = 0;
      for (const inst of layout) if (!containsInstance(u.mig, inst)) free += inst.size;
      return (1000 * free) / MIG_MEMORY_SLICES;
    }
  }
}

/** True when `list` holds an instance with the same profile and start as `inst`. */
export function containsInstance(list: readonly MigInstance[], inst: MigInstance): boolean {
  for (const m of list) if (m.start === inst.start && m.profile === inst.profile) return true;
  return false;
}

/** Free memory (MiB) of a fractional GPU; 0 when held whole. */
export function freeMemoryMiB(g: GpuDevice, u: GpuUsage): number {
  return u.whole ? 0 : Math.max(0, g.memoryMiB - u.memoryMiB);
}

/** Free compute (milli) of a fractional GPU; 0 when held whole. */
export function freeComputeMilli(g: GpuDevice, u: GpuUsage): number {
  return u.whole ? 0 : Math.max(0, (g.computeMilli > 0 ? g.computeMilli : 1000) - u.computeMilli);
}

/** True when a fractional GPU can give `memoryMiB` and `computeMilli` now. */
export function shareFits(g: GpuDevice, u: GpuUsage, memoryMiB: number, computeMilli: number): boolean {
  return g.sharing.mode === 'fractional' && !u.whole
    && freeMemoryMiB(g, u) >= memoryMiB && freeComputeMilli(g, u) >= computeMilli;
}

/** Free replicas of a time-sliced GPU (0 for other modes or when held whole). */
export function freeReplicas(g: GpuDevice, u: GpuUsage): number {
  return u.whole ? 0 : Math.max(0, replicaCapacity(g) - u.replicas);
}

/**
 * Starts at which a new `profile` instance can go now: for a fixed layout the unused layout instances of that
 * profile, for a dynamic GPU the legal free placements (freeMigStarts). Empty for non-MIG GPUs.
 */
export function migStartsFree(g: GpuDevice, u: GpuUsage, profile: string): number[] {
  if (g.sharing.mode !== 'mig') return [];
  const layout = g.sharing.layout;
  if (layout === 'dynamic') return freeMigStarts(g.product, u.mig, profile);
  const starts: number[] = [];
  for (const inst of layout) if (inst.profile === profile && !containsInstance(u.mig, inst)) starts.push(inst.start);
  return starts.sort((a, b) => a - b);
}

/** Memory slices of `profile` on the GPU's product, or 0 when the product has no such profile. */
export function migProfileSize(g: GpuDevice, profile: string): number {
  return migProfile(g.product, profile)?.memorySlices ?? 0;
}
