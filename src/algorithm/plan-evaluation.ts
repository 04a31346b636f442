import type { GpuUsage } from '../model/allocation.js';
import type { GpuDevice, MigInstance } from '../model/gpu-device.js';
import type { CycleState, NodeEvaluation, PlannedDevice } from './cycle-state.js';
import type { GpuChange } from './fragmentation.js';
import { fragmentationDelta } from './fragmentation.js';
import { EMPTY_GPU_USAGE, idleUnits } from './gpu-capacity.js';
import type { NodeState } from './node-state.js';
import type { Status } from './status.js';
import { SUCCESS } from './status.js';
import { addAssignment } from './usage-math.js';
import { valueLoss } from './value-loss.js';

/*
 * The shapes a per-kind evaluation (evaluate-whole.ts, evaluate-share.ts, ...) returns: a rejection, or a plan
 * of devices turned into a NodeEvaluation with its fragmentation change and packing value loss.
 */

/** A success before evaluateNode fills the score parts in (fragmentation, packing, partial). */
export const UNSCORED: NodeEvaluation = { status: SUCCESS, devices: [], fragDelta: 0, topology: 100, units: 0, valueLoss: 0, fragmentationPart: 0, packingPart: 0, partial: 0 };

/** The evaluation of a node that cannot take the pod, for `status`. */
export function rejected(status: Status): NodeEvaluation {
  return { status, devices: null, fragDelta: 0, topology: 0, units: 0, valueLoss: 0, fragmentationPart: 0, packingPart: 0, partial: 0 };
}

/**
 * The evaluation of a plan that fits: its devices and topology quality, the units it takes, the fragmentation
 * change it causes under the target workload and the packing value it wastes (score parts are added later).
 */
export function planEvaluation(node: NodeState, cycle: CycleState, devices: PlannedDevice[], topology: number): NodeEvaluation {
  const changes = applyDevices(node, devices);
  let units = 0;
  for (const c of changes) {
    const g = node.inventory.gpus[c.gpu];
    if (g !== undefined) units += (node.idle[c.gpu] ?? 0) - idleUnits(g, c.usage);
  }
  return { ...UNSCORED, devices, fragDelta: fragmentationDelta(node, cycle.workload, changes, cycle.req.cpuMilli), topology, units,
    valueLoss: valueLoss(node, cycle, changes) };
}

/** New usage of every GPU touched by `devices` (several devices may share one GPU, e.g. MIG instances). */
export function applyDevices(node: NodeState, devices: readonly PlannedDevice[]): GpuChange[] {
  const only = devices.length === 1 ? devices[0] : undefined;
  if (only !== undefined) {
    const g = node.inventory.gpus[only.gpuIndex];
    if (g === undefined) return [];
    return [{ gpu: only.gpuIndex, usage: addAssignment(g, node.usage.gpus[only.gpuIndex] ?? EMPTY_GPU_USAGE, only) }];
  }
  const byGpu = new Map<number, GpuUsage>();
  for (const d of devices) {
    const g = node.inventory.gpus[d.gpuIndex];
    if (g === undefined) continue;
    const u = byGpu.get(d.gpuIndex) ?? node.usage.gpus[d.gpuIndex] ?? EMPTY_GPU_USAGE;
    byGpu.set(d.gpuIndex, addAssignment(g, u, d));
  }
  return [...byGpu.entries()].map(([gpu, usage]) => ({ gpu, usage }));
}

/** A planned device on GPU position `pos`. */
export function plannedDevice(_g: GpuDevice, pos: number, kind: PlannedDevice['kind'], memoryMiB: number, computeMilli: number,
  extra?: { replicas?: number; mig?: MigInstance }): PlannedDevice {
  return { gpuIndex: pos, kind, memoryMiB, computeMilli, ...extra };
}

/** One planned device (`make`) per GPU of `set` (a mask), in GPU order. */
export function devicesOfSet(node: NodeState, set: number, make: (g: GpuDevice, i: number) => PlannedDevice): PlannedDevice[] {
  const out: PlannedDevice[] = [];
  for (let i = 0; i < node.info.n; i += 1) {
    const g = node.inventory.gpus[i];
    if ((set >> i) & 1 && g !== undefined) out.push(make(g, i));
  }
  return out;
}
