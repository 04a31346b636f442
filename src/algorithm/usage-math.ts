import type { DeviceAssignment, GpuUsage } from '../model/allocation.js';
import type { GpuDevice } from '../model/gpu-device.js';
import { migProfile } from '../model/mig-profiles.js';
import { containsInstance, freeReplicas, isGpuEmpty, migStartsFree, shareFits } from './gpu-capacity.js';

/** A device assignment with or without its uuid (plans omit it). */
export type DeviceLike = Omit<DeviceAssignment, 'gpuUuid'>;

/**
 * Why `a` cannot be taken on GPU `g` holding `u` now, or null when it can. This is the exact capacity rule
 * every phase agrees on (filter, place, reserve): whole takes an empty non-MIG GPU; share needs a fractional
 * GPU with the memory and compute free; replica needs free replicas on a time-sliced GPU; MIG needs a free
 * legal placement (dynamic) or the unused layout instance (fixed).
 */
export function assignmentError(g: GpuDevice, u: GpuUsage, a: DeviceLike): string | null {
  switch (a.kind) {
    case 'whole':
      if (g.sharing.mode === 'mig') return `GPU ${g.index} is MIG-partitioned and cannot be taken whole`;
      if (!isGpuEmpty(u)) return `GPU ${g.index} is not free`;
      return null;
    case 'share':
      if (g.sharing.mode !== 'fractional') return `GPU ${g.index} is ${g.sharing.mode}, not fractional`;
      if (a.memoryMiB < 0 || a.computeMilli < 0) return `share on GPU ${g.index} is negative`;
      if (!shareFits(g, u, a.memoryMiB, a.computeMilli)) {
        return `GPU ${g.index} has ${Math.max(0, g.memoryMiB - u.memoryMiB)} MiB / ${Math.max(0, g.computeMilli - u.computeMilli)} milli free, `
          + `the share needs ${a.memoryMiB} MiB / ${a.computeMilli} milli`;
      }
      return null;
    case 'replica': {
      if (g.sharing.mode !== 'time-sliced') return `GPU ${g.index} is ${g.sharing.mode}, not time-sliced`;
      const want = a.replicas ?? 1;
      if (want < 1) return `replica count on GPU ${g.index} must be at least 1`;
      const free = freeReplicas(g, u);
      if (free < want) return `GPU ${g.index} has ${free} free replicas, need ${want}`;
      return null;
    }
    case 'mig': {
      if (g.sharing.mode !== 'mig') return `GPU ${g.index} is not MIG-partitioned`;
      const inst = a.mig;
      if (inst === undefined) return `MIG assignment on GPU ${g.index} names no instance`;
      const p = migProfile(g.product, inst.profile);
      if (p === null) return `profile "${inst.profile}" does not exist on ${g.product}`;
      if (inst.size !== p.memorySlices) return `instance "${inst.profile}" has size ${inst.size}, the profile uses ${p.memorySlices}`;
      if (!migStartsFree(g, u, inst.profile).includes(inst.start)) {
        return `"${inst.profile}" cannot start at ${inst.start} on GPU ${g.index}: placement taken or illegal`;
      }
      return null;
    }
  }
}

/** Usage after taking `a` (no checks: call assignmentError first). */
export function addAssignment(g: GpuDevice, u: GpuUsage, a: DeviceLike): GpuUsage {
  switch (a.kind) {
    case 'whole':
      return { memoryMiB: g.memoryMiB, computeMilli: g.computeMilli > 0 ? g.computeMilli : 1000, replicas: u.replicas, whole: true, mig: u.mig };
    case 'share':
      return { ...u, memoryMiB: u.memoryMiB + a.memoryMiB, computeMilli: u.computeMilli + a.computeMilli };
    case 'replica':
      return { ...u, replicas: u.replicas + (a.replicas ?? 1) };
    case 'mig': {
      const inst = a.mig;
      if (inst === undefined) return u;
      const p = migProfile(g.product, inst.profile);
      return { ...u, memoryMiB: u.memoryMiB + (p?.memoryMiB ?? 0), mig: [...u.mig, { profile: inst.profile, start: inst.start, size: inst.size }] };
    }
  }
}

/** Usage after releasing `a`; amounts never go below zero (releasing twice is harmless). */
export function removeAssignment(g: GpuDevice, u: GpuUsage, a: DeviceLike): GpuUsage {
  switch (a.kind) {
    case 'whole':
      return { memoryMiB: 0, computeMilli: 0, replicas: u.replicas, whole: false, mig: u.mig };
    case 'share':
      return { ...u, memoryMiB: Math.max(0, u.memoryMiB - a.memoryMiB), computeMilli: Math.max(0, u.computeMilli - a.computeMilli) };
    case 'replica':
      return { ...u, replicas: Math.max(0, u.replicas - (a.replicas ?? 1)) };
    case 'mig': {
      const inst = a.mig;
      if (inst === undefined || !containsInstance(u.mig, inst)) return u;
      const p = migProfile(g.product, inst.profile);
      let removed = false;
      const mig = u.mig.filter((m) => {
        if (!removed && m.start === inst.start && m.profile === inst.profile) { removed = true; return false; }
        return true;
      });
      return { ...u, memoryMiB: Math.max(0, u.memoryMiB - (p?.memoryMiB ?? 0)), mig };
    }
  }
}
