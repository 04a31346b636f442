import { prefilter } from '../../algorithm/cycle-state.js';
import { filterNode } from '../../algorithm/filter.js';
import { setQuality } from '../../algorithm/gpu-sets.js';
import { makeNodeState } from '../../algorithm/node-state.js';
import { placeOnNode } from '../../algorithm/place.js';
import type { SchedulingOptions } from '../../algorithm/scheduling-options.js';
import { DEFAULT_SCHEDULING_OPTIONS } from '../../algorithm/scheduling-options.js';
import { makeSnapshot } from '../../algorithm/snapshot.js';
import type { Allocation } from '../../model/allocation.js';
import type { NodeInventory } from '../../model/node-inventory.js';
import type { PresetCatalog } from '../../model/topology-preset.js';
import { generatedPcieMatrix } from '../../model/topology-preset.js';
import { arrivalOrder } from './arrival-order.js';
import type { Trace, TracePod } from './load-trace.js';
import type { ReplayNode, ReplayPod } from './replay-policy.js';
import { replayRun } from './replay-run.js';
import type { Scenario } from './scenario.js';
import { seededRng } from './seeded-rng.js';
import { tesseraReplayPolicy, type NodeChoice } from './tessera-replay-policy.js';
import { traceNodeInventory } from './trace-to-model.js';
import { EvaluationMemo } from '../../algorithm/evaluation-memo.js';

/** What a scenario run reports per policy. */
export interface ScenarioResult {
  readonly scenario: string;
  readonly policy: string;
  readonly nodes: number;
  readonly spotNodes: number;
  readonly pods: number;
  readonly failedPods: number;
  readonly unallocatedPct: number;
  /** Multi-GPU pods placed whose GPU set is as well connected as the best set any feasible node offered. */
  readonly multiGpuPods: number;
  readonly multiGpuBestConnectedShare: number;
  /** Placements of pods that are not interruptible onto spot nodes (must be 0). */
  readonly nonInterruptibleOnSpot: number;
  /** Σ hourly price of nodes holding any pod / allocated GPUs, at the end of the replay. */
  readonly costPerAllocatedGpuHour: number;
}

/** The scenario's cluster: sampled GPU nodes with preset topology, prices and seeded spot nodes. */
export function scenarioCluster(trace: Trace, sc: Scenario, presets: PresetCatalog): NodeInventory[] {
  const rng = seededRng(sc.seed ^ 0x5eed);
  const gpuNodes = trace.nodes.filter((n) => n.gpuCount > 0).sort((a, b) => (a.name < b.name ? -1 : 1))
    .filter((_, i) => i % sc.nodeStride === 0);
  return gpuNodes.map((n) => {
    const base = traceNodeInventory(n);
    const preset = sc.topology[n.model] !== undefined ? presets.get(sc.topology[n.model]!) : undefined;
    const topo = preset !== undefined && preset.gpuCount === n.gpuCount
      ? { links: preset.links, numaNodes: preset.numaNodes, source: preset.name }
      : { ...generatedPcieMatrix(n.gpuCount), source: `inferred-pcie-${n.gpuCount}x` };
    const spot = rng.next() < sc.spotShare;
    const perGpu = sc.pricePerGpuHour[n.model];
    return {
      ...base,
      gpus: base.gpus.map((g, i) => ({ ...g, numaNode: topo.numaNodes[i] ?? null })),
      links: topo.links,
      topologySource: topo.source,
      capacityType: spot ? 'spot' : 'on-demand',
      hourlyPrice: perGpu === undefined ? null : perGpu * n.gpuCount * (spot ? 1 - sc.spotDiscount : 1),
    };
  });
}

/** The scenario's arrivals: the trace shuffled and tuned to `arrivalRatio`, some pods interruptible. */
export function scenarioPods(trace: Trace, sc: Scenario, capacityMilli: number): TracePod[] {
  const rng = seededRng(sc.seed);
  return arrivalOrder(trace.pods, capacityMilli, rng, sc.arrivalRatio).map((p) => ({
    ...p,
    interruptible: rng.next() < sc.interruptibleShare,
    topology: p.gpuCount > 1 ? 'nvlink-preferred' : 'any',
  }));
}

/** Tessera's shipped defaults (learning its workload from the arrivals); `costBlind` zeroes the cost and spot parts. */
export function scenarioOptions(costBlind: boolean): SchedulingOptions {
  const w = DEFAULT_SCHEDULING_OPTIONS.weights;
  return { ...DEFAULT_SCHEDULING_OPTIONS, weights: costBlind ? { ...w, cost: 0, spot: 0 } : w };
}

function gpuMask(alloc: Allocation): number {
  let m = 0;
  for (const d of alloc.devices) m |= 1 << d.gpuIndex;
  return m;
}

/**
 * Replays the scenario under Tessera as shipped (cost-aware) and the same packer with cost and spot weights at 0,
 * each pod's node chosen by `choice` (the scenario command models kube-scheduler with deploy/'s configuration).
 */
export function runScenario(trace: Trace, sc: Scenario, presets: PresetCatalog, choice: NodeChoice = { kind: 'argmax' }): ScenarioResult[] {
  const inventories = scenarioCluster(trace, sc, presets);
  const capacity = inventories.reduce((s, n) => s + n.gpus.length * 1000, 0);
  const pods = scenarioPods(trace, sc, capacity);
  const snapshot = makeSnapshot(inventories.map((n) => makeNodeState(n)));
  return [['Tessera', false], ['CostBlind', true]].map(([name, blind]) => {
    const options = scenarioOptions(blind as boolean);
    const policy = tesseraReplayPolicy(options, snapshot, choice, name as string);
    const memo = new EvaluationMemo(options);
    let multi = 0, best = 0, onSpot = 0;
    const onPlace = (_k: number, pod: ReplayPod, node: ReplayNode, alloc: Allocation, nodes: readonly ReplayNode[]): void => {
      const req = pod.request;
      if (!req.interruptible && node.inventory.capacityType === 'spot') onSpot++;
      if (req.gpus < 2) return;
      multi++;
      const chosen = setQuality(node.state.info, gpuMask(alloc));
      const cycle = prefilter(req, snapshot, options, memo);
      let top = -1;
      for (const n of nodes) {
        if (filterNode(req, n.state, cycle).code !== 'success') continue;
        const a = placeOnNode(req, n.state, cycle).allocation;
        if (a) top = Math.max(top, setQuality(n.state.info, gpuMask(a)));
      }
      if (chosen >= top - 1e-9) best++;
    };
    const log = replayRun(inventories, [], pods, policy, seededRng(sc.seed + 1), undefined, onPlace);
    let price = 0, usedMilli = 0;
    for (const n of log.nodes) {
      const used = n.inventory.gpus.reduce((s, g, i) => s + (g.computeMilli - n.free.gpuLeft[i]!), 0);
      if (used > 0 && n.inventory.hourlyPrice !== null) { price += n.inventory.hourlyPrice; usedMilli += used; }
    }
    const total = log.usedMilli[log.usedMilli.length - 1] ?? 0;
    return {
      scenario: sc.name,
      policy: name as string,
      nodes: inventories.length,
      spotNodes: inventories.filter((n) => n.capacityType === 'spot').length,
      pods: pods.length,
      failedPods: log.failed,
      unallocatedPct: 100 - (100 * total) / capacity,
      multiGpuPods: multi,
      multiGpuBestConnectedShare: multi === 0 ? 1 : best / multi,
      nonInterruptibleOnSpot: onSpot,
      costPerAllocatedGpuHour: usedMilli === 0 ? 0 : price / (usedMilli / 1000),
    };
  });
}
