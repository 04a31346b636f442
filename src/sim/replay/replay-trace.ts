import { makeBaseline, BASELINE_NAMES } from '../../algorithm/baselines/baselines.js';
import type { TypicalPod } from '../../algorithm/baselines/fgd-fragmentation.js';
import type { SchedulingOptions } from '../../algorithm/scheduling-options.js';
import { COLD_START_WORKLOAD, DEFAULT_SCHEDULING_OPTIONS } from '../../algorithm/scheduling-options.js';
import { DEFAULT_LEARNING_OPTIONS } from '../../algorithm/workload-learner.js';
import { schedulerProfileModelFromFile } from '../kube-scheduler/scheduler-profile-model.js';
import { makeSnapshot } from '../../algorithm/snapshot.js';
import { baselineReplayPolicy } from './baseline-replay-policy.js';
import { allocationCurve } from './discretize.js';
import type { Trace } from './load-trace.js';
import type { ReplayPolicy } from './replay-policy.js';
import { replayRun } from './replay-run.js';
import { seedSetup } from './seed-setup.js';
import { seededRng } from './seeded-rng.js';
import { tesseraReplayPolicy, type NodeChoice } from './tessera-replay-policy.js';
import { traceTargetWorkload } from './trace-workload.js';
import { typicalPods } from './typical-pods.js';

/**
 * Every policy the replay knows: the six baselines, Tessera as shipped, and named variants:
 * - Tessera:       the extender's shipped defaults (DEFAULT_SCHEDULING_OPTIONS), learning its target workload
 *                  from the arrivals so far, exactly as `tessera serve` does;
 * - Tessera-lab:   the packer given the trace's typical pods up front (as FGD is), only the fragmentation part
 *                  weighted, value-loss penalty REPLAY_VALUE_LOSS_PENALTY; the earlier lab setting;
 * - Tessera-cold:  the shipped defaults with learning that never warms (the cold-start workload throughout);
 * - FGD-uniform:   FGD with a uniform workload: typical pods uniform over the cold start's GPU shapes (whole 1, 2,
 *                  4, 8; shares of 1/4, 1/2, 3/4), asking no CPU (what the cold start is held to);
 * - FGD-cold:      FGD with exactly Tessera's cold-start workload, its CPU prior included.
 */
export const POLICY_NAMES = [...BASELINE_NAMES, 'Tessera', 'Tessera-lab', 'Tessera-cold', 'FGD-uniform', 'FGD-cold'] as const;
/** A policy name. */
export type PolicyName = (typeof POLICY_NAMES)[number];
/** The policies `--policies all` runs: the six baselines and Tessera as shipped. */
export const DEFAULT_POLICY_NAMES: readonly PolicyName[] = [...BASELINE_NAMES, 'Tessera'];

/** Score points per GPU of packing value wasted in the Tessera-lab variant. */
export const REPLAY_VALUE_LOSS_PENALTY = 300;

/**
 * The Tessera-lab variant's configuration: the defaults with the target workload taken from the trace's typical
 * pods (as FGD does), only the fragmentation part weighted and the value-loss penalty at
 * REPLAY_VALUE_LOSS_PENALTY, no learning.
 */
export function labOptions(trace: Trace): SchedulingOptions {
  return {
    ...DEFAULT_SCHEDULING_OPTIONS,
    weights: { fragmentation: 1, packing: 0, topology: 0, cost: 0, spot: 0, groupLocality: 0 },
    targetWorkload: traceTargetWorkload(typicalPods(trace.pods)),
    valueLossPenalty: REPLAY_VALUE_LOSS_PENALTY,
    learning: null,
  };
}

/** The shipped defaults with a learner that never warms: the cold start throughout. */
export function coldOptions(): SchedulingOptions {
  const learning = DEFAULT_SCHEDULING_OPTIONS.learning ?? DEFAULT_LEARNING_OPTIONS;
  return { ...DEFAULT_SCHEDULING_OPTIONS, learning: { ...learning, minPods: Number.MAX_SAFE_INTEGER } };
}

