/**
 * Preemption cost: how long the core takes to choose victims (selectVictims) and the node (choosePreemption) for
 * one pending pod over nodes full of lower-priority pods. Prints p50/p99 per scenario and how often the exact
 * search stayed within its trial budget; never asserts. Deterministic (seeded rng).
 *
 *   npx tsx bench/preempt-latency.ts
 */
import { performance } from 'node:perf_hooks';
import { prefilter } from '../src/algorithm/cycle-state.js';
import { EvaluationMemo } from '../src/algorithm/evaluation-memo.js';
import { makeNodeState, type NodeState } from '../src/algorithm/node-state.js';
import { placeOnNode } from '../src/algorithm/place.js';
import type { RunningPod } from '../src/algorithm/preempt.js';
import { selectVictims } from '../src/algorithm/preempt.js';
import { choosePreemption, type PreemptionCandidate } from '../src/algorithm/preemption-choice.js';
import { reserve } from '../src/algorithm/reserve.js';
import { DEFAULT_SCHEDULING_OPTIONS } from '../src/algorithm/scheduling-options.js';
import { makeSnapshot } from '../src/algorithm/snapshot.js';
import type { GpuRequest } from '../src/model/gpu-request.js';
import type { NodeInventory } from '../src/model/node-inventory.js';
import type { SharingPolicy } from '../src/model/gpu-device.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const req = (over: Partial<GpuRequest>): GpuRequest => ({
  kind: 'whole', gpus: 1, memoryMiB: 0, computeMilli: 0, mig: [], models: null, topology: 'any', interruptible: false,
  group: null, tolerations: [], cpuMilli: 0, hostMemoryMiB: 0, priority: 0, ...over,
});

function inventory(name: string, sharing: SharingPolicy): NodeInventory {
  const product = sharing.mode === 'mig' ? 'A100-80GB' : 'H100-80GB';
  return {
    name, links: Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => (i === j ? { level: 'X' as const, bonds: 0 } : { level: 'NV' as const, bonds: 18 }))),
    gpus: Array.from({ length: 8 }, (_, i) => ({ index: i, uuid: `${name}-gpu${i}`, product, memoryMiB: sharing.mode === 'mig' ? 81920 : 81559, computeMilli: 1000, sharing, numaNode: i < 4 ? 0 : 1, taints: [] })),
    cpuMilli: 0, memoryMiB: 0, capacityType: 'on-demand', hourlyPrice: null, instanceType: null, clique: null, rack: null, zone: null, topologySource: 'bench',
  };
}

/** A node filled with pods of `shapes` (round robin) and random priorities 0..9 until nothing more fits. */
function fill(name: string, sharing: SharingPolicy, shapes: readonly GpuRequest[], rand: () => number): { state: NodeState; pods: RunningPod[] } {
  let state = makeNodeState(inventory(name, sharing));
  const memo = new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS);
  const pods: RunningPod[] = [];
  for (let i = 0, misses = 0; misses < shapes.length; i += 1) {
    const r = shapes[i % shapes.length] as GpuRequest;
    const a = placeOnNode(r, state, prefilter(r, makeSnapshot([state]), DEFAULT_SCHEDULING_OPTIONS, memo)).allocation;
    if (a === null) { misses += 1; continue; }
    misses = 0;
    state = reserve(state, a).node;
    pods.push({ uid: `${name}-p${i}`, priority: Math.floor(rand() * 10), allocation: a });
  }
  return { state, pods };
}

const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

const scenarios: { name: string; sharing: SharingPolicy; shapes: GpuRequest[]; preemptor: GpuRequest }[] = [
  { name: 'whole GPUs (8 x 1-GPU pods), 2-GPU preemptor', sharing: { mode: 'exclusive' }, shapes: [req({ gpus: 1 })], preemptor: req({ gpus: 2, priority: 100 }) },
  { name: 'shares (32 x 20 GB), whole-GPU preemptor', sharing: { mode: 'fractional' }, shapes: [req({ kind: 'share', memoryMiB: 20000, computeMilli: 250 })], preemptor: req({ gpus: 1, priority: 100 }) },
  { name: 'shares (64 x 10 GB), 40 GB share preemptor', sharing: { mode: 'fractional' }, shapes: [req({ kind: 'share', memoryMiB: 10000, computeMilli: 125 })], preemptor: req({ kind: 'share', memoryMiB: 40000, computeMilli: 500, priority: 100 }) },
  { name: 'shares (64 x 10 GB), 4-GPU preemptor (budget fallback)', sharing: { mode: 'fractional' }, shapes: [req({ kind: 'share', memoryMiB: 10000, computeMilli: 125 })], preemptor: req({ gpus: 4, priority: 100 }) },
  { name: 'MIG (1g/2g/3g mix), 7g.80gb preemptor', sharing: { mode: 'mig', layout: 'dynamic' }, shapes: [req({ kind: 'mig', gpus: 0, mig: [{ profile: '3g.40gb', count: 1 }] }), req({ kind: 'mig', gpus: 0, mig: [{ profile: '2g.20gb', count: 1 }] }), req({ kind: 'mig', gpus: 0, mig: [{ profile: '1g.10gb', count: 1 }] })], preemptor: req({ kind: 'mig', gpus: 0, mig: [{ profile: '7g.80gb', count: 1 }], priority: 100 }) },
];

for (const s of scenarios) {
  const rand = rng(42);
  const perNode: number[] = [];
  let exact = 0;
  let runs = 0;
  let pods = 0;
  const candidates: PreemptionCandidate[] = [];
  for (let n = 0; n < 30; n += 1) {
    const { state, pods: running } = fill(`n${n}`, s.sharing, s.shapes, rand);
    pods += running.length;
    candidates.push({ state, pods: running });
    const memo = new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS);
    const cycle = prefilter(s.preemptor, makeSnapshot([state]), DEFAULT_SCHEDULING_OPTIONS, memo);
    const t0 = performance.now();
    const v = selectVictims(s.preemptor, state, running, cycle);
    perNode.push(performance.now() - t0);
    runs += 1;
    if (v?.exact === true) exact += 1;
  }
  const memo = new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS);
  const cycle = prefilter(s.preemptor, makeSnapshot(candidates.map((c) => c.state)), DEFAULT_SCHEDULING_OPTIONS, memo);
  const t0 = performance.now();
  const choice = choosePreemption(s.preemptor, candidates, cycle);
  const all = performance.now() - t0;
  console.log(`${s.name}: ${String(Math.round(pods / runs))} pods/node; selectVictims per node p50 ${quantile(perNode, 0.5).toFixed(2)} ms, p99 ${quantile(perNode, 0.99).toFixed(2)} ms, exact ${String(exact)}/${String(runs)}; choosePreemption over 30 nodes ${all.toFixed(1)} ms (victims ${String(choice?.victims.length ?? 0)})`);
}
