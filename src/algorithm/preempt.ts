import type { Allocation } from '../model/allocation.js';
import type { GpuRequest } from '../model/gpu-request.js';
import type { CycleState } from './cycle-state.js';
import { cycleFor } from './cycle-state.js';
import { evaluateNode } from './evaluate-node.js';
import type { NodeState } from './node-state.js';
import { placeOnNode } from './place.js';
import { unreserve } from './reserve.js';

/** A pod running on the node, as preemption sees it. */
export interface RunningPod {
  readonly uid: string;
  readonly priority: number;
  readonly allocation: Allocation;
  /**
   * True when evicting this pod would break a PodDisruptionBudget (the caller decides from the budgets); such
   * pods are chosen only when no set without them frees enough, and then counted in `pdbViolations`.
   */
  readonly pdbProtected?: boolean;
}

/**
 * What evicting a set of pods costs, compared field by field (lower is better): PodDisruptionBudget
 * violations, then the number of pods, then the highest victim priority, then the sum of priorities. Fewest
 * first is what the issue asks ("the fewest, lowest-priority pods"); kube-scheduler's own node choice puts the
 * highest priority before the count (docs/algorithm.md, "Preemption").
 */
export interface VictimCost {
  readonly pdbViolations: number;
  readonly count: number;
  readonly maxPriority: number;
  readonly prioritySum: number;
}

/** The pods to evict on one node, highest priority first (kube-scheduler's order), and where the pod then goes. */
export interface VictimChoice {
  readonly victims: readonly string[];
  readonly allocation: Allocation;
  readonly cost: VictimCost;
  /** True when the search proved no cheaper set exists (false: it hit its trial budget and fell back). */
  readonly exact: boolean;
}

/** Trial placements one node's search may make before it falls back to kube-scheduler's reprieve loop. */
export const VICTIM_SEARCH_BUDGET = 4000;

/** Negative when `a` costs less than `b`. */
export function compareVictimCost(a: VictimCost, b: VictimCost): number {
  return a.pdbViolations - b.pdbViolations || a.count - b.count || a.maxPriority - b.maxPriority || a.prioritySum - b.prioritySum;
}

/** The cost of evicting `pods`. */
export function victimCost(pods: readonly RunningPod[]): VictimCost {
  let maxPriority = -Infinity;
  let prioritySum = 0;
  let pdbViolations = 0;
  for (const p of pods) {
    if (p.priority > maxPriority) maxPriority = p.priority;
    prioritySum += p.priority;
    if (p.pdbProtected === true) pdbViolations += 1;
  }
  return { pdbViolations, count: pods.length, maxPriority: pods.length === 0 ? 0 : maxPriority, prioritySum };
}

/**
 * The cheapest set of pods below the pod's priority whose removal from `node` lets `req` fit (see VictimCost),
 * and where it would go; null when no such set helps or when the pod fits with no victim at all. Works for
 * every kind alike (whole GPUs, memory/compute shares, time-slice replicas, MIG slices), since it asks the
 * placement itself whether the pod fits: two small shares on one GPU can be enough.
 *
 * Exact: sets with no PDB violation are tried first, then with one, then two protected pods; within that, by
 * size, and within a size by highest then summed priority. A pod that takes one GPU is searched GPU by GPU (its
 * cheapest set lies on one GPU), which keeps nodes full of small shares cheap. Past `budget` trial placements (or when more than
 * two protected pods would be needed) it falls back to kube-scheduler's reprieve loop (remove every candidate,
 * then give back the protected pods, then the most important others that are not needed), which is minimal
 * but not always minimum (`exact` false).
 */
export function selectVictims(req: GpuRequest, node: NodeState, pods: readonly RunningPod[], cycle: CycleState, budget = VICTIM_SEARCH_BUDGET):
  VictimChoice | null {
  const c = cycleFor(req, cycle);
  const name = node.inventory.name;
  const all = pods.filter((p) => p.priority < req.priority && p.allocation.node === name).sort(byImportance);
  if (all.length === 0) return null;
  let trials = 0;
  const fits = (victims: readonly RunningPod[]): boolean => {
    trials += 1;
    return evaluateNode(without(node, victims), c).status.code === 'success';
  };
  if (evaluateNode(node, c).status.code === 'success') return null;
  if (!fits(all)) return null;
  let found: FoundSet | null = null;
  if (usesOneGpu(req) && req.cpuMilli <= node.cpuFreeMilli && req.hostMemoryMiB <= node.memoryFreeMiB) {
    // The pod takes one GPU and its host CPU and memory are free already, so its fit depends on that GPU's pods
    // only: the cheapest set lies on one GPU. Search each GPU's pods alone (a few each), not every subset.
    for (let g = 0; g < node.inventory.gpus.length; g += 1) {
      const onGpu = all.filter((p) => p.allocation.devices.some((d) => d.gpuIndex === g));
      if (onGpu.length === 0 || !fits(onGpu)) continue;
      trials = 0;
      const r = cheapestWithBudgets(onGpu, fits, () => trials < budget);
      if (r !== null && (found === null || compareVictimCost(r.cost, found.cost) < 0 || (compareVictimCost(r.cost, found.cost) === 0 && !found.exact))) {
        found = r;
      }
    }
  }
  if (found === null) {
    trials = 0;
    found = cheapestWithBudgets(all, fits, () => trials < budget);
  }
  const chosen = found?.set ?? reprieve(all, fits);
  const allocation = placeOnNode(req, without(node, chosen), c).allocation;
  if (allocation === null) return null;
  const victims = [...chosen].sort((a, b) => -byImportance(a, b));
  return { victims: victims.map((v) => v.uid), allocation, cost: victimCost(victims), exact: found?.exact === true };
}

