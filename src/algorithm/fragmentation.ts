import type { GpuUsage } from '../model/allocation.js';
import type { GpuDevice } from '../model/gpu-device.js';
import { modelMatches } from '../model/gpu-product.js';
import type { MigProfile } from '../model/mig-profiles.js';
import { MIG_MEMORY_SLICES, migProducts, migProfile, migProfilesFor } from '../model/mig-profiles.js';
import { containsInstance, freeReplicas, idleUnits, isGpuEmpty, migStartsFree, shareFits } from './gpu-capacity.js';
import type { NodeState } from './node-state.js';
import type { TargetTask } from './scheduling-options.js';

/**
 * FGD's fragmentation measure (Weng et al., ATC'23; PROTOCOL §3.2), generalised to Tessera's devices.
 *
 * For a target task t and node n: if n can host t (at least t.gpus GPUs can each host t's per-GPU demand, and
 * host CPU suffices where accounted) then f_n(t) = Σ_i frag_i(t), otherwise f_n(t) = Σ_i idle_i (all idle GPU
 * share is a fragment for a task that cannot run there). F_n = Σ_t p_t f_n(t), in milli-GPU units.
 *
 * frag_i(t) for one GPU: idle_i when GPU i cannot host t's per-GPU demand (memory AND compute for shares, an
 * empty GPU for whole, a free replica, a free legal MIG placement), else 0 — except MIG, where the free memory
 * slices that no free legal placement of t's profile covers are fragments (125 units per slice) even when the
 * GPU can host one instance.
 *
 * Capacity term (Tessera's addition, weight `capacityShare`): FGD asks only whether ONE copy of t fits. The
 * capacity term asks how much of the idle GPU whole copies of t could use: per GPU the copies it can take
 * (floor of free / demand) times the idle units one copy uses, k-GPU tasks in whole groups of k, and at most
 * cpuFree / t.cpuMilli copies where the node accounts CPU (continuous, so taking CPU from a node whose GPUs
 * need it always counts). waste_n(t) = idle − usable; F_n = (1 − s)·Σ p_t f_n(t) + s·Σ p_t waste_n(t). It sees
 * the 70 milli left on a GPU with 540 free after a 470 share and the GPUs a CPU-starved node can no longer
 * serve; in the Alibaba trace replay (docs/replay.md) it cuts unallocated GPU by about a tenth against FGD.
 */
export class PreparedWorkload {
  /** Renormalised weights, summing to 1. */
  readonly p: Float64Array;
  /** Weight of the capacity term, 0..1. */
  readonly capacityShare: number;
  /** FragBase per node signature (equal states share one base); bounded by MAX_BASES. */
  private readonly bases = new Map<string, FragBase>();
  /** Whether a task's model list allows a product, per model list. */
  private readonly allowed = new WeakMap<readonly string[], Map<string, boolean>>();
  /** Idle units of each change in fragmentationDelta (a node has at most MAX_GPUS_PER_NODE GPUs). */
  readonly scratchIdle = new Float64Array(64);

  /**
   * Prepares `tasks` with capacity-term weight `capacityShare` (clamped to 0..1). Holds the memos of this
   * workload (FragBases, model checks): the EvaluationMemo owns one per options.
   */
  constructor(readonly tasks: readonly TargetTask[], capacityShare = 0) {
    const total = tasks.reduce((s, t) => s + t.weight, 0);
    const p = new Float64Array(tasks.length);
    tasks.forEach((t, i) => { p[i] = total > 0 ? t.weight / total : 0; });
    this.p = p;
    this.capacityShare = Math.min(1, Math.max(0, capacityShare));
  }

  /** `modelMatches(models, product)`, memoised per (model list, product). */
  productAllowed(models: readonly string[], product: string): boolean {
    let m = this.allowed.get(models);
    if (m === undefined) { m = new Map(); this.allowed.set(models, m); }
    let ok = m.get(product);
    if (ok === undefined) { ok = modelMatches(models, product); m.set(product, ok); }
    return ok;
  }

  /** The FragBase of `node` under this workload, memoised per node signature. */
  fragBase(node: NodeState): FragBase {
    let b = this.bases.get(node.signature);
    if (b === undefined) {
      b = computeBase(node, this);
      if (this.bases.size >= MAX_BASES) this.bases.clear();
      this.bases.set(node.signature, b);
    }
    return b;
  }
}

