import type { PresetCatalog } from '../../model/topology-preset.js';
import type { Trace } from '../replay/load-trace.js';
import type { SchedulingOptions, TargetTask } from '../../algorithm/scheduling-options.js';
import { makeSnapshot } from '../../algorithm/snapshot.js';
import { schedulerProfileModelFromFile } from '../kube-scheduler/scheduler-profile-model.js';
import type { ReplayPolicy } from '../replay/replay-policy.js';
import type { NodeChoiceSpec, PolicyName } from '../replay/replay-trace.js';
import { DEFAULT_POLICY_NAMES, labOptions, makePolicy, POLICY_NAMES, traceGpuCapacity } from '../replay/replay-trace.js';
import type { NodeChoice } from '../replay/tessera-replay-policy.js';
import { tesseraReplayPolicy } from '../replay/tessera-replay-policy.js';
import { seededRng } from '../replay/seeded-rng.js';
import { churnCluster, shuffledNodes } from './churn-cluster.js';
import type { ChurnSeries, ChurnTotals } from './churn-metrics.js';
import type { PriorityMode, TimedPodList } from './churn-pods.js';
import { churnArrivals } from './churn-pods.js';
import { churnRun } from './churn-run.js';

/** Time series cover this many arrival windows, so the backlog's drain after the last arrival shows too. */
export const CHURN_HORIZON_WINDOWS = 4;

/** The suffix of the defragmentation variant of a policy, e.g. `Tessera+defrag`. */
export const DEFRAG_SUFFIX = '+defrag';

/**
 * Named variants of Tessera's policy beside the replay's own (Tessera-lab, Tessera-cold): the same core through
 * tesseraReplayPolicy, other options.
 * - `Tessera-whole`: Tessera-lab's options (the trace's typical pods up front) with the trace's multi-GPU shapes
 *   added to the target workload, weighted by their share of pods (the typical pods stop at 95 % of pods and
 *   leave out every 2/4/8-GPU shape).
 */
export const TESSERA_VARIANTS: Readonly<Record<string, (trace: Trace) => SchedulingOptions>> = {
  'Tessera-whole': (trace) => {
    const base = labOptions(trace);
    const shapes = new Map<string, { gpus: number; cpuMilli: number; count: number }>();
    for (const p of trace.pods) {
      if (p.gpuCount < 2) continue;
      const key = `${p.gpuCount}|${p.cpuMilli}`;
      const s = shapes.get(key) ?? { gpus: p.gpuCount, cpuMilli: p.cpuMilli, count: 0 };
      s.count++;
      shapes.set(key, s);
    }
    const extra: TargetTask[] = [...shapes.values()].map((s) => ({
      weight: s.count / trace.pods.length, kind: 'whole', gpus: s.gpus, memoryMiB: 0, computeMilli: 0, migProfileId: null, cpuMilli: s.cpuMilli, models: null,
    }));
    return { ...base, targetWorkload: [...base.targetWorkload, ...extra] };
  },
};

/** The base policy of a churn policy name (without +defrag), or null when unknown. */
function basePolicy(name: string): string | null {
  const base = name.endsWith(DEFRAG_SUFFIX) ? name.slice(0, -DEFRAG_SUFFIX.length) : name;
  return (POLICY_NAMES as readonly string[]).includes(base) || base in TESSERA_VARIANTS ? base : null;
}

/** Churn mode's policy names: the replay's, Tessera's churn variants, and their defragmentation variants. */
export function isChurnPolicy(name: string): boolean {
  return basePolicy(name) !== null;
}

/** Builds a churn policy on the churn cluster's `trace` (its nodes are the cluster's); Tessera's pick nodes by `choice`. */
export function churnPolicy(name: string, trace: Trace, choice: NodeChoiceSpec = { kind: 'argmax' }): ReplayPolicy {
  const base = basePolicy(name);
  if (base === null) throw new Error(`bug: unknown churn policy "${name}"`);
  const variant = TESSERA_VARIANTS[base];
  const nodeChoice: NodeChoice = choice.kind === 'argmax' ? choice : { kind: 'kube-scheduler', profile: schedulerProfileModelFromFile(choice.schedulerConfig) };
  const policy = variant === undefined
    ? makePolicy(base as PolicyName, trace, choice)
    : tesseraReplayPolicy(variant(trace), { ...makeSnapshot([]), gpuCapacity: traceGpuCapacity(trace) }, nodeChoice, base);
  return name === policy.name ? policy : { ...policy, name };
}

