import type { NodeInventory } from '../../model/node-inventory.js';
import type { Allocation, NodeUsage } from '../../model/allocation.js';
import { makeNodeState } from '../../algorithm/node-state.js';
import { reserve } from '../../algorithm/reserve.js';
import { gpuAffinityTag } from '../../algorithm/baselines/gpu-clustering.js';
import type { TracePod } from './load-trace.js';
import type { ReplayNode, ReplayPod, ReplayPolicy } from './replay-policy.js';
import { tracePodRequest } from './trace-to-model.js';
import type { SeededRng } from './seeded-rng.js';

/** Per-pod log of one replay: arrived and allocated milli-GPU after each pod (failed pods count as arrived). */
export interface ReplayLog {
  readonly policy: string;
  readonly arrivedMilli: Float64Array;
  readonly usedMilli: Float64Array;
  readonly capacityMilli: number;
  readonly failed: number;
  /** Final state, for scenario metrics. */
  readonly nodes: readonly ReplayNode[];
  /** For each pod in arrival order, the node position it went to or −1. */
  readonly placement: Int32Array;
}

interface ClassCache { scores: Float64Array; stamps: Int32Array }

function demandKey(p: TracePod): string {
  return `${p.cpuMilli}|${p.gpuMilli}|${p.gpuCount}|${p.gpuSpec}|${p.interruptible === true ? 1 : 0}|${p.topology ?? 'any'}`;
}

/**
 * Replays `pods` in order onto `inventories` (already in this seed's random node order) under `policy`
 * (PROTOCOL §5.5): filter, integer score, argmax with ties to the lowest position (or a uniform feasible
 * node for Random), place, drop failures; no departures.
 *
 * Speed: scores are cached per pod class (demand without host memory) and node version, so after each
 * placement only the changed node is rescored for the classes that arrive later.
 */
