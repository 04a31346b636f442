import type { DeviceAssignment, GpuUsage } from '../model/allocation.js';
import type { GpuDevice, MigInstance } from '../model/gpu-device.js';
import type { GpuRequest } from '../model/gpu-request.js';
import { modelMatches } from '../model/gpu-product.js';
import { toleratesDeviceTaints, untoleratedTaints } from '../model/device-taints.js';
import { migProfile } from '../model/mig-profiles.js';
import type { CycleState, NodeEvaluation, PlannedDevice } from './cycle-state.js';
import type { GpuChange } from './fragmentation.js';
import { fragmentationDelta } from './fragmentation.js';
import {
  EMPTY_GPU_USAGE, freeComputeMilli, freeMemoryMiB, freeReplicas, idleUnits, migStartsFree, migUsedSlices, replicaCapacity,
  shareFits,
} from './gpu-capacity.js';
import { bestGpuSet, largestSatisfyingSet, remainderValue, setQuality } from './gpu-sets.js';
import { maxClique, popcount } from './inventory-info.js';
import { idleLevel, shareSteps, shareValue } from './packing-value.js';
import type { NodeState } from './node-state.js';
import type { Status } from './status.js';
import { SUCCESS, unresolvable, unschedulable } from './status.js';
import { addAssignment } from './usage-math.js';
import { clampPart, fragmentationPart as fragmentationPartOf, packingPart as packingPartOf } from './score-parts.js';

/** Evaluates `node` for the cycle's pod once (memoised in the cycle): status, planned devices, score inputs. */
export function evaluateNode(node: NodeState, cycle: CycleState): NodeEvaluation {
  let e = cycle.evaluations.get(node.signature);
  if (e === undefined) {
    e = withParts(computeEvaluation(cycle.req, node, cycle), node, cycle);
    cycle.evaluations.set(node.signature, e);
    cycle.memo.noteAdded();
  }
  return e;
}

/** Adds the signature-determined score parts (fragmentation, packing, topology) to an evaluation. */
function withParts(e: NodeEvaluation, node: NodeState, cycle: CycleState): NodeEvaluation {
  if (e.status.code !== 'success') return e;
  const w = cycle.options.weights;
  const fragmentationPart = fragmentationPartOf(e.fragDelta, cycle.options.fragmentationScale);
  const packingPart = packingPartOf(node, cycle.req, e.units);
  const total = w.fragmentation + w.packing + w.topology + w.cost + w.spot + w.groupLocality;
  const penalty = (cycle.options.valueLossPenalty ?? 0) * e.valueLoss * total;
  const partial = w.fragmentation * fragmentationPart + w.packing * packingPart + w.topology * clampPart(e.topology) - penalty;
  return { ...e, fragmentationPart, packingPart, partial };
}

/** A success before withParts fills the parts in. */
const UNSCORED: NodeEvaluation = { status: SUCCESS, devices: [], fragDelta: 0, topology: 100, units: 0, valueLoss: 0, fragmentationPart: 0, packingPart: 0, partial: 0 };

const rejected = (status: Status): NodeEvaluation => ({ status, devices: null, fragDelta: 0, topology: 0, units: 0, valueLoss: 0, fragmentationPart: 0, packingPart: 0, partial: 0 });

/**
 * True when the node certainly cannot take the pod, judged from the precomputed summaries alone (O(1), no
 * strings). False means "evaluate it". Used to skip most nodes quickly in scheduleOne.
 */
export function quickReject(node: NodeState, cycle: CycleState): boolean {
  const req = cycle.req;
  if (node.spot && !req.interruptible) return true;
  if (req.cpuMilli > node.cpuFreeMilli || req.hostMemoryMiB > node.memoryFreeMiB) return true;
  if (req.kind !== 'mig' && req.gpus <= 0) return false;
  const k = req.gpus;
  switch (req.kind) {
    case 'none': return false;
    case 'whole':
      if (node.freeWholeCount < k) return true;
      return req.topology === 'nvlink-required' && k > 1 && node.largestFreeNvIsland < k;
    case 'share':
      return node.shareMaxFreeMemoryMiB < req.memoryMiB || node.shareMaxFreeComputeMilli < req.computeMilli
        || node.fractionalCount < k;
    case 'replica': return popcount(node.replicaFreeMask) < k;
    case 'mig': return node.migFreeSlices <= 0;
  }
}

