import { describe, expect, it } from 'vitest';
import type { NodeInventory } from '../../model/node-inventory.js';
import type { ReplayPolicy } from '../replay/replay-policy.js';
import { makeBaseline } from '../../algorithm/baselines/baselines.js';
import { baselineReplayPolicy } from '../replay/baseline-replay-policy.js';
import type { TracePod } from '../replay/load-trace.js';
import { seededRng } from '../replay/seeded-rng.js';
import { traceNodeInventory } from '../replay/trace-to-model.js';
import { loadTopologyPresets } from '../../io/load-topology-presets.js';
import { churnCluster } from './churn-cluster.js';
import type { ChurnPod } from './churn-pods.js';
import type { ChurnLog, ChurnRunOptions } from './churn-run.js';
import { churnRun } from './churn-run.js';

const node = (name: string, gpus: number, model = 'G') => traceNodeInventory({ name, cpuMilli: 64000, memoryMiB: 256000, gpuCount: gpus, model });

let nextId = 0;
function pod(name: string, arrival: number, runSeconds: number, gpuMilli: number, opts: { gpus?: number; priority?: number; spec?: string } = {}): ChurnPod {
  const p: TracePod = { name, cpuMilli: 1000, memoryMiB: 1024, gpuCount: opts.gpus ?? 1, gpuMilli, gpuSpec: opts.spec ?? '' };
  return { id: nextId++, pod: p, arrival, runSeconds, priority: opts.priority ?? 0 };
}

interface Trail { placed: [string, number][]; left: [string, number][]; log: ChurnLog }

function run(nodes: readonly NodeInventory[], pods: ChurnPod[], opts: ChurnRunOptions = {}): Trail {
  const placed: [string, number][] = [];
  const left: [string, number][] = [];
  const log = churnRun(nodes, pods.map((p, id) => ({ ...p, id })), baselineReplayPolicy(makeBaseline('BestFit', [])), seededRng(1), {
    ...opts,
    observer: { placed: (p, _n, _a, t) => placed.push([p.pod.name, t]), left: (p, _n, _a, t) => left.push([p.pod.name, t]) },
  });
  return { placed, left, log };
}