/**
 * What `--policies all` runs in churn mode: the six baselines, Tessera as shipped, defragmentation on FGD and
 * Tessera, and Tessera-whole with and without it.
 */
export const CHURN_ALL_POLICIES: readonly string[] = [
  ...DEFAULT_POLICY_NAMES, `FGD${DEFRAG_SUFFIX}`, `Tessera${DEFRAG_SUFFIX}`, 'Tessera-whole', `Tessera-whole${DEFRAG_SUFFIX}`,
];

/** Everything that fixes one churn run besides the trace. */
export interface ChurnSetup {
  readonly policy: string;
  readonly seed: number;
  /** Arrival-rate factor: × the trace's arrival rate (inter-arrival times divided by it). */
  readonly rate: number;
  /** Keep every `stride`-th GPU node (by name). */
  readonly stride: number;
  readonly priority: PriorityMode;
  /** Time-series buckets over CHURN_HORIZON_WINDOWS arrival windows. */
  readonly buckets: number;
  /** How Tessera's policies pick a node (baselines keep their own). */
  readonly nodeChoice: NodeChoiceSpec;
}

/** One churn run's result (structured-cloneable: it crosses the worker boundary). */
export interface ChurnResult {
  readonly trace: string;
  readonly policy: string;
  readonly seed: number;
  readonly rate: number;
  readonly nodes: number;
  readonly gpus: number;
  /** Σ GPU × run time of the arrivals / (GPU capacity × arrival window): the load as queueing theory counts it. */
  readonly offeredLoad: number;
  readonly arrived: number;
  readonly placed: number;
  readonly unplaceable: number;
  readonly neverPlaced: number;
  readonly skippedNeverScheduled: number;
  readonly attempts: number;
  readonly defragPlans: number;
  readonly defragMoves: number;
  readonly defragRequeued: number;
  readonly windowSeconds: number;
  readonly drainedSeconds: number;
  readonly totals: ChurnTotals;
  readonly series: ChurnSeries;
  readonly ms: number;
}

/** Runs one churn replay of `trace` (its pod list with times in `timed`). */
export function runChurnOne(trace: Trace, timed: TimedPodList, presets: PresetCatalog, setup: ChurnSetup): ChurnResult {
  const t0 = performance.now();
  const defrag = setup.policy.endsWith(DEFRAG_SUFFIX);
  const cluster = churnCluster(trace.nodes, setup.stride, presets);
  const clusterNames = new Set(cluster.map((n) => n.name));
  // Policies see the churn cluster's nodes (Tessera weighs GPU products by the fleet's GPUs per product).
  const named = churnPolicy(setup.policy, { ...trace, nodes: trace.nodes.filter((n) => clusterNames.has(n.name)) }, setup.nodeChoice);
  const arrivals = churnArrivals(timed, setup.rate, seededRng(setup.seed), setup.priority);
  const nodes = shuffledNodes(cluster, seededRng(setup.seed ^ 0x6a09e667));
  const window = arrivals.pods.length === 0 ? 0 : arrivals.pods[arrivals.pods.length - 1]!.arrival;
  const log = churnRun(nodes, arrivals.pods, named, seededRng(setup.seed * 7919 + 1),
    { defrag, buckets: setup.buckets, horizon: CHURN_HORIZON_WINDOWS * window });
  const capacity = log.capacityMilli;
  let work = 0;
  for (const p of arrivals.pods) work += p.pod.gpuCount * p.pod.gpuMilli * p.runSeconds;
  return {
    trace: trace.name,
    policy: setup.policy,
    seed: setup.seed,
    rate: setup.rate,
    nodes: cluster.length,
    gpus: capacity / 1000,
    offeredLoad: log.window > 0 ? work / (capacity * log.window) : 0,
    arrived: log.arrived,
    placed: log.placed,
    unplaceable: log.unplaceable,
    neverPlaced: log.neverPlaced,
    skippedNeverScheduled: arrivals.skippedNeverScheduled,
    attempts: log.attempts,
    defragPlans: log.defragPlans,
    defragMoves: log.defragMoves,
    defragRequeued: log.defragRequeued,
    windowSeconds: log.window,
    drainedSeconds: log.drained,
    totals: log.totals,
    series: log.series,
    ms: performance.now() - t0,
  };
}