function hostStatus(req: GpuRequest, node: NodeState): Status | null {
  const inv = node.inventory;
  if (inv.cpuMilli > 0 && req.cpuMilli > 0) {
    if (req.cpuMilli > inv.cpuMilli) return unresolvable(`need ${req.cpuMilli} CPU milli: node has ${inv.cpuMilli} allocatable`);
    if (req.cpuMilli > node.cpuFreeMilli) return unschedulable(`need ${req.cpuMilli} CPU milli free: node has ${Math.max(0, node.cpuFreeMilli)} free`);
  }
  if (inv.memoryMiB > 0 && req.hostMemoryMiB > 0) {
    if (req.hostMemoryMiB > inv.memoryMiB) return unresolvable(`need ${req.hostMemoryMiB} MiB host memory: node has ${inv.memoryMiB} allocatable`);
    if (req.hostMemoryMiB > node.memoryFreeMiB) {
      return unschedulable(`need ${req.hostMemoryMiB} MiB host memory free: node has ${Math.max(0, node.memoryFreeMiB)} free`);
    }
  }
  return null;
}

/** GPUs the pod may see on `node`: allowed model and every hard taint tolerated. */
export function visibleMask(node: NodeState, cycle: CycleState): number {
  const req = cycle.req;
  const info = node.info;
  let mask = info.allMask;
  if (req.models !== null) {
    mask = 0;
    for (let p = 0; p < info.products.length; p += 1) {
      const product = info.products[p] ?? '';
      let ok = cycle.productAllowed.get(product);
      if (ok === undefined) { ok = modelMatches(req.models, product); cycle.productAllowed.set(product, ok); }
      if (ok) mask |= info.productMasks[p] ?? 0;
    }
  }
  if ((info.taintedMask & mask) !== 0) {
    for (let i = 0; i < info.n; i += 1) {
      if (!((info.taintedMask >> i) & 1)) continue;
      const g = node.inventory.gpus[i];
      if (g !== undefined && !toleratesDeviceTaints(req.tolerations, g.taints)) mask &= ~(1 << i);
    }
  }
  return mask;
}

function invisibleReason(node: NodeState, cycle: CycleState): string {
  const req = cycle.req;
  const info = node.info;
  if (info.n === 0) return 'node has no GPUs';
  if (req.models !== null) {
    const allowed = info.products.filter((p) => cycle.productAllowed.get(p) === true);
    if (allowed.length === 0) return `GPU model not allowed: pod allows ${req.models.join('|')}, node has ${info.products.join(', ')}`;
  }
  const taints = new Set<string>();
  for (const g of node.inventory.gpus) {
    for (const t of untoleratedTaints(req.tolerations, g.taints)) taints.add(`${t.key}${t.value === '' ? '' : `=${t.value}`}:${t.effect}`);
  }
  return `every allowed GPU carries a taint the pod does not tolerate: ${[...taints].sort().join(', ')}`;
}

function computeEvaluation(req: GpuRequest, node: NodeState, cycle: CycleState): NodeEvaluation {
  if (node.inventory.capacityType === 'spot' && !req.interruptible) return rejected(unresolvable('node is spot and the pod is not interruptible'));
  const host = hostStatus(req, node);
  if (host !== null) return rejected(host);
  if (req.kind === 'none' || (req.kind !== 'mig' && req.gpus <= 0)) {
    return { ...UNSCORED, devices: [], fragDelta: fragmentationDelta(node, cycle.workload, [], req.cpuMilli), topology: 100, valueLoss: valueLoss(node, cycle, []) };
  }
  const visible = visibleMask(node, cycle);
  if (visible === 0) return rejected(unresolvable(invisibleReason(node, cycle)));
  switch (req.kind) {
    case 'whole': return evaluateWhole(req, node, cycle, visible);
    case 'share': return evaluateShare(req, node, cycle, visible);
    case 'replica': return evaluateReplica(req, node, cycle, visible);
    case 'mig': return evaluateMig(req, node, cycle, visible);
  }
}

