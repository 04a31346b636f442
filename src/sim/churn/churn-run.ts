import { Heap } from 'heap-js';
import type { Allocation } from '../../model/allocation.js';
import type { NodeInventory } from '../../model/node-inventory.js';
import { bestGpuSet, setQuality } from '../../algorithm/gpu-sets.js';
import { GpuSetMemo } from '../../algorithm/gpu-set-memo.js';
import { makeNodeState } from '../../algorithm/node-state.js';
import { reserve, unreserve } from '../../algorithm/reserve.js';
import { gpuAffinityTag } from '../../algorithm/baselines/gpu-clustering.js';
import { modelAccessible } from '../../algorithm/baselines/feasible.js';
import type { ReplayNode, ReplayPod, ReplayPolicy } from '../replay/replay-policy.js';
import type { SeededRng } from '../replay/seeded-rng.js';
import { tracePodRequest } from '../replay/trace-to-model.js';
import type { ChurnPod } from './churn-pods.js';
import type { ChurnSeries, ChurnTotals } from './churn-metrics.js';
import { ChurnRecorder } from './churn-metrics.js';
import type { DefragView, IslandMemo } from './defrag-plan.js';
import { planDefrag } from './defrag-plan.js';
import type { QueuedPod } from './scheduling-queue.js';
import { SchedulingQueue } from './scheduling-queue.js';
import type { PooledDemand } from './stranded.js';
import { FreePools, strandedGpuMilli } from './stranded.js';

/** How often the defragmentation variant looks for moves, seconds (only while whole-GPU pods wait). */
export const DEFRAG_PERIOD_SECONDS = 60;

/** Options of one churn replay. */
export interface ChurnRunOptions {
  /** Time series cover [0, horizon] replay seconds in `buckets` slices (default: the arrival window, 100). */
  readonly horizon?: number;
  readonly buckets?: number;
  /** Run the defragmentation pass every DEFRAG_PERIOD_SECONDS (a named variant, `<policy>+defrag`). */
  readonly defrag?: boolean;
  readonly onProgress?: (placed: number) => void;
  /** Observes every placement and departure (tests check invariants with it). */
  readonly observer?: ChurnObserver;
}

/** Callbacks for tests: what was placed and released where. */
export interface ChurnObserver {
  placed?(pod: ChurnPod, node: ReplayNode, alloc: Allocation, t: number): void;
  /** `before`/`after` are the node's state around the release. */
  left?(pod: ChurnPod, node: ReplayNode, alloc: Allocation, t: number, before: ReplayNode['state'], after: ReplayNode['state']): void;
  moved?(pod: ChurnPod, from: ReplayNode, t: number): void;
}

/** What one churn replay reports. */
export interface ChurnLog {
  readonly policy: string;
  readonly capacityMilli: number;
  /** Pods replayed (arrived), pods placed, pods that fit no node even of an empty cluster (never queued). */
  readonly arrived: number;
  readonly placed: number;
  readonly unplaceable: number;
  /** Pods still waiting when nothing was left to arrive or leave (0 unless a pod fits no node for a reason the shape check misses). */
  readonly neverPlaced: number;
  /** Scheduling attempts (first tries and retries). */
  readonly attempts: number;
  /** Defragmentation: plans carried out, pods moved by them, and moved pods that found no room at once (they queue again). */
  readonly defragPlans: number;
  readonly defragMoves: number;
  readonly defragRequeued: number;
  /** Last arrival (the arrival window) and the moment the queue last became empty after it. */
  readonly window: number;
  readonly drained: number;
  readonly series: ChurnSeries;
  readonly totals: ChurnTotals;
  /** Final node states (every pod has left: all must be empty). */
  readonly nodes: readonly ReplayNode[];
}

interface ClassInfo {
  readonly cls: ReplayPod;
  readonly scores: Float64Array;
  readonly stamps: Int32Array;
  /** Change-log position at the class's last failed scan (−1: none), and an upper bound of the host memory a pod could then find on a node the policy accepted. */
  failStamp: number;
  failMaxMem: number;
  /** Largest host memory of a node that could ever hold the class (−1: no node can). */
  readonly maxMemEver: number;
  readonly modelMask: number;
}

