import type { GpuUsage, NodeUsage } from '../model/allocation.js';
import type { GpuDevice, SharingPolicy } from '../model/gpu-device.js';
import type { GpuRequest } from '../model/gpu-request.js';
import type { GpuLink, LinkMatrix } from '../model/link-matrix.js';
import type { NodeInventory } from '../model/node-inventory.js';
import { EMPTY_GPU_USAGE } from './gpu-capacity.js';

/** Test fixture builders: small NodeInventory, usage and request objects built directly from the contracts. */

const PRODUCT_MEMORY: Record<string, number> = { 'H100-80GB': 81559, 'A100-80GB': 81920, 'A100-40GB': 40960, L4: 23034, T4: 15360, L40S: 46068 };

/** One GPU; memory defaults to the product's. */
export function gpu(index: number, over: Partial<GpuDevice> = {}): GpuDevice {
  const product = over.product ?? 'H100-80GB';
  return {
    index, uuid: `GPU-${index}`, product, memoryMiB: PRODUCT_MEMORY[product] ?? 32768, computeMilli: 1000,
    sharing: { mode: 'fractional' }, numaNode: index < 4 ? 0 : 1, taints: [], ...over,
  };
}

/** A link cell from text: `NV12`, `PIX`, `SYS`, … */
export function link(text: string): GpuLink {
  if (text === 'X') return { level: 'X', bonds: 0 };
  if (text.startsWith('NV')) return { level: 'NV', bonds: Number(text.slice(2)) };
  return { level: text as GpuLink['level'], bonds: 0 };
}

/** Link matrix from rows of `nvidia-smi topo -m` cells. */
export function matrix(rows: readonly string[]): LinkMatrix {
  return rows.map((r) => r.trim().split(/\s+/).map(link));
}

/** All pairs linked at `cell` (NVSwitch boards: `NV18`; PCIe: `SYS`). */
export function uniformLinks(n: number, cell: string): LinkMatrix {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? link('X') : link(cell))));
}

/** 4x A100 PCIe with NVLink bridge pairs {0,1} and {2,3}, SYS across. */
export const BRIDGE_PAIRS_4 = matrix(['X NV12 SYS SYS', 'NV12 X SYS SYS', 'SYS SYS X NV12', 'SYS SYS NV12 X']);

/** A node; defaults: 8 fractional H100-80GB on NVSwitch (NV18), host resources not accounted, on-demand. */
export function node(name: string, over: Partial<NodeInventory> & { count?: number; sharing?: SharingPolicy; product?: string } = {}): NodeInventory {
  const { count = 8, sharing, product, ...rest } = over;
  const gpus = rest.gpus ?? Array.from({ length: count }, (_, i) => gpu(i, {
    ...(sharing !== undefined ? { sharing } : {}), ...(product !== undefined ? { product } : {}), uuid: `${name}-gpu${i}`,
  }));
  return {
    name, gpus, links: rest.links ?? uniformLinks(gpus.length, 'NV18'), cpuMilli: 0, memoryMiB: 0, capacityType: 'on-demand',
    hourlyPrice: null, instanceType: null, clique: null, rack: null, zone: null, topologySource: 'test', ...rest,
  };
}

/** Usage with the given per-GPU holds (others empty). */
export function usage(inv: NodeInventory, held: Record<number, Partial<GpuUsage>>, host: { cpuMilli?: number; memoryMiB?: number } = {}): NodeUsage {
  return {
    gpus: inv.gpus.map((_, i) => ({ ...EMPTY_GPU_USAGE, ...(held[i] ?? {}) })),
    cpuMilli: host.cpuMilli ?? 0, memoryMiB: host.memoryMiB ?? 0,
  };
}

/** A request; defaults: one whole GPU, any model, topology any, priority 0. */
export function request(over: Partial<GpuRequest> = {}): GpuRequest {
  return {
    kind: 'whole', gpus: 1, memoryMiB: 0, computeMilli: 0, mig: [], models: null, topology: 'any', interruptible: false,
    group: null, tolerations: [], cpuMilli: 0, hostMemoryMiB: 0, priority: 0, ...over,
  };
}

/** Freezes `x` and everything reachable from it (typed arrays excepted: they cannot be frozen). */
export function deepFreeze<T>(x: T): T {
  if (x === null || typeof x !== 'object' || Object.isFrozen(x) || ArrayBuffer.isView(x)) return x;
  Object.freeze(x);
  if (x instanceof Map) for (const [k, v] of x) { deepFreeze(k); deepFreeze(v); }
  for (const v of Object.values(x as object)) deepFreeze(v);
  return x;
}