const gpuWord = (k: number): string => (k === 1 ? 'GPU' : 'GPUs');

/** Rejects when the capable (ever usable) or free GPUs cannot satisfy the count and topology need. */
function topologyStatus(req: GpuRequest, node: NodeState, capable: number, free: number, what: string): Status | null {
  const k = req.gpus;
  const info = node.info;
  if (popcount(capable) < k) return unresolvable(`need ${k} ${what}: node has ${popcount(capable)}`);
  if (k > 1 && req.topology === 'nvlink-required') {
    const all = largestSatisfyingSet(info, capable, 'nvlink-required');
    if (all < k) return unresolvable(`need ${k} NVLink-connected ${what}: largest NVLink island on the node has ${all}`);
  }
  if (k > 1 && req.topology === 'numa') {
    const all = largestSatisfyingSet(info, capable, 'numa');
    if (all < k) return unresolvable(`need ${k} ${what} on one NUMA node: the node has at most ${all} per NUMA node`);
  }
  if (popcount(free) < k) return unschedulable(`need ${k} free ${what}: ${popcount(free)} free`);
  if (k > 1 && req.topology === 'nvlink-required') {
    const have = largestSatisfyingSet(info, free, 'nvlink-required');
    if (have < k) return unschedulable(`need ${k} NVLink-connected ${what}: largest free NVLink island has ${have}`);
  }
  if (k > 1 && req.topology === 'numa') {
    const have = largestSatisfyingSet(info, free, 'numa');
    if (have < k) return unschedulable(`need ${k} free ${what} on one NUMA node: at most ${have} free on one NUMA node`);
  }
  return null;
}

/** Topology quality of a single-GPU pick: 100 unless it breaks up a free NVLink island (then island after/before). */
function singleQuality(node: NodeState, gpu: number): number {
  const bit = 1 << gpu;
  if ((node.freeWholeMask & bit) === 0) return 100;
  const before = node.largestFreeNvIsland;
  if (before <= 1) return 100;
  const after = maxClique(node.info.nvAdj, node.freeWholeMask & ~bit);
  return (100 * after) / before;
}

function finish(node: NodeState, cycle: CycleState, devices: PlannedDevice[], topology: number): NodeEvaluation {
  const changes = applyDevices(node, devices);
  let units = 0;
  for (const c of changes) {
    const g = node.inventory.gpus[c.gpu];
    if (g !== undefined) units += (node.idle[c.gpu] ?? 0) - idleUnits(g, c.usage);
  }
  return { ...UNSCORED, devices, fragDelta: fragmentationDelta(node, cycle.workload, changes, cycle.req.cpuMilli), topology, units,
    valueLoss: valueLoss(node, cycle, changes) };
}

/**
 * Packing value the plan wastes (packing-value.ts): the node's value before, minus after, minus the pod's own
 * value. A node's value is what its GPUs' idle room can still take (K per GPU; a free exclusive GPU is worth 1),
 * capped by what its free host CPU pays for. 0 when the options give it no penalty, and for replica and MIG
 * requests (the values cover whole GPUs and shares).
 */
