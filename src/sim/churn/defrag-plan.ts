import type { NodeFree, PodDemand } from '../../algorithm/baselines/baseline-policy.js';
import { MILLI } from '../../algorithm/baselines/baseline-policy.js';
import { fitsNode, modelAccessible } from '../../algorithm/baselines/feasible.js';
import { setQuality } from '../../algorithm/gpu-sets.js';
import type { InventoryInfo } from '../../algorithm/inventory-info.js';
import { popcount } from '../../algorithm/inventory-info.js';

/** A pod running on a node, as the planner sees it. */
export interface DefragPodView {
  readonly id: number;
  readonly demand: PodDemand;
  /** GPU positions it holds on its node. */
  readonly devices: readonly number[];
  /** Only interruptible pods may be moved. */
  readonly interruptible: boolean;
}

/** A node: its free resources, link facts and the pods on it. */
export interface DefragNodeView {
  readonly free: NodeFree;
  readonly info: InventoryInfo;
  readonly pods: readonly DefragPodView[];
}

/** The cluster as the planner sees it (nodes in the scheduler's order). */
export interface DefragView {
  readonly nodes: readonly DefragNodeView[];
}

/** Move `pod` (an id) to node `to` (an index in the view). */
export interface DefragMove {
  readonly pod: number;
  readonly to: number;
}

/** Which GPUs of which node to free, and the moves that free them. */
export interface DefragPlan {
  readonly node: number;
  /** The freed GPU positions: a whole GPU, or one of the node's best-connected sets (an NVLink island when it has one). */
  readonly gpus: readonly number[];
  readonly moves: readonly DefragMove[];
}

/** Nodes with more GPUs than this are not searched (set enumeration is 2^n; trace nodes have at most 8). */
const MAX_SEARCHED_GPUS = 16;
/** Best-connected sets kept before the memo starts afresh. */
const MAX_MEMO = 10_000;

/** bestConnectedSets results by link matrix and set size; owned by the caller (one per replay), bounded. */
export type IslandMemo = Map<string, number[]>;

/** The node's best-connected sets of `k` GPUs (every k-subset of the highest mean link quality), memoised in `memo`. */
export function bestConnectedSets(info: InventoryInfo, k: number, memo: IslandMemo = new Map()): number[] {
  const key = `${info.linkKey}|${k}`;
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  let best = -1;
  let sets: number[] = [];
  for (let mask = 1; mask < 1 << info.n; mask++) {
    if (popcount(mask) !== k) continue;
    const q = setQuality(info, mask);
    if (q > best + 1e-9) { best = q; sets = [mask]; } else if (q > best - 1e-9) sets.push(mask);
  }
  if (memo.size > MAX_MEMO) memo.clear();
  memo.set(key, sets);
  return sets;
}

interface Candidate {
  readonly node: number;
  readonly mask: number;
  readonly movers: readonly DefragPodView[];
  readonly movedMilli: number;
}

/**
 * Names the fewest interruptible pods whose move frees, for a waiting whole-GPU pod, a whole GPU (1-GPU pods) or
 * one of a node's best-connected sets of k GPUs (an NVLink island where the node has one), with every moved pod
 * fitting elsewhere in the cluster at once (another node, or the same node's other GPUs). Among plans with as
 * few moves, it moves the least GPU milli, then takes the lowest node and set. Returns null when no plan exists
 * or the pod is not a whole-GPU pod (shares need room, not a free GPU). Pure apart from `memo` (the caller's);
 * `view` is not changed.
 *
 * A move is a restart elsewhere; the planner only checks that a place exists (first fit in node order, best fit
 * among a node's GPUs), the scheduler then places the moved pods as it places any pod.
 */