/**
 * The cold-start workload's GPU shapes as FGD's typical pods, uniform: whole GPUs and shares of compute, with the
 * cold start's CPU prior (`withCpu`) or asking no CPU.
 */
export function uniformTypicalPods(withCpu: boolean): TypicalPod[] {
  const tasks = COLD_START_WORKLOAD;
  const total = tasks.reduce((s, t) => s + t.weight, 0);
  return tasks.map((t) => ({
    cpuMilli: withCpu ? t.cpuMilli : 0, gpuMilli: t.kind === 'whole' ? 1000 : t.computeMilli, gpuCount: t.gpus, models: null, p: t.weight / total,
  }));
}

/** GPUs per trace model over the trace's GPU nodes. */
export function traceGpuCapacity(trace: Trace): Map<string, number> {
  const out = new Map<string, number>();
  for (const n of trace.nodes) if (n.gpuCount > 0) out.set(n.model, (out.get(n.model) ?? 0) + n.gpuCount);
  return out;
}

/** Where the replay reads kube-scheduler's configuration for `--node-choice kube-scheduler` (relative to the working directory). */
export const DEFAULT_SCHEDULER_CONFIG = 'deploy/scheduler-config.yaml';

/** How Tessera's policies pick nodes in one replay (baselines keep the FGD protocol's argmax or random). */
export type NodeChoiceSpec = { readonly kind: 'kube-scheduler'; readonly schedulerConfig: string } | { readonly kind: 'argmax' };

/** Builds policy `name` for `trace` (FGD and Tessera-lab read the trace's typical pods). */
export function makePolicy(name: PolicyName, trace: Trace, choice: NodeChoiceSpec = { kind: 'argmax' }): ReplayPolicy {
  if (name === 'Tessera' || name === 'Tessera-lab' || name === 'Tessera-cold') {
    const options = name === 'Tessera' ? DEFAULT_SCHEDULING_OPTIONS : name === 'Tessera-lab' ? labOptions(trace) : coldOptions();
    const nodeChoice: NodeChoice = choice.kind === 'argmax' ? choice : { kind: 'kube-scheduler', profile: schedulerProfileModelFromFile(choice.schedulerConfig) };
    // No node states in the snapshot (the replay keeps its own), only the fleet's GPUs per product, which the
    // packing values weigh products by.
    return tesseraReplayPolicy(options, { ...makeSnapshot([]), gpuCapacity: traceGpuCapacity(trace) }, nodeChoice, name);
  }
  if (name === 'FGD-uniform' || name === 'FGD-cold') return baselineReplayPolicy({ ...makeBaseline('FGD', uniformTypicalPods(name === 'FGD-cold')), name });
  return baselineReplayPolicy(makeBaseline(name, typicalPods(trace.pods)));
}

/** One (policy, seed) result: the discretised allocation curve and run facts. */
export interface RunResult {
  readonly trace: string;
  readonly policy: string;
  readonly seed: number;
  /** Allocation % by arrival % 0..130 (NaN where no point). */
  readonly curve: number[];
  readonly failed: number;
  readonly pods: number;
  readonly ms: number;
}

/** Replays `trace` under `policy` with `seed` (arrival and node order fixed by the seed for every policy). */
export function runOne(trace: Trace, policy: PolicyName, seed: number, onProgress?: (done: number, total: number) => void,
  choice: NodeChoiceSpec = { kind: 'argmax' }): RunResult {
  const t0 = performance.now();
  const setup = seedSetup(trace, seed);
  const log = replayRun(setup.nodes, [], setup.pods, makePolicy(policy, trace, choice), seededRng(seed * 7919 + 1),
    onProgress ? (k) => onProgress(k, setup.pods.length) : undefined);
  const curve = allocationCurve(log.arrivedMilli, log.usedMilli, log.capacityMilli);
  return { trace: trace.name, policy, seed, curve, failed: log.failed, pods: setup.pods.length, ms: performance.now() - t0 };
}