function valueLoss(node: NodeState, cycle: CycleState, changes: readonly GpuChange[]): number {
  const req = cycle.req;
  if (!((cycle.options.valueLossPenalty ?? 0) > 0) || req.kind === 'replica' || req.kind === 'mig') return 0;
  const values = cycle.memo.packingValues;
  const gpus = node.inventory.gpus;
  let before = 0; let after = 0; let cpuPerValue = Number.POSITIVE_INFINITY;
  for (let i = 0; i < gpus.length; i += 1) {
    const g = gpus[i];
    if (g === undefined) continue;
    let change: GpuChange | undefined;
    for (const c of changes) if (c.gpu === i) { change = c; break; }
    const idle = node.idle[i] ?? 0;
    const idleAfter = change === undefined ? idle : idleUnits(g, change.usage);
    if (g.sharing.mode === 'fractional') {
      const table = values.tableFor(g);
      cpuPerValue = Math.min(cpuPerValue, table.cpuPerValue);
      before += table.idleValue[idleLevel(idle)] ?? 0;
      after += table.idleValue[idleLevel(idleAfter)] ?? 0;
    } else if (g.sharing.mode !== 'mig') {
      cpuPerValue = Math.min(cpuPerValue, values.tableFor(g).cpuPerValue);
      before += idle >= 1000 ? 1 : 0;
      after += idleAfter >= 1000 ? 1 : 0;
    }
  }
  let own = 0;
  if (req.kind === 'whole') own = req.gpus;
  else if (req.kind === 'share') {
    for (const c of changes) {
      const g = gpus[c.gpu];
      if (g !== undefined) own += shareValue(values.tableFor(g), shareSteps(g, req.memoryMiB, req.computeMilli));
    }
  }
  if (node.inventory.cpuMilli > 0 && Number.isFinite(cpuPerValue)) {
    const cpuFree = Math.max(0, node.cpuFreeMilli);
    before = Math.min(before, cpuFree / cpuPerValue);
    after = Math.min(after, Math.max(0, cpuFree - req.cpuMilli) / cpuPerValue);
  }
  const pressure = cycle.pressure;
  if (pressure === null) return before - after - own;
  // Room on a pressed product is worth more: a pod that may go elsewhere pays for taking it (its own value
  // counts at the least pressure among the products it may use), one that may only go there does not.
  const here = pressure.get(gpus[0]?.product ?? '') ?? 1;
  let least = Number.POSITIVE_INFINITY;
  for (const [product, p] of pressure) if (p < least && (req.models === null || modelMatches(req.models, product))) least = p;
  return here * (before - after) - (Number.isFinite(least) ? least : here) * own;
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

function device(_g: GpuDevice, pos: number, kind: PlannedDevice['kind'], memoryMiB: number, computeMilli: number,
  extra?: { replicas?: number; mig?: MigInstance }): PlannedDevice {
  return { gpuIndex: pos, kind, memoryMiB, computeMilli, ...extra };
}

/** True when GPUs i and j of the node are the same kind of device holding the same usage. */
function twins(node: NodeState, i: number, j: number): boolean {
  const a = node.inventory.gpus[i]; const b = node.inventory.gpus[j];
  if (a === undefined || b === undefined || node.gpuKeys[i] !== node.gpuKeys[j]) return false;
  return a.product === b.product && a.memoryMiB === b.memoryMiB && a.computeMilli === b.computeMilli
    && a.sharing.mode === b.sharing.mode && replicaCapacity(a) === replicaCapacity(b) && a.sharing.mode !== 'mig';
}

/**
 * Picks one GPU among `hosting` for a single-GPU request: least fragmentation increase, then a GPU already in
 * use (keeps whole GPUs free), then the pick that keeps the best-connected free remainder, then lowest index.
 * GPUs that are twins (same device, same usage) share one fragmentation evaluation.
 */
function pickSingle(node: NodeState, cycle: CycleState, hosting: number, make: (g: GpuDevice, i: number) => PlannedDevice): NodeEvaluation {
  const reps: number[] = [];
  const evals: NodeEvaluation[] = [];
  let best = -1; let bestEval: NodeEvaluation | null = null; let bestUsed = false; let bestRem = -1;
  for (let i = 0; i < node.info.n; i += 1) {
    if (!((hosting >> i) & 1)) continue;
    const g = node.inventory.gpus[i];
    if (g === undefined) continue;
    let e: NodeEvaluation | undefined;
    for (let r = 0; r < reps.length; r += 1) if (twins(node, reps[r] ?? -1, i)) { e = evals[r]; break; }
    if (e === undefined) {
      e = finish(node, cycle, [make(g, i)], 100);
      reps.push(i); evals.push(e);
    }
    const used = (node.freeWholeMask & (1 << i)) === 0;
    let better = bestEval === null;
    const lossDiff = bestEval === null ? 0 : e.valueLoss - bestEval.valueLoss;
    if (lossDiff < -1e-9) better = true;
    else if (bestEval !== null && lossDiff <= 1e-9) {
      const d = e.fragDelta - bestEval.fragDelta;
      if (d < -1e-9) better = true;
      else if (d <= 1e-9) {
        if (used !== bestUsed) better = used;
        else if (!used) {
          if (bestRem < 0) bestRem = remainderValue(node.info, node.freeWholeMask & ~(1 << best), cycle.memo.gpuSets);
          const rem = remainderValue(node.info, node.freeWholeMask & ~(1 << i), cycle.memo.gpuSets);
          if (rem > bestRem) { better = true; bestRem = rem; }
        }
      }
    }
    if (better) {
      if (bestEval === null || e.fragDelta !== bestEval.fragDelta || used !== bestUsed || e.valueLoss !== bestEval.valueLoss) bestRem = -1;
      best = i; bestEval = e; bestUsed = used;
    }
  }
  const g = node.inventory.gpus[best];
  if (bestEval === null || g === undefined) return rejected(unschedulable('no GPU can host the pod'));
  return { ...bestEval, devices: [make(g, best)], topology: singleQuality(node, best) };
}

function evaluateWhole(req: GpuRequest, node: NodeState, cycle: CycleState, visible: number): NodeEvaluation {
  const info = node.info;
  const capable = visible & info.wholeableMask;
  const free = capable & node.freeWholeMask;
  const bad = topologyStatus(req, node, capable, free, req.gpus === 1 ? 'whole GPU' : 'whole GPUs');
  if (bad !== null) return rejected(bad);
  const make = (g: GpuDevice, i: number): PlannedDevice => device(g, i, 'whole', g.memoryMiB, g.computeMilli > 0 ? g.computeMilli : 1000);
  if (req.gpus === 1) return pickSingle(node, cycle, free, make);
  const set = bestGpuSet(info, free, req.gpus, req.topology, node.freeWholeMask, cycle.memo.gpuSets);
  if (set === 0) return rejected(unschedulable(`need ${req.gpus} free whole GPUs: no set satisfies topology "${req.topology}"`));
  return finish(node, cycle, devicesOf(node, set, make), setQuality(info, set));
}

function devicesOf(node: NodeState, set: number, make: (g: GpuDevice, i: number) => PlannedDevice): PlannedDevice[] {
  const out: PlannedDevice[] = [];
  for (let i = 0; i < node.info.n; i += 1) {
    const g = node.inventory.gpus[i];
    if ((set >> i) & 1 && g !== undefined) out.push(make(g, i));
  }
  return out;
}

function evaluateShare(req: GpuRequest, node: NodeState, cycle: CycleState, visible: number): NodeEvaluation {
  const info = node.info;
  let capable = 0; let hosting = 0;
  let bestMem = -1; let bestComp = 0; let largest = 0;
  for (let i = 0; i < info.n; i += 1) {
    const bit = 1 << i;
    if (!(visible & info.fractionalMask & bit)) continue;
    const g = node.inventory.gpus[i];
    const u = node.usage.gpus[i] ?? EMPTY_GPU_USAGE;
    if (g === undefined) continue;
    largest = Math.max(largest, g.memoryMiB);
    if (g.memoryMiB < req.memoryMiB || (g.computeMilli > 0 ? g.computeMilli : 1000) < req.computeMilli) continue;
    capable |= bit;
    if (shareFits(g, u, req.memoryMiB, req.computeMilli)) hosting |= bit;
    const fm = freeMemoryMiB(g, u);
    const fc = freeComputeMilli(g, u);
    if (fm > bestMem || (fm === bestMem && fc > bestComp)) { bestMem = fm; bestComp = fc; }
  }
  const what = `${gpuWord(req.gpus)} with ${req.memoryMiB} MiB and ${req.computeMilli} milli`;
  if (popcount(capable) < req.gpus) {
    if ((visible & info.fractionalMask) === 0) return rejected(unresolvable(`need ${req.gpus} fractional ${gpuWord(req.gpus)}: node has none (GPUs are ${modesOf(node, visible)})`));
    return rejected(unresolvable(`need ${req.gpus} ${what}: node has ${popcount(capable)} (largest fractional GPU has ${largest} MiB)`));
  }
  if (popcount(hosting) < req.gpus) {
    return rejected(unschedulable(`need ${req.gpus} ${what} free: best GPU has ${Math.max(0, bestMem)} MiB / ${bestComp} milli`));
  }
  const bad = topologyStatus(req, node, capable, hosting, `${gpuWord(req.gpus)} with the share free`);
  if (bad !== null) return rejected(bad);
  const make = (g: GpuDevice, i: number): PlannedDevice => device(g, i, 'share', req.memoryMiB, req.computeMilli);
  if (req.gpus === 1) return pickSingle(node, cycle, hosting, make);
  const set = bestGpuSet(info, hosting, req.gpus, req.topology, node.freeWholeMask, cycle.memo.gpuSets);
  if (set === 0) return rejected(unschedulable(`need ${req.gpus} ${what}: no set satisfies topology "${req.topology}"`));
  return finish(node, cycle, devicesOf(node, set, make), setQuality(info, set));
}

function modesOf(node: NodeState, visible: number): string {
  const modes = new Set<string>();
  node.inventory.gpus.forEach((g, i) => { if ((visible >> i) & 1) modes.add(g.sharing.mode); });
  return [...modes].sort().join(', ');
}

function evaluateReplica(req: GpuRequest, node: NodeState, cycle: CycleState, visible: number): NodeEvaluation {
  const info = node.info;
  const capable = visible & info.timeSlicedMask;
  if (capable === 0) return rejected(unresolvable(`need ${req.gpus} time-sliced ${gpuWord(req.gpus)}: node has none (GPUs are ${modesOf(node, visible)})`));
  let hosting = 0;
  for (let i = 0; i < info.n; i += 1) {
    const g = node.inventory.gpus[i];
    if ((capable >> i) & 1 && g !== undefined && freeReplicas(g, node.usage.gpus[i] ?? EMPTY_GPU_USAGE) > 0) hosting |= 1 << i;
  }
  const bad = topologyStatus(req, node, capable, hosting, `time-sliced ${gpuWord(req.gpus)} with a free replica`);
  if (bad !== null) return rejected(bad);
  const make = (g: GpuDevice, i: number): PlannedDevice => {
    const r = Math.max(1, replicaCapacity(g));
    return device(g, i, 'replica', 0, Math.floor(1000 / r), { replicas: 1 });
  };
  if (req.gpus === 1) return pickSingle(node, cycle, hosting, make);
  const set = bestGpuSet(info, hosting, req.gpus, req.topology, node.freeWholeMask, cycle.memo.gpuSets);
  if (set === 0) return rejected(unschedulable(`need ${req.gpus} time-sliced GPUs: no set satisfies topology "${req.topology}"`));
  return finish(node, cycle, devicesOf(node, set, make), setQuality(info, set));
}

/** One MIG instance to place, largest first. */
interface MigItem { readonly profile: string; readonly size: number }

const MIG_SEARCH_BUDGET = 4000;

/** One candidate placement of a MIG instance. */
interface MigCandidate { readonly gpu: number; readonly device: PlannedDevice; readonly usage: GpuUsage; readonly delta: number; readonly used: number }

/**
 * Places every requested MIG instance by depth-first search with backtracking (bounded by MIG_SEARCH_BUDGET).
 * With a cycle, each instance's candidates (every GPU and legal start) are tried in order of least
 * fragmentation increase of the node under the target workload (free slices no target profile can use at a
 * legal start count as fragments), then fuller GPU, then higher start (keeps start 0, the only start of 4g and
 * 7g, free longest), then lower GPU index. GPUs with equal products and equal instances share one evaluation.
 * Without a cycle (the "could the empty node hold them" check) the same order minus fragmentation.
 */
function placeMig(node: NodeState, visible: number, items: readonly MigItem[], usage: readonly GpuUsage[], cycle: CycleState | null): PlannedDevice[] | null {
  const info = node.info;
  const gpus: number[] = [];
  for (let i = 0; i < info.n; i += 1) if ((visible & info.migMask) >> i & 1) gpus.push(i);
  const cur = [...usage];
  const out: PlannedDevice[] = [];
  const touched = new Set<number>();
  let steps = 0;
  const candidates = (item: MigItem): MigCandidate[] => {
    const list: MigCandidate[] = [];
    const seen = new Map<string, number[]>();
    for (const i of gpus) {
      const g = node.inventory.gpus[i];
      const u = cur[i] ?? EMPTY_GPU_USAGE;
      if (g === undefined) continue;
      const p = migProfile(g.product, item.profile);
      if (p === null) continue;
      const key = `${g.product}|${u.mig.map((m) => `${m.profile}@${m.start}`).sort().join('+')}`;
      for (const start of migStartsFree(g, u, item.profile)) {
        const d = device(g, i, 'mig', p.memoryMiB, Math.round((1000 * p.computeSlices) / 7), { mig: { profile: p.name, start, size: p.memorySlices } });
        const after = addAssignment(g, u, d);
        let delta = 0;
        if (cycle !== null) {
          const twinDeltas = seen.get(key);
          const known = twinDeltas?.[start];
          if (known !== undefined && !touched.has(i)) {
            delta = known;
          } else {
            const changes: GpuChange[] = [];
            for (const t of touched) if (t !== i) changes.push({ gpu: t, usage: cur[t] ?? EMPTY_GPU_USAGE });
            changes.push({ gpu: i, usage: after });
            delta = fragmentationDelta(node, cycle.workload, changes, 0);
            if (!touched.has(i)) {
              const arr = twinDeltas ?? [];
              arr[start] = delta;
              seen.set(key, arr);
            }
          }
        }
        list.push({ gpu: i, device: d, usage: after, delta, used: migUsedSlices(u.mig) });
      }
    }
    return list.sort((a, b) => (Math.abs(a.delta - b.delta) > 1e-9 ? a.delta - b.delta : 0) || b.used - a.used
      || (b.device.mig?.start ?? 0) - (a.device.mig?.start ?? 0) || a.gpu - b.gpu);
  };
  const rec = (j: number): boolean => {
    if (j === items.length) return true;
    const item = items[j];
    if (item === undefined) return false;
    for (const c of candidates(item)) {
      steps += 1;
      if (steps > MIG_SEARCH_BUDGET) return false;
      const before = cur[c.gpu] ?? EMPTY_GPU_USAGE;
      const wasTouched = touched.has(c.gpu);
      cur[c.gpu] = c.usage;
      touched.add(c.gpu);
      out.push(c.device);
      if (rec(j + 1)) return true;
      out.pop();
      cur[c.gpu] = before;
      if (!wasTouched) touched.delete(c.gpu);
    }
    return false;
  };
  return rec(0) ? out : null;
}

function evaluateMig(req: GpuRequest, node: NodeState, cycle: CycleState, visible: number): NodeEvaluation {
  const info = node.info;
  if ((visible & info.migMask) === 0) return rejected(unresolvable(`need MIG instances ${migText(req)}: node has no MIG GPUs (GPUs are ${modesOf(node, visible)})`));
  const items: MigItem[] = [];
  for (const m of req.mig) {
    let size = 0;
    for (const p of info.products) size = Math.max(size, migProfile(p, m.profile)?.memorySlices ?? 0);
    if (size === 0) return rejected(unresolvable(`need MIG profile "${m.profile}": no GPU on the node (${info.products.join(', ')}) offers it`));
    for (let c = 0; c < m.count; c += 1) items.push({ profile: m.profile, size });
  }
  items.sort((a, b) => b.size - a.size);
  const devices = placeMig(node, visible, items, node.usage.gpus, cycle);
  if (devices === null) {
    const empty = node.inventory.gpus.map(() => EMPTY_GPU_USAGE);
    if (placeMig(node, visible, items, empty, null) === null) return rejected(unresolvable(`need MIG instances ${migText(req)}: even the empty node's layout cannot hold them`));
    return rejected(unschedulable(`need MIG instances ${migText(req)}: no free legal placement (${node.migFreeSlices} free memory slices on the node)`));
  }
  return finish(node, cycle, devices, 100);
}

function migText(req: GpuRequest): string {
  return req.mig.map((m) => `${m.profile} x${m.count}`).join(', ');
}

/** The plan's devices with the node's GPU uuids filled in. */
export function devicesFor(node: NodeState, plan: readonly PlannedDevice[]): DeviceAssignment[] {
  return plan.map((d) => ({ ...d, gpuUuid: node.inventory.gpus[d.gpuIndex]?.uuid ?? '' }));
}