/** True when the pod's devices are on one GPU (one whole GPU, one share, one replica, one MIG instance). */
function usesOneGpu(req: GpuRequest): boolean {
  if (req.kind === 'mig') return req.mig.reduce((n, m) => n + m.count, 0) === 1;
  return req.gpus <= 1;
}

/**
 * The cheapest set of `all` (sorted cheapest first) that fits: sets with no PDB violation first, then with one,
 * then two protected pods (each protected set tried cheapest first); null when none is found within `more()`.
 */
function cheapestWithBudgets(all: readonly RunningPod[], fits: (v: readonly RunningPod[]) => boolean, more: () => boolean): FoundSet | null {
  const free = all.filter((p) => p.pdbProtected !== true);
  const guarded = all.filter((p) => p.pdbProtected === true);
  const search: { found: FoundSet | null } = { found: null };
  for (let v = 0; v <= Math.min(MAX_EXACT_VIOLATIONS, guarded.length) && search.found === null; v += 1) {
    let exact = true;
    subsetsOf(guarded, guarded.length, v, (mandatory) => {
      if (!more()) {
        exact = false;
        return 'stop';
      }
      if (!fits([...free, ...mandatory])) return 'skip';
      const best = cheapestSet(free, mandatory, fits, more);
      if (best === null) {
        exact = false;
        return 'stop';
      }
      const set = [...best.set, ...mandatory];
      const cost = victimCost(set);
      // exact stays per level: any level cut short by the budget marks the result approximate.
      if (!best.exact) exact = false;
      if (search.found === null || compareVictimCost(cost, search.found.cost) < 0) search.found = { set, cost, exact: true };
      return 'skip';
    });
    const level = search.found as FoundSet | null;
    if (level !== null) level.exact = exact;
    else if (!exact) break;
  }
  return search.found;
}

/** A victim set found by the exact search. */
interface FoundSet {
  set: RunningPod[];
  cost: VictimCost;
  exact: boolean;
}

/** Protected pods an exact search may take at once; beyond, the reprieve loop decides. */
const MAX_EXACT_VIOLATIONS = 2;

/** `node` with `victims`' devices released. */
function without(node: NodeState, victims: readonly RunningPod[]): NodeState {
  let s = node;
  for (const v of victims) s = unreserve(s, v.allocation);
  return s;
}

/** Ascending priority, then uid: the order victims are considered in (cheapest first). */
function byImportance(a: RunningPod, b: RunningPod): number {
  return a.priority - b.priority || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0);
}

/**
 * The minimum-cost subset of `pool` (sorted cheapest first) that fits together with `base`, searching sizes 0
 * (only when `base` is not empty), 1, 2, ... and, per size, every subset by its most important member; null
 * when `more()` turns false before any set of the smallest working size is found.
 */
function cheapestSet(pool: readonly RunningPod[], base: readonly RunningPod[], fits: (v: readonly RunningPod[]) => boolean, more: () => boolean):
  { set: RunningPod[]; exact: boolean } | null {
  if (base.length > 0 && fits(base)) return { set: [], exact: true };
  for (let k = 1; k <= pool.length; k += 1) {
    const found: { best: { set: RunningPod[]; cost: VictimCost } | null } = { best: null };
    // The subset's most important member is pool[top]; the rest come from pool[0..top).
    for (let top = k - 1; top < pool.length; top += 1) {
      const head = pool[top] as RunningPod;
      if (found.best !== null && head.priority > found.best.cost.maxPriority) break;
      const outcome = subsetsOf(pool, top, k - 1, (rest) => {
        const set = [...rest, head];
        const cost = victimCost([...set, ...base]);
        if (found.best !== null && compareVictimCost(cost, found.best.cost) >= 0) return 'skip';
        if (!more()) return 'stop';
        if (fits([...set, ...base])) found.best = { set, cost };
        return 'skip';
      });
      // Out of budget: the size is minimum and so is the highest priority (tops go up), the sum may not be.
      if (outcome === 'stop') return found.best === null ? null : { set: found.best.set, exact: false };
    }
    if (found.best !== null) return { set: found.best.set, exact: true };
  }
  return null;
}

/**
 * Calls `visit` with every `size`-subset of pool[0..end) in lexicographic order of positions; stops early when
 * `visit` answers 'stop' (and returns 'stop').
 */
function subsetsOf(pool: readonly RunningPod[], end: number, size: number, visit: (set: RunningPod[]) => 'skip' | 'stop'): 'done' | 'stop' {
  const idx = Array.from({ length: size }, (_, i) => i);
  if (size > end) return 'done';
  for (;;) {
    if (visit(idx.map((i) => pool[i] as RunningPod)) === 'stop') return 'stop';
    let i = size - 1;
    while (i >= 0 && (idx[i] as number) === end - size + i) i -= 1;
    if (i < 0) return 'done';
    idx[i] = (idx[i] as number) + 1;
    for (let j = i + 1; j < size; j += 1) idx[j] = (idx[j - 1] as number) + 1;
  }
}

/** kube-scheduler's reprieve: remove all of `pool`, then give back the most important pods the pod does not need. */
function reprieve(pool: readonly RunningPod[], fits: (v: readonly RunningPod[]) => boolean): RunningPod[] {
  const victims = [...pool];
  // As kube-scheduler: PDB-protected pods are given back first, then the others, most important first.
  const order = [...pool.filter((p) => p.pdbProtected !== true), ...pool.filter((p) => p.pdbProtected === true)];
  for (let i = order.length - 1; i >= 0; i -= 1) {
    const v = order[i] as RunningPod;
    const trial = victims.filter((x) => x !== v);
    if (fits(trial)) victims.splice(victims.indexOf(v), 1);
  }
  return victims;
}