interface Waiting extends PooledDemand {
  readonly pod: ChurnPod;
  /** A pod moved by defragmentation that found no room at once: its first wait was already counted. */
  readonly moved: boolean;
  readonly info: ClassInfo;
  q: QueuedPod<Waiting> | null;
  /** Index in the waiting list (swap-remove). */
  slot: number;
}

interface Running {
  readonly pod: ChurnPod;
  readonly full: ReplayPod;
  readonly node: number;
  readonly alloc: Allocation;
  departure: number;
  /** False once it left (departure events of moved pods are stale). */
  live: boolean;
}

function demandKey(p: ChurnPod['pod']): string {
  return `${p.cpuMilli}|${p.gpuMilli}|${p.gpuCount}|${p.gpuSpec}|${p.interruptible === true ? 1 : 0}|${p.topology ?? 'any'}`;
}

function gpuMask(alloc: Allocation): number {
  let m = 0;
  for (const d of alloc.devices) m |= 1 << d.gpuIndex;
  return m;
}

/**
 * Replays `pods` (sorted by arrival) onto `inventories` (in the seed's node order) with departures: each pod
 * arrives into kube-scheduler's queue (SchedulingQueue; the policy hears of it once, `arrive`), is placed by
 * `policy` (filter, score, then argmax with ties to the lowest position, uniform for Random, or the policy's own
 * `choose` such as kube-scheduler's node choice) when it fits, holds its devices for its run time and leaves;
 * a pod that fits nowhere is parked and retried on the queue's cluster events and backoff. Scheduling takes no
 * replay time. Devices are taken and given back with the core's reserve/unreserve.
 *
 * Speed: scores are cached per pod class and node version (as in replayRun); a class that failed a scan
 * remembers when, so a retry looks only at the nodes that changed since (exact: unchanged nodes still refuse it).
 */
