/**
 * Core latency benchmark: filter + score + place of ONE pod (scheduleOne) over 1,000 / 5,000 / 20,000 nodes of
 * 8 GPUs with realistic partial allocations. Prints p50/p99 per cluster size (wall and on-CPU), per request
 * shape, the cold path (a request shape never seen, nothing memoised) and the growth ratio; never asserts.
 * Deterministic (seeded rng). The warm figures include churn: every placement is reserved (its node changes)
 * and the oldest of 100 placed pods is released.
 *
 *   npx tsx bench/core-latency.ts            # all sizes
 *   npx tsx bench/core-latency.ts 5000       # one size
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Allocation, GpuUsage, NodeUsage } from '../src/model/allocation.js';
import type { GpuDevice, SharingPolicy } from '../src/model/gpu-device.js';
import type { GpuRequest } from '../src/model/gpu-request.js';
import type { GpuLink, LinkMatrix } from '../src/model/link-matrix.js';
import type { NodeInventory } from '../src/model/node-inventory.js';
import type { NodeState } from '../src/algorithm/node-state.js';
import { makeNodeState } from '../src/algorithm/node-state.js';
import { reserve, unreserve } from '../src/algorithm/reserve.js';
import { DEFAULT_SCHEDULING_OPTIONS } from '../src/algorithm/scheduling-options.js';
import { scheduleOne } from '../src/algorithm/schedule-one.js';
import { prefilter } from '../src/algorithm/cycle-state.js';
import { EvaluationMemo } from '../src/algorithm/evaluation-memo.js';
import { fleetGpuCapacity, fleetPriceRange, type Snapshot } from '../src/algorithm/snapshot.js';

/** mulberry32: small seeded PRNG. */
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

const cell = (level: GpuLink['level'], bonds = 0): GpuLink => ({ level, bonds });
const nvswitch = (n: number, bonds: number): LinkMatrix =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? cell('X') : cell('NV', bonds))));
const pcieTwoSockets: LinkMatrix = Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => {
  if (i === j) return cell('X');
  if (i >> 2 !== j >> 2) return cell('SYS');
  return i >> 1 === j >> 1 ? cell('PIX') : cell('NODE');
}));

interface Flavor { product: string; memoryMiB: number; links: LinkMatrix; sharing: SharingPolicy; price: number; cpu: number }
const FLAVORS: readonly (readonly [number, Flavor])[] = [
  [0.45, { product: 'H100-80GB', memoryMiB: 81559, links: nvswitch(8, 18), sharing: { mode: 'fractional' }, price: 98, cpu: 192000 }],
  [0.2, { product: 'A100-80GB', memoryMiB: 81920, links: nvswitch(8, 12), sharing: { mode: 'fractional' }, price: 40, cpu: 96000 }],
  [0.15, { product: 'L40S', memoryMiB: 46068, links: pcieTwoSockets, sharing: { mode: 'fractional' }, price: 18, cpu: 0 }],
  [0.1, { product: 'L4', memoryMiB: 23034, links: pcieTwoSockets, sharing: { mode: 'time-sliced', replicas: 4 }, price: 8, cpu: 0 }],
  [0.1, { product: 'A100-80GB', memoryMiB: 81920, links: nvswitch(8, 12), sharing: { mode: 'mig', layout: 'dynamic' }, price: 40, cpu: 96000 }],
];

const SHARES: readonly (readonly [number, number])[] = [[4096, 250], [8192, 500], [16384, 500], [20480, 300], [10240, 250], [40960, 500]];
const MIG_SMALL: readonly (readonly [string, number, number])[] = [['1g.10gb', 6, 1], ['2g.20gb', 4, 2], ['3g.40gb', 4, 4], ['1g.10gb', 5, 1]];

function pickFlavor(r: () => number): Flavor {
  let x = r();
  for (const [w, f] of FLAVORS) { if (x < w) return f; x -= w; }
  return FLAVORS[0]![1];
}

