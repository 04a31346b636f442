import type { Allocation, GpuUsage, NodeUsage } from '../model/allocation.js';
import { EMPTY_GPU_USAGE } from './gpu-capacity.js';
import type { NodeState } from './node-state.js';
import { makeNodeState } from './node-state.js';
import type { Status } from './status.js';
import { SUCCESS, unschedulable } from './status.js';
import { addAssignment, assignmentError, removeAssignment } from './usage-math.js';

/**
 * Takes `alloc` on `node` after re-validating every device against what is held now (the assume cache calls
 * this for concurrent binds, so it must never over-commit). On success returns the new NodeState; on failure
 * the unchanged node and `unschedulable` with the first conflict. `node` is never mutated.
 */
export function reserve(node: NodeState, alloc: Allocation): { status: Status; node: NodeState } {
  const inv = node.inventory;
  const fail = (why: string): { status: Status; node: NodeState } =>
    ({ status: unschedulable(`cannot reserve on node "${inv.name}": ${why}`), node });
  if (alloc.node !== inv.name) return fail(`the allocation is for node "${alloc.node}"`);
  const gpus: GpuUsage[] = inv.gpus.map((_, i) => node.usage.gpus[i] ?? EMPTY_GPU_USAGE);
  for (const d of alloc.devices) {
    const g = inv.gpus[d.gpuIndex];
    const u = gpus[d.gpuIndex];
    if (g === undefined || u === undefined || d.gpuIndex >= node.info.n) return fail(`GPU position ${d.gpuIndex} does not exist`);
    if (d.gpuUuid !== g.uuid) return fail(`GPU position ${d.gpuIndex} is "${g.uuid}", not "${d.gpuUuid}"`);
    const err = assignmentError(g, u, d);
    if (err !== null) return fail(err);
    gpus[d.gpuIndex] = addAssignment(g, u, d);
  }
  if (alloc.cpuMilli < 0 || alloc.memoryMiB < 0) return fail('host CPU and memory must not be negative');
  if (inv.cpuMilli > 0 && alloc.cpuMilli > node.cpuFreeMilli) return fail(`need ${alloc.cpuMilli} CPU milli, ${Math.max(0, node.cpuFreeMilli)} free`);
  if (inv.memoryMiB > 0 && alloc.memoryMiB > node.memoryFreeMiB) return fail(`need ${alloc.memoryMiB} MiB host memory, ${Math.max(0, node.memoryFreeMiB)} free`);
  const usage: NodeUsage = { gpus, cpuMilli: node.usage.cpuMilli + alloc.cpuMilli, memoryMiB: node.usage.memoryMiB + alloc.memoryMiB };
  return { status: SUCCESS, node: makeNodeState(inv, usage, node.info) };
}

/** Releases `alloc` on `node` (a pod ended or an assumption expired); amounts never go below zero. */
export function unreserve(node: NodeState, alloc: Allocation): NodeState {
  const inv = node.inventory;
  if (alloc.node !== inv.name) return node;
  const gpus: GpuUsage[] = inv.gpus.map((_, i) => node.usage.gpus[i] ?? EMPTY_GPU_USAGE);
  for (const d of alloc.devices) {
    const g = inv.gpus[d.gpuIndex];
    const u = gpus[d.gpuIndex];
    if (g === undefined || u === undefined) continue;
    gpus[d.gpuIndex] = removeAssignment(g, u, d);
  }
  const usage: NodeUsage = {
    gpus, cpuMilli: Math.max(0, node.usage.cpuMilli - alloc.cpuMilli), memoryMiB: Math.max(0, node.usage.memoryMiB - alloc.memoryMiB),
  };
  return makeNodeState(inv, usage, node.info);
}