describe('churnRun', () => {
  it('a pod that does not fit waits until a departure frees the GPU, then takes it; every pod leaves after its run time', () => {
    const { placed, left, log } = run([node('n1', 1)], [pod('a', 0, 100, 1000), pod('b', 10, 50, 1000)]);
    expect(placed).toEqual([['a', 0], ['b', 100]]);
    expect(left).toEqual([['a', 100], ['b', 150]]);
    expect(log.totals.waitP50).toBe(45);
    expect(log.totals.placedPods).toBe(2);
    expect(log.nodes[0]!.state.usedUnits).toBe(0);
    // b waited while no GPU was free at all: nothing was stranded.
    expect(log.totals.strandedGpuHours).toBe(0);
  });

  it('when room frees, higher priority goes first, then the earliest failure (kube-scheduler\'s FIFO)', () => {
    const { placed } = run([node('n1', 1)], [
      pod('a', 0, 100, 1000), pod('b-low', 10, 10, 1000), pod('c-high', 20, 10, 1000, { priority: 1 }), pod('d-high', 30, 10, 1000, { priority: 1 }),
    ]);
    expect(placed).toEqual([['a', 0], ['c-high', 100], ['d-high', 110], ['b-low', 120]]);
  });

  it('a pod woken by a departure while it still backs off is retried when its backoff ends (1 s after its first failure)', () => {
    const { placed } = run([node('n1', 1)], [pod('a', 0, 0.5, 1000), pod('b', 0.2, 5, 1000)]);
    expect(placed).toEqual([['a', 0], ['b', 1.2]]);
  });

  it('counts stranded GPU-hours only while a waiting pod fits the pooled free capacity (2 one-GPU nodes, known answer 0.7)', () => {
    // s1 and s2 (600 milli each) cannot share a GPU, so they take one node each and leave 400 + 400 free.
    // p (700) fits the pooled 800 but no GPU: 0.7 GPU stranded until s1 leaves at 3,600 s -> 0.7 GPU-hours.
    // w (a whole GPU) never fits the pooled free capacity while it waits (800, then 300 + 400): not stranded.
    const { placed, log } = run([node('n1', 1), node('n2', 1)], [
      pod('s1', 0, 3600, 600), pod('s2', 0, 7200, 600), pod('p', 0, 10_000, 700), pod('w', 0, 10, 1000),
    ], { horizon: 7200, buckets: 4 });
    expect(placed).toEqual([['s1', 0], ['s2', 0], ['p', 3600], ['w', 7200]]);
    expect(log.totals.strandedGpuHours).toBeCloseTo(0.7, 9);
    // Over time (4 buckets of 1,800 s): 0.35 GPU-hours in each of the first two, nothing after.
    expect(log.series.strandedGpuHours.map((v) => Number(v.toFixed(9)))).toEqual([0.35, 0.7, 0.7, 0.7]);
  });

  it('integrates allocation and pending pods over time: one GPU busy 100 of the 200 s window, one pod waiting 90 s of it', () => {
    const { log } = run([node('n1', 1), node('n2', 1)], [pod('a', 0, 100, 1000), pod('b', 0, 300, 1000), pod('c', 10, 5, 1000), pod('d', 200, 1, 0, { gpus: 0 })]);
    // a and b fill both GPUs; c waits 10..100; the window is [0, 200] (last arrival).
    expect(log.window).toBe(200);
    expect(log.totals.meanAllocatedPct).toBeCloseTo(100 * (2 * 100 + 2 * 5 + 1 * 95) / (2 * 200), 9);
    expect(log.totals.meanPendingPods).toBeCloseTo(90 / 200, 9);
    expect(log.totals.maxPendingPods).toBe(1);
  });

  it('counts a pod no node of the cluster could ever hold as unplaceable and never queues it', () => {
    const { placed, log } = run([node('n1', 2)], [pod('x', 0, 10, 1000, { gpus: 4 }), pod('y', 0, 10, 1000, { spec: 'V100M32' }), pod('z', 0, 10, 500)]);
    expect(placed).toEqual([['z', 0]]);
    expect([log.unplaceable, log.placed, log.neverPlaced]).toEqual([2, 1, 0]);
  });

  it('reports the share of multi-GPU pods that got the best-connected set available anywhere', () => {
    // With the churn topology, "a" has NVLink bridge pairs (4 GPUs) and "b" two PCIe cards. BestFit packs the first
    // 2-GPU pod onto b (least left over) though an NVLink pair was free on a; the second then gets a bridge pair.
    const cluster = churnCluster([{ name: 'a', cpuMilli: 64000, memoryMiB: 256000, gpuCount: 4, model: 'G' },
      { name: 'b', cpuMilli: 64000, memoryMiB: 256000, gpuCount: 2, model: 'G' }], 1, loadTopologyPresets());
    const { placed, log } = run(cluster, [pod('m1', 0, 10, 1000, { gpus: 2 }), pod('m2', 1, 10, 1000, { gpus: 2 })]);
    expect(placed.map(([name]) => name)).toEqual(['m1', 'm2']);
    expect(log.totals.multiGpuPods).toBe(2);
    expect(log.totals.bestConnectedShare).toBe(0.5);
  });

  it('tells a policy of each arrival once, of each departure once, starts every attempt, and rescores when its generation moves', () => {
    const base = baselineReplayPolicy(makeBaseline('BestFit', []));
    const calls = { arrive: 0, start: 0, release: [] as string[], chosen: 0, scores: 0 };
    let gen = 0;
    const policy: ReplayPolicy = {
      ...base,
      name: 'Counting',
      pick: 'custom',
      arrive: () => { calls.arrive++; if (calls.arrive === 3) gen++; },
      startPod: () => { calls.start++; },
      score: (pod, n) => { calls.scores++; return base.score(pod, n); },
      // The last feasible node (a custom choice the harness must honour).
      choose: (_pod, ranks) => { calls.chosen++; for (let i = ranks.length - 1; i >= 0; i--) if (!Number.isNaN(ranks[i]!)) return i; return -1; },
      generation: () => gen,
      release: (_pod, node, alloc) => { calls.release.push(`${node.inventory.name}:${alloc.devices.length}`); },
    };
    const placed: [string, string][] = [];
    const log = churnRun([node('n1', 1), node('n2', 1)], [pod('a', 0, 100, 1000), pod('b', 0, 100, 1000), pod('c', 1, 10, 1000)].map((p, id) => ({ ...p, id })),
      policy, seededRng(1), { observer: { placed: (p, n) => placed.push([p.pod.name, n.inventory.name]) } });
    expect(placed).toEqual([['a', 'n2'], ['b', 'n1'], ['c', 'n2']]);
    expect(calls.arrive).toBe(3);
    expect(log.attempts).toBeGreaterThan(3); // c was retried
    expect(calls.start).toBeGreaterThanOrEqual(3);
    expect(calls.chosen).toBe(3);
    expect(calls.release).toEqual(['n2:1', 'n1:1', 'n2:1']);
    // Scores: 2 for a, 1 for b (only n2 changed), 2 for c after the generation moved (every node afresh), and 2 on
    // its retry at 100 s (both nodes changed when a and b left).
    expect(calls.scores).toBe(7);
  });
});