export function churnRun(inventories: readonly NodeInventory[], pods: readonly ChurnPod[], policy: ReplayPolicy, rng: SeededRng, opts: ChurnRunOptions = {}): ChurnLog {
  const n = inventories.length;
  const nodes: ReplayNode[] = inventories.map((inv, position) => {
    const state = makeNodeState(inv);
    return {
      position,
      inventory: inv,
      state,
      free: {
        model: inv.gpus[0]?.product ?? '',
        cpuLeft: inv.cpuMilli,
        memLeft: inv.memoryMiB,
        gpuLeft: inv.gpus.map((g) => g.computeMilli),
        tags: new Set<string>(),
      },
      version: 0,
    };
  });
  const tagCounts = nodes.map(() => new Map<string, number>());
  const freeMilli = new Float64Array(n);
  const memLeft = new Float64Array(n);
  const version = new Int32Array(n);
  const pools = new FreePools(nodes.map((x) => x.free.model));
  let capacityMilli = 0;
  nodes.forEach((x, i) => {
    memLeft[i] = x.free.memLeft;
    freeMilli[i] = x.free.gpuLeft.reduce((a, b) => a + b, 0);
    capacityMilli += freeMilli[i]!;
    pools.add(x.free.model, freeMilli[i]!, x.free.cpuLeft, x.free.memLeft);
  });
  const running: Set<Running>[] = nodes.map(() => new Set());

  // Every change of a node is logged, so a class that failed at log position p need only look at log[p..].
  const changeLog: number[] = [];
  const mark = new Int32Array(n).fill(-1);
  let markId = 0;
  const changed = new Int32Array(n);

  const classes = new Map<string, ClassInfo>();
  const classOf = (p: ChurnPod['pod']): ClassInfo => {
    const key = demandKey(p);
    let c = classes.get(key);
    if (c === undefined) {
      const models = p.gpuSpec === '' ? null : p.gpuSpec.split('|');
      const demand = { cpuMilli: p.cpuMilli, memoryMiB: 0, gpuMilli: p.gpuMilli, gpuCount: p.gpuCount, models };
      let maxMemEver = -1;
      for (const x of nodes) {
        const inv = x.inventory;
        if (inv.cpuMilli < p.cpuMilli) continue;
        if (p.gpuCount > 0 && (inv.gpus.length < p.gpuCount || !modelAccessible(demand, x.free.model))) continue;
        maxMemEver = Math.max(maxMemEver, inv.memoryMiB);
      }
      c = {
        cls: { demand, request: { ...tracePodRequest(p), hostMemoryMiB: 0 } },
        scores: new Float64Array(n), stamps: new Int32Array(n).fill(-1),
        failStamp: -1, failMaxMem: -1, maxMemEver, modelMask: pools.maskOf(models),
      };
      classes.set(key, c);
    }
    return c;
  };

  const queue = new SchedulingQueue<Waiting>();
  const waitingList: Waiting[] = [];
  const departures = new Heap<Running>((a, b) => a.departure - b.departure || a.pod.id - b.pod.id);
  const window = pods.length === 0 ? 0 : pods[pods.length - 1]!.arrival;
  const horizon = opts.horizon ?? window;
  const rec = new ChurnRecorder(capacityMilli, window, horizon, opts.buckets ?? 100);
  const rand = (): number => rng.next();
  let usedMilli = 0, pendingMilli = 0;
  let placed = 0, unplaceable = 0, attempts = 0, defragPlans = 0, defragMoves = 0, defragRequeued = 0, drained = -1;

  const applyChange = (i: number, before: { milli: number; cpu: number; mem: number }): void => {
    const x = nodes[i]!;
    const u = x.state.usage;
    const f = x.free;
    f.cpuLeft = x.inventory.cpuMilli - u.cpuMilli;
    f.memLeft = x.inventory.memoryMiB - u.memoryMiB;
    let milli = 0;
    x.inventory.gpus.forEach((g, k) => { f.gpuLeft[k] = g.computeMilli - u.gpus[k]!.computeMilli; milli += f.gpuLeft[k]!; });
    pools.add(f.model, milli - before.milli, f.cpuLeft - before.cpu, f.memLeft - before.mem);
    freeMilli[i] = milli;
    memLeft[i] = f.memLeft;
    x.version++;
    version[i] = x.version;
    changeLog.push(i);
  };
  const snapshotFree = (i: number): { milli: number; cpu: number; mem: number } =>
    ({ milli: freeMilli[i]!, cpu: nodes[i]!.free.cpuLeft, mem: nodes[i]!.free.memLeft });

  const gpuSets = new GpuSetMemo();
  const islands: IslandMemo = new Map();
  const bestConnected = (r: Running): boolean => {
    const k = r.pod.pod.gpuCount;
    const chosen = setQuality(nodes[r.node]!.state.info, gpuMask(r.alloc));
    let top = -1;
    for (let i = 0; i < n; i++) {
      const s = nodes[i]!.state;
      if (s.freeWholeCount < k || s.cpuFreeMilli < r.full.demand.cpuMilli || s.memoryFreeMiB < r.full.demand.memoryMiB) continue;
      if (!modelAccessible(r.full.demand, nodes[i]!.free.model)) continue;
      const set = bestGpuSet(s.info, s.freeWholeMask, k, 'any', s.freeWholeMask, gpuSets);
      if (set !== 0) top = Math.max(top, setQuality(s.info, set));
    }
    return chosen >= top - 1e-9;
  };

  /** Places `full` on node i with the policy's devices until `departure`; null when the policy gives none there. */
  const placeOn = (pod: ChurnPod, full: ReplayPod, i: number, t: number, departure: number): Running | null => {
    const node = nodes[i]!;
    const alloc = policy.place(full, node, rand);
    if (alloc === null) return null;
    const r0: Running = { pod, full, node: i, alloc, departure, live: true };
    const multi = pod.pod.gpuCount > 1 && pod.pod.gpuMilli >= 1000;
    const best = multi ? bestConnected(r0) : false;
    const before = snapshotFree(i);
    const r = reserve(node.state, alloc);
    if (r.status.code !== 'success') throw new Error(`bug: policy "${policy.name}" placed pod "${pod.pod.name}" where it does not fit: ${r.status.reason}`);
    node.state = r.node;
    const tag = gpuAffinityTag(full.demand);
    if (tag !== 'no-gpu') {
      const m = tagCounts[i]!;
      m.set(tag, (m.get(tag) ?? 0) + 1);
      node.free.tags.add(tag);
    }
    applyChange(i, before);
    usedMilli += pod.pod.gpuCount * pod.pod.gpuMilli;
    running[i]!.add(r0);
    departures.push(r0);
    if (multi) rec.multiGpuPlaced(t, best);
    opts.observer?.placed?.(pod, node, alloc, t);
    return r0;
  };

  const release = (r: Running, t: number): void => {
    const node = nodes[r.node]!;
    const before = snapshotFree(r.node);
    const stateBefore = node.state;
    node.state = unreserve(node.state, r.alloc);
    const tag = gpuAffinityTag(r.full.demand);
    if (tag !== 'no-gpu') {
      const m = tagCounts[r.node]!;
      const c = (m.get(tag) ?? 0) - 1;
      if (c <= 0) { m.delete(tag); node.free.tags.delete(tag); } else m.set(tag, c);
    }
    applyChange(r.node, before);
    usedMilli -= r.pod.pod.gpuCount * r.pod.pod.gpuMilli;
    running[r.node]!.delete(r);
    r.live = false;
    policy.release?.(r.full, node, r.alloc);
    opts.observer?.left?.(r.pod, node, r.alloc, t, stateBefore, node.state);
  };

  const fullPod = (w: Waiting): ReplayPod => {
    const mem = w.pod.pod.memoryMiB;
    const cls = w.info.cls;
    return mem === 0 ? cls : { demand: { ...cls.demand, memoryMiB: mem }, request: { ...cls.request, hostMemoryMiB: mem } };
  };

  /** One scheduling attempt of a pod of class `c` with host memory `mem`: the chosen node position, or −1. */
  let generation = policy.generation?.() ?? 0;
  let ranks: Float64Array | null = null;
  const choose = (c: ClassInfo, mem: number, full: () => ReplayPod): number => {
    attempts++;
    const now = policy.generation?.() ?? 0;
    if (now !== generation) {
      // A learned workload was re-published: earlier scores and failures no longer hold.
      generation = now;
      for (const k of classes.values()) { k.stamps.fill(-1); k.failStamp = -1; }
    }
    const { scores, stamps } = c;
    // Nodes to look at: every node, or only those changed since this class last failed everywhere.
    const partial = c.failStamp >= 0 && mem > c.failMaxMem && changeLog.length - c.failStamp < n;
    let count = n;
    if (partial) {
      markId++;
      count = 0;
      for (let k = c.failStamp; k < changeLog.length; k++) {
        const i = changeLog[k]!;
        if (mark[i] !== markId) { mark[i] = markId; changed[count++] = i; }
      }
      changed.subarray(0, count).sort();
    }
    let started = false;
    let best = -1, chosen = -1, feasible = 0, maxMem = -1;
    for (let k = 0; k < count; k++) {
      const i = partial ? changed[k]! : k;
      if (stamps[i] !== version[i]) {
        if (!started) { policy.startPod?.(c.cls); started = true; }
        scores[i] = policy.score(c.cls, nodes[i]!);
        stamps[i] = version[i]!;
      }
      const s = scores[i]!;
      if (s < 0) continue;
      if (memLeft[i]! > maxMem) maxMem = memLeft[i]!;
      if (memLeft[i]! < mem) continue;
      feasible++;
      if (s > best) { best = s; chosen = i; }
    }
    if (feasible > 0 && policy.pick === 'custom') {
      // The policy picks among every node that fits (NaN elsewhere), e.g. as kube-scheduler does with its scores.
      ranks ??= new Float64Array(n);
      ranks.fill(Number.NaN);
      for (let k = 0; k < count; k++) {
        const i = partial ? changed[k]! : k;
        if (scores[i]! >= 0 && memLeft[i]! >= mem) ranks[i] = scores[i]!;
      }
      if (policy.choose === undefined) throw new Error(`bug: policy "${policy.name}" picks 'custom' without choose()`);
      chosen = policy.choose(full(), ranks, nodes, rng);
    } else if (feasible > 0 && policy.pick === 'random') {
      let r = rng.intn(feasible);
      chosen = -1;
      for (let k = 0; k < count && chosen < 0; k++) {
        const i = partial ? changed[k]! : k;
        if (scores[i]! >= 0 && memLeft[i]! >= mem && r-- === 0) chosen = i;
      }
    }
    if (chosen < 0) {
      c.failMaxMem = partial ? Math.max(c.failMaxMem, maxMem) : maxMem;
      c.failStamp = changeLog.length;
    } else if (!partial) {
      c.failStamp = -1;
    }
    return chosen;
  };

  // Waiting pods grouped by what the stranded measure reads, so it costs one check per distinct demand.
  const waitingGroups = new Map<string, { gpuMilli: number; cpuMilli: number; memoryMiB: number; modelMask: number; count: number }>();
  const groupKey = (w: Waiting): string => `${w.gpuMilli}|${w.cpuMilli}|${w.memoryMiB}|${w.modelMask}`;
  const enqueue = (w: Waiting, t: number): void => {
    w.slot = waitingList.length;
    waitingList.push(w);
    pendingMilli += w.gpuMilli;
    const g = waitingGroups.get(groupKey(w));
    if (g === undefined) waitingGroups.set(groupKey(w), { gpuMilli: w.gpuMilli, cpuMilli: w.cpuMilli, memoryMiB: w.memoryMiB, modelMask: w.modelMask, count: 1 });
    else g.count++;
    w.q = queue.add(w, w.pod.priority, w.pod.id, t);
  };
  const removeWaiting = (w: Waiting): void => {
    const last = waitingList.pop()!;
    if (last !== w) { waitingList[w.slot] = last; last.slot = w.slot; }
    pendingMilli -= w.gpuMilli;
    const key = groupKey(w);
    const g = waitingGroups.get(key)!;
    if (--g.count === 0) waitingGroups.delete(key);
    w.q = null;
  };
  const makeWaiting = (pod: ChurnPod, moved = false): Waiting => {
    const info = classOf(pod.pod);
    return {
      pod, info, moved, q: null, slot: -1,
      gpuMilli: pod.pod.gpuCount * pod.pod.gpuMilli, cpuMilli: pod.pod.cpuMilli, memoryMiB: pod.pod.memoryMiB, modelMask: info.modelMask,
    };
  };

  /** Places waiting pod `w` on node i at `t`; false when the policy gives no devices there. */
  const startRunning = (w: Waiting, i: number, t: number): boolean => {
    if (placeOn(w.pod, fullPod(w), i, t, t + w.pod.runSeconds) === null) return false;
    removeWaiting(w);
    if (w.moved) return true;
    placed++;
    rec.placed(w.pod.arrival, t - w.pod.arrival);
    if (opts.onProgress && (placed & 255) === 0) opts.onProgress(placed);
    return true;
  };

  const defragView = (): DefragView => ({
    nodes: nodes.map((x, i) => ({
      free: x.free,
      info: x.state.info,
      pods: [...running[i]!].map((r) => ({
        id: r.pod.id, demand: r.full.demand, devices: r.alloc.devices.map((d) => d.gpuIndex), interruptible: r.pod.pod.interruptible === true,
      })),
    })),
  });

  let idlePass = { changes: -1, waiting: -1 };
  /**
   * The defragmentation variant: whole-GPU pods that wait although the pooled free capacity would hold them, in
   * queue order, each get the plan of planDefrag; the named pods leave their node, the waiting pod takes the
   * freed GPUs, and the moved pods are scheduled again at once, keeping their end time (checkpointed work). A
   * moved pod that finds no room waits in the queue with the run time it had left.
   */
  const defragPass = (t: number): void => {
    // Nothing placed, left or arrived since a pass that found no plan: this one would find none either.
    if (idlePass.changes === changeLog.length && idlePass.waiting === waitingList.length) return;
    const plansBefore = defragPlans;
    const blocked = waitingList
      .filter((w) => w.pod.pod.gpuCount > 0 && w.pod.pod.gpuMilli >= 1000 && pools.fits(w))
      .sort((a, b) => b.pod.priority - a.pod.priority || a.pod.arrival - b.pod.arrival || a.pod.id - b.pod.id);
    let view: DefragView | null = null;
    const hopeless = new Set<string>();
    for (const w of blocked) {
      const shape = `${w.pod.pod.gpuCount}|${w.pod.pod.gpuSpec}|${w.pod.pod.cpuMilli}|${w.pod.pod.memoryMiB}`;
      if (hopeless.has(shape)) continue;
      view ??= defragView();
      const plan = planDefrag(fullPod(w).demand, view, islands);
      if (plan === null) { hopeless.add(shape); continue; }
      const movedIds = new Set(plan.moves.map((m) => m.pod));
      const victims = [...running[plan.node]!].filter((r) => movedIds.has(r.pod.id));
      for (const v of victims) { release(v, t); opts.observer?.moved?.(v.pod, nodes[plan.node]!, t); }
      if (w.q !== null) queue.delete(w.q);
      if (!startRunning(w, plan.node, t)) throw new Error(`bug: defragmentation freed node "${nodes[plan.node]!.inventory.name}" but pod "${w.pod.pod.name}" does not fit`);
      defragPlans++;
      for (const v of victims) {
        defragMoves++;
        const i = choose(classOf(v.pod.pod), v.pod.pod.memoryMiB, () => v.full);
        if (i >= 0 && placeOn(v.pod, v.full, i, t, v.departure) !== null) continue;
        defragRequeued++;
        enqueue(makeWaiting({ ...v.pod, runSeconds: Math.max(0, v.departure - t) }, true), t);
      }
      view = null;
      hopeless.clear();
    }
    idlePass = defragPlans === plansBefore ? { changes: changeLog.length, waiting: waitingList.length } : { changes: -1, waiting: -1 };
  };

  const liveDeparture = (): number => {
    for (let r = departures.peek(); r !== undefined; r = departures.peek()) {
      if (r.live) return r.departure;
      departures.pop();
    }
    return Infinity;
  };
  const record = (t: number): void => {
    rec.set(t, { usedMilli, pendingPods: waitingList.length, pendingMilli, strandedMilli: waitingList.length === 0 ? 0 : strandedGpuMilli(waitingGroups.values(), pools) });
  };

  let next = 0;
  let t = 0;
  let defragAt = 0;
  for (;;) {
    const tArrival = next < pods.length ? pods[next]!.arrival : Infinity;
    const tDepart = liveDeparture();
    const tBackoff = queue.nextBackoffExpiry();
    // Done when nothing can arrive, leave or come out of backoff: parked pods then failed on a cluster at
    // least as free as it will ever be again.
    if (tArrival === Infinity && tDepart === Infinity && tBackoff === Infinity) break;
    const tDefrag = opts.defrag === true && queue.size > 0 ? Math.max(defragAt, t) : Infinity;
    t = Math.min(tArrival, tDepart, tBackoff, queue.nextLeftoverFlush(), tDefrag);

    let left = false;
    while (liveDeparture() <= t) { release(departures.pop()!, t); left = true; }
    if (left) queue.moveAllToActiveOrBackoff(t);
    while (next < pods.length && pods[next]!.arrival <= t) {
      const pod = pods[next++]!;
      const w = makeWaiting(pod);
      policy.arrive?.(w.info.cls);
      if (w.info.maxMemEver < pod.pod.memoryMiB) { unplaceable++; continue; }
      enqueue(w, t);
    }
    queue.flushBackoffCompleted(t);
    if (queue.nextLeftoverFlush() <= t) queue.flushUnschedulableLeftover(t);
    if (tDefrag <= t) {
      defragPass(t);
      defragAt = (Math.floor(t / DEFRAG_PERIOD_SECONDS) + 1) * DEFRAG_PERIOD_SECONDS;
    }
    for (let q = queue.pop(); q !== undefined; q = queue.pop()) {
      const w = q.pod;
      const i = choose(w.info, w.pod.pod.memoryMiB, () => fullPod(w));
      if (i >= 0 && startRunning(w, i, t)) continue;
      queue.addUnschedulable(q, t);
    }
    if (next >= pods.length) {
      if (queue.size > 0) drained = -1;
      else if (drained < 0) drained = t;
    }
    record(t);
  }
  const neverPlaced = queue.size;
  if (drained < 0) drained = t;
  const end = Math.max(t, horizon);
  const { series, totals } = rec.finish(end);
  return {
    policy: policy.name, capacityMilli, arrived: pods.length, placed, unplaceable, neverPlaced, attempts, defragPlans, defragMoves, defragRequeued,
    window, drained, series, totals, nodes,
  };
}