/** A node with a realistic partial allocation: 25 % empty, 15 % full, the rest partly used by discrete pod shapes. */
function buildNode(i: number, r: () => number): NodeState {
  const f = pickFlavor(r);
  const name = `node-${String(i).padStart(5, '0')}`;
  const gpus: GpuDevice[] = Array.from({ length: 8 }, (_, g) => ({
    index: g, uuid: `${name}-gpu${g}`, product: f.product, memoryMiB: f.memoryMiB, computeMilli: 1000, sharing: f.sharing,
    numaNode: g >> 2, taints: [],
  }));
  const inv: NodeInventory = {
    name, gpus, links: f.links, cpuMilli: f.cpu, memoryMiB: f.cpu > 0 ? 1_048_576 : 0, capacityType: r() < 0.2 ? 'spot' : 'on-demand',
    hourlyPrice: f.price * (0.8 + 0.4 * r()), instanceType: null, clique: null, rack: `rack-${i % 50}`, zone: `zone-${i % 3}`, topologySource: 'bench',
  };
  const fill = r() < 0.25 ? 0 : r() < 0.2 ? 1 : r();
  const used: GpuUsage[] = gpus.map((g) => {
    const empty: GpuUsage = { memoryMiB: 0, computeMilli: 0, replicas: 0, whole: false, mig: [] };
    if (r() >= fill) return empty;
    switch (f.sharing.mode) {
      case 'fractional': {
        if (r() < 0.5) return { ...empty, whole: true, memoryMiB: g.memoryMiB, computeMilli: 1000 };
        let mem = 0; let comp = 0;
        for (let k = 0; k < 4; k += 1) {
          const [m, c] = SHARES[Math.floor(r() * SHARES.length)]!;
          if (mem + m <= g.memoryMiB && comp + c <= 1000) { mem += m; comp += c; }
        }
        return { ...empty, memoryMiB: mem, computeMilli: comp };
      }
      case 'time-sliced': return { ...empty, replicas: 1 + Math.floor(r() * 4) };
      case 'mig': {
        const [profile, start, size] = MIG_SMALL[Math.floor(r() * MIG_SMALL.length)]!;
        return { ...empty, mig: [{ profile, start, size }], memoryMiB: 9856 * size };
      }
      default: return empty;
    }
  });
  const usage: NodeUsage = { gpus: used, cpuMilli: Math.floor(f.cpu * fill * 0.6), memoryMiB: 0 };
  return makeNodeState(inv, usage);
}

const base: GpuRequest = {
  kind: 'whole', gpus: 1, memoryMiB: 0, computeMilli: 0, mig: [], models: null, topology: 'any', interruptible: false, group: null,
  tolerations: [], cpuMilli: 4000, hostMemoryMiB: 0, priority: 0,
};
const SHAPES: readonly (readonly [string, GpuRequest])[] = [
  ['whole x1', base],
  ['whole x2 nvlink-preferred', { ...base, gpus: 2, topology: 'nvlink-preferred' }],
  ['whole x4 nvlink-required', { ...base, gpus: 4, topology: 'nvlink-required', cpuMilli: 16000 }],
  ['whole x8', { ...base, gpus: 8, cpuMilli: 32000 }],
  ['share 4GiB/250m', { ...base, kind: 'share', memoryMiB: 4096, computeMilli: 250 }],
  ['share 16GiB/500m', { ...base, kind: 'share', memoryMiB: 16384, computeMilli: 500 }],
  ['share 10GiB/300m interruptible', { ...base, kind: 'share', memoryMiB: 10240, computeMilli: 300, interruptible: true, group: 'job-1' }],
  ['replica', { ...base, kind: 'replica' }],
  ['mig 3g.40gb', { ...base, kind: 'mig', gpus: 0, mig: [{ profile: '3g.40gb', count: 1 }] }],
];

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