export function planDefrag(pod: PodDemand, view: DefragView, memo: IslandMemo = new Map()): DefragPlan | null {
  const k = pod.gpuCount;
  if (k < 1 || pod.gpuMilli < MILLI) return null;
  const candidates: Candidate[] = [];
  view.nodes.forEach((node, i) => {
    const f = node.free;
    if (f.gpuLeft.length < k || f.gpuLeft.length > MAX_SEARCHED_GPUS || !modelAccessible(pod, f.model)) return;
    for (const mask of bestConnectedSets(node.info, k, memo)) {
      const movers = node.pods.filter((p) => p.devices.some((g) => ((mask >> g) & 1) === 1));
      if (movers.length === 0 || movers.some((p) => !p.interruptible)) continue;
      const cpu = movers.reduce((s, p) => s + p.demand.cpuMilli, 0);
      const mem = movers.reduce((s, p) => s + p.demand.memoryMiB, 0);
      if (f.cpuLeft + cpu < pod.cpuMilli || f.memLeft + mem < pod.memoryMiB) continue;
      const movedMilli = movers.reduce((s, p) => s + p.demand.gpuCount * p.demand.gpuMilli, 0);
      candidates.push({ node: i, mask, movers, movedMilli });
    }
  });
  candidates.sort((a, b) => a.movers.length - b.movers.length || a.movedMilli - b.movedMilli || a.node - b.node || a.mask - b.mask);
  for (const c of candidates) {
    const moves = placeMovers(pod, c, view);
    if (moves !== null) {
      const gpus: number[] = [];
      for (let g = 0; g < 32; g++) if (((c.mask >> g) & 1) === 1) gpus.push(g);
      return { node: c.node, gpus, moves };
    }
  }
  return null;
}

type Scratch = { model: string; cpuLeft: number; memLeft: number; gpuLeft: number[]; tags: ReadonlySet<string> };

/** Where each mover goes (largest first), or null when one fits nowhere; the target node keeps `c.mask` for the pod. */
function placeMovers(pod: PodDemand, c: Candidate, view: DefragView): DefragMove[] | null {
  const scratch = new Map<number, Scratch>();
  const get = (i: number): Scratch => {
    let s = scratch.get(i);
    if (s === undefined) {
      const f = view.nodes[i]!.free;
      s = { model: f.model, cpuLeft: f.cpuLeft, memLeft: f.memLeft, gpuLeft: [...f.gpuLeft], tags: f.tags };
      scratch.set(i, s);
    }
    return s;
  };
  // The target node after the movers leave and the waiting pod takes the freed set.
  const target = get(c.node);
  for (const p of c.movers) {
    target.cpuLeft += p.demand.cpuMilli;
    target.memLeft += p.demand.memoryMiB;
    for (const g of p.devices) target.gpuLeft[g]! += p.demand.gpuMilli;
  }
  target.cpuLeft -= pod.cpuMilli;
  target.memLeft -= pod.memoryMiB;
  for (let g = 0; g < target.gpuLeft.length; g++) if (((c.mask >> g) & 1) === 1) target.gpuLeft[g] = 0;
  const moves: DefragMove[] = [];
  const order = [...c.movers].sort((a, b) => b.demand.gpuCount * b.demand.gpuMilli - a.demand.gpuCount * a.demand.gpuMilli || a.id - b.id);
  for (const p of order) {
    let placed = false;
    for (let i = 0; i < view.nodes.length && !placed; i++) {
      const s = scratch.get(i) ?? view.nodes[i]!.free;
      if (!fitsNode(p.demand, s as NodeFree)) continue;
      const w = get(i);
      w.cpuLeft -= p.demand.cpuMilli;
      w.memLeft -= p.demand.memoryMiB;
      takeGpus(w.gpuLeft, p.demand);
      moves.push({ pod: p.id, to: i });
      placed = true;
    }
    if (!placed) return null;
  }
  return moves;
}

/** Takes the pod's GPUs on a scratch node: the lowest free whole GPUs, or the tightest GPU for a share. */
function takeGpus(gpuLeft: number[], d: PodDemand): void {
  if (d.gpuCount === 0) return;
  if (d.gpuMilli >= MILLI) {
    let need = d.gpuCount;
    for (let g = 0; g < gpuLeft.length && need > 0; g++) if (gpuLeft[g] === MILLI) { gpuLeft[g] = 0; need--; }
    return;
  }
  let best = -1;
  for (let g = 0; g < gpuLeft.length; g++) if (gpuLeft[g]! >= d.gpuMilli && (best < 0 || gpuLeft[g]! < gpuLeft[best]!)) best = g;
  if (best >= 0) gpuLeft[best]! -= d.gpuMilli;
}