export function replayRun(
  inventories: readonly NodeInventory[],
  usages: readonly (NodeUsage | undefined)[],
  pods: readonly TracePod[],
  policy: ReplayPolicy,
  rng: SeededRng,
  onProgress?: (done: number) => void,
  onPlace?: (k: number, pod: ReplayPod, node: ReplayNode, alloc: Allocation, nodes: readonly ReplayNode[]) => void,
): ReplayLog {
  const n = inventories.length;
  const nodes: ReplayNode[] = inventories.map((inv, position) => {
    const state = makeNodeState(inv, usages[position]);
    const usage = state.usage;
    return {
      position,
      inventory: inv,
      state,
      free: {
        model: inv.gpus[0]?.product ?? '',
        cpuLeft: inv.cpuMilli - usage.cpuMilli,
        memLeft: inv.memoryMiB - usage.memoryMiB,
        gpuLeft: inv.gpus.map((g, i) => g.computeMilli - usage.gpus[i]!.computeMilli),
        tags: new Set<string>(),
      },
      version: 0,
    };
  });
  const memLeft = new Float64Array(n);
  const version = new Int32Array(n);
  nodes.forEach((node, i) => { memLeft[i] = node.free.memLeft; });
  let capacityMilli = 0;
  for (const inv of inventories) for (const g of inv.gpus) capacityMilli += g.computeMilli;

  const caches = new Map<string, ClassCache>();
  const classes = new Map<string, ReplayPod>();
  const arrivedMilli = new Float64Array(pods.length);
  const usedMilli = new Float64Array(pods.length);
  const placement = new Int32Array(pods.length).fill(-1);
  let arrived = 0;
  let used = 0;
  let failed = 0;
  const rand = (): number => rng.next();
  let generation = policy.generation?.() ?? 0;
  let ranks: Float64Array | null = null;

  for (let k = 0; k < pods.length; k++) {
    const pod = pods[k]!;
    const key = demandKey(pod);
    let cache = caches.get(key);
    if (!cache) {
      cache = { scores: new Float64Array(n), stamps: new Int32Array(n).fill(-1) };
      caches.set(key, cache);
      classes.set(key, {
        demand: { cpuMilli: pod.cpuMilli, memoryMiB: 0, gpuMilli: pod.gpuMilli, gpuCount: pod.gpuCount, models: pod.gpuSpec === '' ? null : pod.gpuSpec.split('|') },
        request: { ...tracePodRequest(pod), hostMemoryMiB: 0 },
      });
    }
    const cls = classes.get(key)!;
    policy.arrive?.(cls);
    policy.startPod?.(cls);
    const now = policy.generation?.() ?? 0;
    if (now !== generation) {
      // Scores of unchanged nodes no longer hold (e.g. a re-published workload): score everything afresh.
      generation = now;
      for (const c of caches.values()) c.stamps.fill(-1);
    }
    const { scores, stamps } = cache;
    const mem = pod.memoryMiB;
    let chosen = -1;
    if (policy.pick === 'custom') {
      ranks ??= new Float64Array(n);
      for (let i = 0; i < n; i++) {
        if (stamps[i] !== version[i]) {
          scores[i] = policy.score(cls, nodes[i]!);
          stamps[i] = version[i]!;
        }
        ranks[i] = scores[i]! >= 0 && memLeft[i]! >= mem ? scores[i]! : NaN;
      }
      const full: ReplayPod = mem === 0 ? cls : { demand: { ...cls.demand, memoryMiB: mem }, request: { ...cls.request, hostMemoryMiB: mem } };
      chosen = policy.choose!(full, ranks, nodes, rng);
    } else if (policy.pick === 'argmax') {
      let best = -1;
      for (let i = 0; i < n; i++) {
        if (stamps[i] !== version[i]) {
          scores[i] = policy.score(cls, nodes[i]!);
          stamps[i] = version[i]!;
        }
        const s = scores[i]!;
        if (s > best && memLeft[i]! >= mem) { best = s; chosen = i; }
      }
    } else {
      let count = 0;
      for (let i = 0; i < n; i++) {
        if (stamps[i] !== version[i]) {
          scores[i] = policy.score(cls, nodes[i]!);
          stamps[i] = version[i]!;
        }
        if (scores[i]! >= 0 && memLeft[i]! >= mem) count++;
      }
      if (count > 0) {
        let r = rng.intn(count);
        for (let i = 0; i < n; i++) {
          if (scores[i]! >= 0 && memLeft[i]! >= mem && r-- === 0) { chosen = i; break; }
        }
      }
    }
    arrived += pod.gpuCount * pod.gpuMilli;
    if (chosen >= 0) {
      const node = nodes[chosen]!;
      const full: ReplayPod = mem === 0 ? cls : { demand: { ...cls.demand, memoryMiB: mem }, request: { ...cls.request, hostMemoryMiB: mem } };
      const alloc = policy.place(full, node, rand);
      if (alloc) {
        onPlace?.(k, full, node, alloc, nodes);
        const r = reserve(node.state, alloc);
        if (r.status.code !== 'success') throw new Error(`bug: policy "${policy.name}" placed pod "${pod.name}" where it does not fit: ${r.status.reason}`);
        node.state = r.node;
        const u = r.node.usage;
        const f = node.free;
        f.cpuLeft = node.inventory.cpuMilli - u.cpuMilli;
        f.memLeft = node.inventory.memoryMiB - u.memoryMiB;
        node.inventory.gpus.forEach((g, i) => { f.gpuLeft[i] = g.computeMilli - u.gpus[i]!.computeMilli; });
        const tag = gpuAffinityTag(cls.demand);
        if (tag !== 'no-gpu') f.tags.add(tag);
        node.version++;
        version[chosen] = node.version;
        memLeft[chosen] = f.memLeft;
        used += pod.gpuCount * pod.gpuMilli;
        placement[k] = chosen;
      } else {
        failed++;
      }
    } else {
      failed++;
    }
    arrivedMilli[k] = arrived;
    usedMilli[k] = used;
    if (onProgress && (k & 255) === 0) onProgress(k);
  }
  return { policy: policy.name, arrivedMilli, usedMilli, capacityMilli, failed, nodes, placement };
}