function benchSize(size: number): { p50: number; p99: number } {
  const r = rng(42 + size);
  const nodes = new Map<string, NodeState>();
  for (let i = 0; i < size; i += 1) { const s = buildNode(i, r); nodes.set(s.inventory.name, s); }
  const groupNodes = new Map([['job-1', ['node-00003', 'node-00007']]]);
  // The snapshot shares `nodes`, which the loop below updates in place; prices and products never change.
  const snapshot: Snapshot = { nodes, groupNodes, priceRange: fleetPriceRange(nodes.values()), gpuCapacity: fleetGpuCapacity(nodes.values()) };
  const placed: Allocation[] = [];
  const perShape = new Map<string, number[]>();
  const all: number[] = [];
  /** On-CPU time of the process per call (ms): wall time minus time the OS gave to other processes. */
  const cpu: number[] = [];
  const iterations = size >= 20000 ? 450 : 900;
  // One memo per run, as the extender service keeps one: evaluations of unchanged nodes carry over between pods.
  const memo = new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS);
  const warmup = 90;
  let fits = 0;
  for (let it = 0; it < warmup + iterations; it += 1) {
    const [label, req] = SHAPES[it % SHAPES.length]!;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const res = scheduleOne(req, snapshot, DEFAULT_SCHEDULING_OPTIONS, prefilter(req, snapshot, DEFAULT_SCHEDULING_OPTIONS, memo));
    const dt = performance.now() - t0;
    const cu = process.cpuUsage(c0);
    const dcpu = (cu.user + cu.system) / 1000;
    // Churn like a live cluster: the chosen node changes; release the oldest pod once 100 are placed.
    if (res.ok) {
      fits += 1;
      const s = nodes.get(res.node)!;
      const after = reserve(s, res.allocation);
      if (after.status.code === 'success') { nodes.set(res.node, after.node); placed.push(res.allocation); }
    }
    if (placed.length > 100) {
      const a = placed.shift()!;
      nodes.set(a.node, unreserve(nodes.get(a.node)!, a));
    }
    if (it < warmup) continue;
    all.push(dt);
    cpu.push(dcpu);
    const xs = perShape.get(label) ?? [];
    xs.push(dt);
    perShape.set(label, xs);
  }
  // Cold path: request shapes never seen before (nothing cached for them), e.g. the first pod of a new job.
  const cold: number[] = [];
  for (let k = 0; k < 12; k += 1) {
    const req: GpuRequest = { ...base, kind: 'share', memoryMiB: 3000 + 97 * k, computeMilli: 150 + k };
    const t0 = performance.now();
    scheduleOne(req, snapshot, DEFAULT_SCHEDULING_OPTIONS, prefilter(req, snapshot, DEFAULT_SCHEDULING_OPTIONS, memo));
    cold.push(performance.now() - t0);
  }
  // Calibration: a bare loop over the same nodes reading one field, to show how loaded the machine is.
  const bare: number[] = [];
  for (let k = 0; k < 200; k += 1) {
    const t0 = performance.now();
    let acc = 0;
    for (const s of nodes.values()) acc += s.freeWholeCount;
    bare.push(performance.now() - t0);
    if (acc < 0) console.log(acc);
  }
  const p50 = quantile(all, 0.5); const p99 = quantile(all, 0.99);
  console.log(`\n${size} nodes x 8 GPUs: scheduleOne p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms (${iterations} pods, ${fits} placed)`);
  console.log(`  on-CPU time per call: p50 ${quantile(cpu, 0.5).toFixed(3)} ms, p99 ${quantile(cpu, 0.99).toFixed(3)} ms`
    + ` (load average ${loadavg()[0]?.toFixed(1)} on this machine)`);
  console.log(`  cold (a request shape seen for the first time): p50 ${quantile(cold, 0.5).toFixed(3)} ms, max ${Math.max(...cold).toFixed(3)} ms`);
  console.log(`  calibration: bare loop over the nodes p50 ${quantile(bare, 0.5).toFixed(3)} ms`);
  for (const [label, xs] of perShape) {
    console.log(`  ${label.padEnd(34)} p50 ${quantile(xs, 0.5).toFixed(3)} ms  p99 ${quantile(xs, 0.99).toFixed(3)} ms`);
  }
  return { p50, p99 };
}

const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
const results = new Map<number, { p50: number; p99: number }>();
for (const size of sizes.length > 0 ? sizes : [1000, 5000, 20000]) results.set(size, benchSize(size));
const keys = [...results.keys()];
if (keys.length > 1) {
  const first = keys[0]!; const last = keys[keys.length - 1]!;
  const a = results.get(first)!; const b = results.get(last)!;
  console.log(`\ngrowth ${first} -> ${last} nodes (x${(last / first).toFixed(0)}): p50 x${(b.p50 / a.p50).toFixed(2)}, p99 x${(b.p99 / a.p99).toFixed(2)}`);
}