/** The workload `tasks` with weights renormalised (a new PreparedWorkload with empty memos). */
export function prepareWorkload(tasks: readonly TargetTask[], capacityShare = 0): PreparedWorkload {
  return new PreparedWorkload(tasks, capacityShare);
}

/**
 * Whether GPU `g` holding `u` (idle units `idle`) can host one unit of task `t`, and its fragment units for `t`.
 * `wl` memoises the model checks.
 */
export function gpuTaskFragment(g: GpuDevice, u: GpuUsage, t: TargetTask, idle: number, wl: PreparedWorkload): { hosts: boolean; frag: number } {
  const hosts = gpuTaskHosts(g, u, t, wl);
  if (!hosts) return { hosts, frag: idle };
  return { hosts, frag: t.kind === 'mig' ? migStranded(g, u, t) : 0 };
}

/** Whether GPU `g` holding `u` can host one unit of task `t` now (`wl` memoises the model checks). */
export function gpuTaskHosts(g: GpuDevice, u: GpuUsage, t: TargetTask, wl: PreparedWorkload): boolean {
  if (t.models !== undefined && t.models !== null && !wl.productAllowed(t.models, g.product)) return false;
  switch (t.kind) {
    case 'whole': return g.sharing.mode !== 'mig' && isGpuEmpty(u);
    case 'share': return shareFits(g, u, t.memoryMiB, t.computeMilli);
    case 'replica': return g.sharing.mode === 'time-sliced' && freeReplicas(g, u) > 0;
    case 'mig': {
      if (g.sharing.mode !== 'mig' || u.whole) return false;
      const profile = taskMigProfile(g.product, t);
      return profile !== null && migStartsFree(g, u, profile.name).length > 0;
    }
  }
}

/** Every MIG profile by `product#id` (the first of a product with that NVML id), built once from the static tables. */
const MIG_PROFILE_BY_ID: ReadonlyMap<string, MigProfile> = (() => {
  const byId = new Map<string, MigProfile>();
  for (const product of migProducts()) {
    for (const p of migProfilesFor(product)) if (!byId.has(`${product}#${p.id}`)) byId.set(`${product}#${p.id}`, p);
  }
  return byId;
})();

/** The MIG profile task `t` asks for on `product`: by name when the task names one, else by NVML id. */
function taskMigProfile(product: string, t: TargetTask): MigProfile | null {
  const name = t.migProfileName;
  return name !== undefined && name !== null ? migProfile(product, name) : MIG_PROFILE_BY_ID.get(`${product}#${t.migProfileId}`) ?? null;
}

/**
 * Copies of task `t`'s per-GPU demand GPU `g` can still take (`slots`) and the idle units they would use
 * (`cap`, at most the GPU's idle units), for the capacity term. 0 copies when the GPU cannot host `t`.
 */
export function gpuTaskCapacity(g: GpuDevice, u: GpuUsage, t: TargetTask, idle: number, hosts: boolean): { slots: number; cap: number } {
  if (!hosts) return { slots: 0, cap: 0 };
  switch (t.kind) {
    case 'whole': return { slots: 1, cap: idle };
    case 'share': {
      const gMem = g.memoryMiB;
      const gComp = g.computeMilli > 0 ? g.computeMilli : 1000;
      const fm = u.whole ? 0 : Math.max(0, gMem - u.memoryMiB);
      const fc = u.whole ? 0 : Math.max(0, gComp - u.computeMilli);
      let slots = Infinity;
      if (t.memoryMiB > 0) slots = Math.min(slots, Math.floor(fm / t.memoryMiB));
      if (t.computeMilli > 0) slots = Math.min(slots, Math.floor(fc / t.computeMilli));
      if (!Number.isFinite(slots)) return { slots: 1, cap: idle };
      // Idle units of one copy: the mean of its memory and compute fractions, as idleUnits counts them.
      const unit = (gMem > 0 ? (500 * t.memoryMiB) / gMem : 0) + (500 * t.computeMilli) / gComp;
      return { slots, cap: Math.min(idle, slots * unit) };
    }
    case 'replica': return { slots: freeReplicas(g, u), cap: idle };
    case 'mig': return { slots: 1, cap: Math.max(0, idle - migStranded(g, u, t)) };
  }
}

