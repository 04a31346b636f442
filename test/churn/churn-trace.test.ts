import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopologyPresets } from '../../src/io/load-topology-presets.js';
import type { Allocation } from '../../src/model/allocation.js';
import { parseNodeList } from '../../src/sim/replay/load-trace.js';
import { churnPolicy } from '../../src/sim/churn/churn-job.js';
import { seededRng } from '../../src/sim/replay/seeded-rng.js';
import { churnCluster, shuffledNodes } from '../../src/sim/churn/churn-cluster.js';
import type { ChurnPod, TimedPodList } from '../../src/sim/churn/churn-pods.js';
import { churnArrivals, parseTimedPodList } from '../../src/sim/churn/churn-pods.js';
import { churnRun } from '../../src/sim/churn/churn-run.js';

const DIR = resolve(import.meta.dirname, '../../../shared/traces/alibaba-gpu-v2023');
const PODS = `${DIR}/openb_pod_list_default.csv`;
const NODES = `${DIR}/openb_node_list_gpu_node.csv`;

/** The trace's last four days: about 1,500 pods, replayed at 100× onto every 32nd GPU node (38 nodes), so pods queue. */
function slice(): { list: TimedPodList; nodes: ReturnType<typeof parseNodeList> } {
  for (const f of [PODS, NODES]) {
    if (!existsSync(f)) throw new Error(`the churn trace test needs the Alibaba trace: "${f}" is missing (see docs/replay.md)`);
  }
  const all = parseTimedPodList(readFileSync(PODS, 'utf8'), PODS);
  const end = Math.max(...all.times.map((t) => t.creation));
  const keep = all.times.map((t, i) => (t.creation >= end - 4 * 86400 ? i : -1)).filter((i) => i >= 0);
  return { list: { pods: keep.map((i) => all.pods[i]!), times: keep.map((i) => all.times[i]!) }, nodes: parseNodeList(readFileSync(NODES, 'utf8')) };
}

describe('churn replay of a slice of the default trace', () => {
  const { list, nodes } = slice();
  const cluster = churnCluster(nodes, 32, loadTopologyPresets());
  const names = new Set(cluster.map((n) => n.name));
  const trace = { name: 'default', nodes: nodes.filter((n) => names.has(n.name)), pods: list.pods };
  const arrivals = churnArrivals(list, 100, seededRng(42));

  // Tessera as shipped picks nodes as kube-scheduler does (deploy/'s configuration): its choice tracks host
  // resources per node, which departures must give back (ReplayPolicy.release).
  const kubeScheduler = { kind: 'kube-scheduler' as const, schedulerConfig: resolve(import.meta.dirname, '../../deploy/scheduler-config.yaml') };
  it.each([
    ['FGD', kubeScheduler], ['Tessera', kubeScheduler], ['Tessera-lab', { kind: 'argmax' as const }], ['Random', kubeScheduler], ['Tessera+defrag', kubeScheduler],
  ])('%s: never over-commits, each departure releases exactly what was placed, waits >= 0, pods conserved', (name, choice) => {
    const defrag = name.endsWith('+defrag');
    const policy = churnPolicy(name, trace, choice);
    const held = new Map<number, Allocation>();
    const placedAt = new Map<number, number>();
    let placements = 0, departures = 0, moves = 0;
    const byId = new Map<number, ChurnPod>(arrivals.pods.map((p) => [p.id, p]));
    const log = churnRun(shuffledNodes(cluster, seededRng(7)), arrivals.pods, policy, seededRng(1), {
      defrag,
      observer: {
        placed(pod, node, alloc, t) {
          placements++;
          expect(held.has(pod.id), `pod ${pod.pod.name} placed twice at once`).toBe(false);
          held.set(pod.id, alloc);
          if (!placedAt.has(pod.id)) placedAt.set(pod.id, t);
          expect(t).toBeGreaterThanOrEqual(byId.get(pod.id)!.arrival);
          const s = node.state;
          s.inventory.gpus.forEach((g, i) => {
            expect(s.usage.gpus[i]!.computeMilli).toBeLessThanOrEqual(g.computeMilli);
            expect(s.usage.gpus[i]!.memoryMiB).toBeLessThanOrEqual(g.memoryMiB);
          });
          expect(s.usage.cpuMilli).toBeLessThanOrEqual(s.inventory.cpuMilli);
          expect(s.usage.memoryMiB).toBeLessThanOrEqual(s.inventory.memoryMiB);
        },
        left(pod, _node, alloc, _t, before, after) {
          departures++;
          expect(held.get(pod.id)).toEqual(alloc);
          held.delete(pod.id);
          expect(before.usage.cpuMilli - after.usage.cpuMilli).toBe(alloc.cpuMilli);
          expect(before.usage.memoryMiB - after.usage.memoryMiB).toBe(alloc.memoryMiB);
          for (const d of alloc.devices) {
            expect(before.usage.gpus[d.gpuIndex]!.computeMilli - after.usage.gpus[d.gpuIndex]!.computeMilli).toBe(d.computeMilli);
            expect(before.usage.gpus[d.gpuIndex]!.memoryMiB - after.usage.gpus[d.gpuIndex]!.memoryMiB).toBeCloseTo(d.memoryMiB, 6);
          }
        },
        moved() { moves++; },
      },
    });
    expect(arrivals.pods.length).toBeGreaterThan(1000);
    expect(log.placed + log.unplaceable + log.neverPlaced).toBe(arrivals.pods.length);
    expect(log.neverPlaced).toBe(0);
    // Every arrival is placed once; a moved pod once more (at once, or after queueing again).
    expect(placements).toBe(log.placed + log.defragMoves);
    expect(departures).toBe(placements);
    expect(held.size).toBe(0);
    for (const n of log.nodes) {
      expect(n.state.usedUnits).toBe(0);
      expect(n.state.usage.cpuMilli).toBe(0);
    }
    expect(log.totals.placedPods).toBe(log.placed);
    expect(log.totals.waitP50).toBeGreaterThanOrEqual(0);
    // The slice queues: pods waited and GPUs were stranded (the replay is not a no-op).
    expect(log.totals.maxPendingPods).toBeGreaterThan(10);
    expect(log.totals.waitP99).toBeGreaterThan(60);
    expect(log.totals.strandedGpuHours).toBeGreaterThan(0);
    if (defrag) {
      expect(log.defragPlans).toBeGreaterThan(0);
      expect(moves).toBe(log.defragMoves);
    }
  }, 60_000);
});
