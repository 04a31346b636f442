import type { GpuUsage, NodeUsage } from '../model/allocation.js';
import type { NodeInventory } from '../model/node-inventory.js';
import {
  EMPTY_GPU_USAGE, freeComputeMilli, freeMemoryMiB, freeReplicas, idleUnits, isGpuEmpty, migUsedSlices,
} from './gpu-capacity.js';
import type { InventoryInfo } from './inventory-info.js';
import { inventoryInfo, maxClique, popcount } from './inventory-info.js';

/**
 * A node as the algorithm sees it: inventory, what is held, and summaries precomputed once so that most
 * nodes are accepted or rejected in O(1) per pod. Immutable; reserve/unreserve return a new NodeState.
 */
export interface NodeState {
  readonly inventory: NodeInventory;
  readonly usage: NodeUsage;
  /** Per-inventory facts (links, masks), computed with the node's first state and shared by its later states. */
  readonly info: InventoryInfo;
  /** Whole-able GPUs (not MIG) with nothing held. */
  readonly freeWholeMask: number;
  readonly freeWholeCount: number;
  /** Largest set of free whole-able GPUs that are pairwise NV-linked (1 when GPUs are free but unlinked). */
  readonly largestFreeNvIsland: number;
  /** Largest free memory (MiB) and, separately, compute (milli) on any fractional GPU: upper bounds. */
  readonly shareMaxFreeMemoryMiB: number;
  readonly shareMaxFreeComputeMilli: number;
  /** Time-sliced GPUs with at least one free replica. */
  readonly replicaFreeMask: number;
  /** Free MIG memory slices over all MIG GPUs. */
  readonly migFreeSlices: number;
  /** Free host CPU (milli) and memory (MiB); Infinity when the node does not account them. */
  readonly cpuFreeMilli: number;
  readonly memoryFreeMiB: number;
  /** Idle milli-GPU units per GPU (see idleUnits) and their complement summed: held units. */
  readonly idle: Float64Array;
  readonly usedUnits: number;
  /** True when any GPU holds anything. */
  readonly anyUsed: boolean;
  /** Per GPU: a key of its usage; GPUs of one node with equal keys and equal devices behave the same. */
  readonly gpuKeys: readonly string[];
  /**
   * Inventory structure hash + usage: nodes with equal signatures get equal filter results and plans, so
   * evaluations are shared between them (and across cycles) by this key.
   */
  readonly signature: string;
  /** Hot copies of inventory facts, so the per-pod scan touches only this object: spot node, price per GPU. */
  readonly spot: boolean;
  readonly pricePerGpu: number | null;
  /** Number of fractional GPUs. */
  readonly fractionalCount: number;
}

function usageKey(u: GpuUsage): string {
  if (u.whole) return 'W';
  const mig = u.mig.length === 0 ? '' : u.mig.map((m) => `${m.profile}@${m.start}`).join('+');
  return `${u.memoryMiB},${u.computeMilli},${u.replicas},${mig}`;
}

/** The key of an idle GPU, made once and shared: most GPUs of a large fleet are idle (one string per GPU otherwise). */
const EMPTY_GPU_KEY = usageKey(EMPTY_GPU_USAGE);

function gpuKey(u: GpuUsage): string {
  return u === EMPTY_GPU_USAGE ? EMPTY_GPU_KEY : usageKey(u);
}

/** The per-GPU parts of a NodeState with nothing held: equal for every node of one structure, so they can be shared. */
export interface IdleStateParts {
  readonly usage: NodeUsage;
  readonly idle: Float64Array;
  readonly gpuKeys: readonly string[];
  readonly signature: string;
}

/** The parts of `state` that `makeNodeState` can share between idle nodes (`state` must hold nothing). */
export function idleStateParts(state: NodeState): IdleStateParts {
  return { usage: state.usage, idle: state.idle, gpuKeys: state.gpuKeys, signature: state.signature };
}

/**
 * Builds a NodeState; `usage` defaults to nothing held. GPUs missing from `usage.gpus` count as empty. `info`
 * must be `inventoryInfo(inventory)`: pass the one a previous state of the same inventory carries (computed
 * here when absent). `shared` (used only when `usage` is absent) must be `idleStateParts` of an idle state of an
 * inventory with the same `inventoryInfoKey`: the new state then carries those objects instead of equal copies.
 */
export function makeNodeState(inventory: NodeInventory, usage?: NodeUsage, info: InventoryInfo = inventoryInfo(inventory), shared?: IdleStateParts): NodeState {
  const reuse = usage === undefined ? shared : undefined;
  const n = info.n;
  const gpus: GpuUsage[] = [];
  for (let i = 0; i < inventory.gpus.length; i += 1) gpus.push(usage?.gpus[i] ?? EMPTY_GPU_USAGE);
  const u: NodeUsage = usage !== undefined && usage.gpus.length === inventory.gpus.length
    ? usage
    : { gpus, cpuMilli: usage?.cpuMilli ?? 0, memoryMiB: usage?.memoryMiB ?? 0 };
  let freeWholeMask = 0; let replicaFreeMask = 0;
  let shareMem = 0; let shareComp = 0; let migFree = 0; let used = 0; let anyUsed = false;
  const idle = new Float64Array(n);
  const gpuKeys: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const g = inventory.gpus[i];
    const gu = gpus[i];
    if (g === undefined || gu === undefined) continue;
    const bit = 1 << i;
    const empty = isGpuEmpty(gu);
    if (!empty) anyUsed = true;
    if (empty && (info.wholeableMask & bit) !== 0) freeWholeMask |= bit;
    if (g.sharing.mode === 'fractional' && !gu.whole) {
      shareMem = Math.max(shareMem, freeMemoryMiB(g, gu));
      shareComp = Math.max(shareComp, freeComputeMilli(g, gu));
    } else if (g.sharing.mode === 'time-sliced') {
      if (freeReplicas(g, gu) > 0) replicaFreeMask |= bit;
    } else if (g.sharing.mode === 'mig') {
      migFree += g.sharing.layout === 'dynamic' ? Math.max(0, 8 - migUsedSlices(gu.mig)) : idleUnits(g, gu) / 125;
    }
    gpuKeys.push(gpuKey(gu));
    const v = idleUnits(g, gu);
    idle[i] = v;
    used += 1000 - v;
  }
  const signature = `${info.structureHash}|${inventory.cpuMilli > 0 ? u.cpuMilli : 0}|${inventory.memoryMiB > 0 ? u.memoryMiB : 0}|${gpuKeys.join('|')}`;
  return {
    inventory, usage: reuse?.usage ?? u, info, freeWholeMask, freeWholeCount: popcount(freeWholeMask),
    largestFreeNvIsland: maxClique(info.nvAdj, freeWholeMask),
    shareMaxFreeMemoryMiB: shareMem, shareMaxFreeComputeMilli: shareComp, replicaFreeMask, migFreeSlices: migFree,
    cpuFreeMilli: inventory.cpuMilli > 0 ? inventory.cpuMilli - u.cpuMilli : Infinity,
    memoryFreeMiB: inventory.memoryMiB > 0 ? inventory.memoryMiB - u.memoryMiB : Infinity,
    idle: reuse?.idle ?? idle, usedUnits: used, anyUsed, gpuKeys: reuse?.gpuKeys ?? gpuKeys,
    signature: reuse?.signature ?? signature,
    spot: inventory.capacityType === 'spot',
    pricePerGpu: inventory.hourlyPrice === null || n === 0 || !Number.isFinite(inventory.hourlyPrice) ? null : inventory.hourlyPrice / n,
    fractionalCount: popcount(info.fractionalMask),
  };
}