/** Capacity waste of one task on a node: idle minus what whole copies could use, GPU- and CPU-wise (≥ 0). */
function capacityWaste(t: TargetTask, hostCount: number, slotSum: number, capSum: number, idleTotal: number, cpuFree: number): number {
  let usable = capSum;
  if (t.gpus > 1) usable = hostCount > 0 ? (capSum * Math.floor(hostCount / t.gpus) * t.gpus) / hostCount : 0;
  if (t.cpuMilli > 0 && Number.isFinite(cpuFree) && slotSum > 0) {
    const perCopy = (capSum / slotSum) * Math.max(1, t.gpus);
    usable = Math.min(usable, (Math.max(0, cpuFree) / t.cpuMilli) * perCopy);
  }
  return Math.max(0, idleTotal - usable);
}

/** Free MIG memory slices that no free legal placement of the task's profile covers, in idle units (125 each). */
function migStranded(g: GpuDevice, u: GpuUsage, t: TargetTask): number {
  if (g.sharing.mode !== 'mig') return 0;
  const profile = taskMigProfile(g.product, t);
  if (profile === null) return 0;
  const starts = migStartsFree(g, u, profile.name);
  let covered = 0;
  for (const s of starts) for (let k = s; k < s + profile.memorySlices; k += 1) covered |= 1 << k;
  let free = 0;
  const layout = g.sharing.layout;
  if (layout === 'dynamic') {
    let used = 0;
    for (const m of u.mig) for (let k = m.start; k < m.start + m.size; k += 1) used |= 1 << k;
    free = ~used & ((1 << MIG_MEMORY_SLICES) - 1);
  } else {
    for (const inst of layout) {
      if (containsInstance(u.mig, inst)) continue;
      for (let k = inst.start; k < inst.start + inst.size; k += 1) free |= 1 << k;
    }
  }
  let stranded = 0;
  for (let k = 0; k < MIG_MEMORY_SLICES; k += 1) if ((free >> k) & 1 && !((covered >> k) & 1)) stranded += 1;
  return 125 * stranded;
}

/** Per-node fragmentation tables for one workload: per task how many GPUs host it and its fragment sum. */
export interface FragBase {
  readonly hostCount: Int32Array;
  readonly fragSum: Float64Array;
  /** hosts[i*T+t] (0/1) and frag[i*T+t] per GPU and task. */
  readonly hosts: Uint8Array;
  readonly frag: Float64Array;
  /** Capacity term inputs: per task Σ slots and Σ usable idle units, and the same per GPU and task. */
  readonly slotSum: Float64Array;
  readonly capSum: Float64Array;
  readonly slots: Float64Array;
  readonly cap: Float64Array;
  readonly idleTotal: number;
  /** F_n in milli-GPU units. */
  readonly value: number;
}

/** FragBases kept per workload before its memo starts afresh. */
const MAX_BASES = 50_000;

/** FragBase of `node` for `wl`, memoised in `wl` per node signature: equal states share one base. */
export function fragBase(node: NodeState, wl: PreparedWorkload): FragBase {
  return wl.fragBase(node);
}

function computeBase(node: NodeState, wl: PreparedWorkload): FragBase {
  const T = wl.tasks.length;
  const n = node.info.n;
  const hostCount = new Int32Array(T);
  const fragSum = new Float64Array(T);
  const hosts = new Uint8Array(n * T);
  const frag = new Float64Array(n * T);
  const slotSum = new Float64Array(T);
  const capSum = new Float64Array(T);
  const slots = new Float64Array(n * T);
  const cap = new Float64Array(n * T);
  const share = wl.capacityShare;
  let idleTotal = 0;
  for (let i = 0; i < n; i += 1) {
    const g = node.inventory.gpus[i];
    const u = node.usage.gpus[i];
    if (g === undefined || u === undefined) continue;
    const idle = node.idle[i] ?? 0;
    idleTotal += idle;
    for (let t = 0; t < T; t += 1) {
      const task = wl.tasks[t];
      if (task === undefined) continue;
      const r = gpuTaskFragment(g, u, task, idle, wl);
      if (r.hosts) { hosts[i * T + t] = 1; hostCount[t] = (hostCount[t] ?? 0) + 1; }
      frag[i * T + t] = r.frag;
      fragSum[t] = (fragSum[t] ?? 0) + r.frag;
      if (share > 0) {
        const c = gpuTaskCapacity(g, u, task, idle, r.hosts);
        slots[i * T + t] = c.slots;
        cap[i * T + t] = c.cap;
        slotSum[t] = (slotSum[t] ?? 0) + c.slots;
        capSum[t] = (capSum[t] ?? 0) + c.cap;
      }
    }
  }
  let fgd = 0;
  let capacity = 0;
  for (let t = 0; t < T; t += 1) {
    const task = wl.tasks[t];
    if (task === undefined) continue;
    const fits = (hostCount[t] ?? 0) >= task.gpus && node.cpuFreeMilli >= task.cpuMilli;
    fgd += (wl.p[t] ?? 0) * (fits ? (fragSum[t] ?? 0) : idleTotal);
    if (share > 0) capacity += (wl.p[t] ?? 0) * capacityWaste(task, hostCount[t] ?? 0, slotSum[t] ?? 0, capSum[t] ?? 0, idleTotal, node.cpuFreeMilli);
  }
  const value = share > 0 ? (1 - share) * fgd + share * capacity : fgd;
  return { hostCount, fragSum, hosts, frag, slotSum, capSum, slots, cap, idleTotal, value };
}

/** F_n of `node` under `wl` (milli-GPU units). */
export function nodeFragmentation(node: NodeState, wl: PreparedWorkload): number {
  return wl.fragBase(node).value;
}

/** A GPU whose usage changes, for fragmentationDelta. */
export interface GpuChange {
  readonly gpu: number;
  readonly usage: GpuUsage;
}

/**
 * F_n after applying `changes` (distinct GPU positions) and taking `cpuMilli` host CPU, minus F_n before.
 * Positive = the placement fragments the node. O(changes × tasks), no allocation.
 */
export function fragmentationDelta(node: NodeState, wl: PreparedWorkload, changes: readonly GpuChange[], cpuMilli: number): number {
  const base = wl.fragBase(node);
  const T = wl.tasks.length;
  const scratchIdle = wl.scratchIdle;
  let idleTotal = base.idleTotal;
  const nc = Math.min(changes.length, scratchIdle.length);
  for (let j = 0; j < nc; j += 1) {
    const c = changes[j];
    const g = c === undefined ? undefined : node.inventory.gpus[c.gpu];
    const v = c === undefined || g === undefined ? 0 : idleUnits(g, c.usage);
    scratchIdle[j] = v;
    if (c !== undefined && g !== undefined) idleTotal += v - (node.idle[c.gpu] ?? 0);
  }
  const cpuFree = node.cpuFreeMilli - cpuMilli;
  const share = wl.capacityShare;
  let fgd = 0;
  let capacity = 0;
  for (let t = 0; t < T; t += 1) {
    const task = wl.tasks[t];
    if (task === undefined) continue;
    let hostCount = base.hostCount[t] ?? 0;
    let fragSum = base.fragSum[t] ?? 0;
    let slotSum = base.slotSum[t] ?? 0;
    let capSum = base.capSum[t] ?? 0;
    for (let j = 0; j < nc; j += 1) {
      const c = changes[j];
      const g = c === undefined ? undefined : node.inventory.gpus[c.gpu];
      if (c === undefined || g === undefined) continue;
      const k = c.gpu * T + t;
      const hosts = gpuTaskHosts(g, c.usage, task, wl);
      const frag = hosts ? (task.kind === 'mig' ? migStranded(g, c.usage, task) : 0) : (scratchIdle[j] ?? 0);
      hostCount += (hosts ? 1 : 0) - (base.hosts[k] ?? 0);
      fragSum += frag - (base.frag[k] ?? 0);
      if (share > 0) {
        const cc = gpuTaskCapacity(g, c.usage, task, scratchIdle[j] ?? 0, hosts);
        slotSum += cc.slots - (base.slots[k] ?? 0);
        capSum += cc.cap - (base.cap[k] ?? 0);
      }
    }
    const fits = hostCount >= task.gpus && cpuFree >= task.cpuMilli;
    fgd += (wl.p[t] ?? 0) * (fits ? fragSum : idleTotal);
    if (share > 0) capacity += (wl.p[t] ?? 0) * capacityWaste(task, hostCount, slotSum, capSum, idleTotal, cpuFree);
  }
  const after = share > 0 ? (1 - share) * fgd + share * capacity : fgd;
  return after - base.value;
}
