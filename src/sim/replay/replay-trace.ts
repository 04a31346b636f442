import { makeBaseline, BASELINE_NAMES } from '../../algorithm/baselines/baselines.js';
import type { SchedulingOptions } from '../../algorithm/scheduling-options.js';
import { DEFAULT_SCHEDULING_OPTIONS } from '../../algorithm/scheduling-options.js';
import { makeSnapshot } from '../../algorithm/snapshot.js';
import { baselineReplayPolicy } from './baseline-replay-policy.js';
import { allocationCurve } from './discretize.js';
import type { Trace } from './load-trace.js';
import type { ReplayPolicy } from './replay-policy.js';
import { replayRun } from './replay-run.js';
import { seedSetup } from './seed-setup.js';
import { seededRng } from './seeded-rng.js';
import { tesseraReplayPolicy } from './tessera-replay-policy.js';
import { traceTargetWorkload } from './trace-workload.js';
import { typicalPods } from './typical-pods.js';

/** Every policy the replay knows: the six baselines and Tessera. */
export const POLICY_NAMES = [...BASELINE_NAMES, 'Tessera'] as const;
/** A policy name. */
export type PolicyName = (typeof POLICY_NAMES)[number];

/**
 * Score points per GPU of packing value wasted in the replay. With the fragmentation part alone weighted, 300
 * makes the least waste decide first and fragmentation break its ties (100 / 300 / 1000 / 3000 were tried:
 * 300 and above are equal, docs/replay.md).
 */
export const REPLAY_VALUE_LOSS_PENALTY = 300;

/**
 * The one configuration Tessera replays every trace with: the defaults (fragmentation scale 1000, capacity
 * share 0.25) with the target workload taken from the trace's typical pods (as FGD does), only the
 * fragmentation part weighted — the trace has no prices, spot nodes, groups or topology, and packing pulls
 * against fragmentation (it made every variant tried worse) — and the value-loss penalty at
 * REPLAY_VALUE_LOSS_PENALTY.
 */
export function replayOptions(trace: Trace): SchedulingOptions {
  return {
    ...DEFAULT_SCHEDULING_OPTIONS,
    weights: { fragmentation: 1, packing: 0, topology: 0, cost: 0, spot: 0, groupLocality: 0 },
    targetWorkload: traceTargetWorkload(typicalPods(trace.pods)),
    capacityShare: DEFAULT_SCHEDULING_OPTIONS.capacityShare ?? 0.25,
    valueLossPenalty: REPLAY_VALUE_LOSS_PENALTY,
  };
}

/** GPUs per trace model over the trace's GPU nodes. */
export function traceGpuCapacity(trace: Trace): Map<string, number> {
  const out = new Map<string, number>();
  for (const n of trace.nodes) if (n.gpuCount > 0) out.set(n.model, (out.get(n.model) ?? 0) + n.gpuCount);
  return out;
}

/** Builds policy `name` for `trace` (FGD and Tessera read the trace's typical pods). */
export function makePolicy(name: PolicyName, trace: Trace): ReplayPolicy {
  if (name === 'Tessera') {
    // No node states in the snapshot (the replay keeps its own), only the fleet's GPUs per product, which the
    // packing values weigh products by.
    return tesseraReplayPolicy(replayOptions(trace), { ...makeSnapshot([]), gpuCapacity: traceGpuCapacity(trace) });
  }
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
export function runOne(trace: Trace, policy: PolicyName, seed: number, onProgress?: (done: number, total: number) => void): RunResult {
  const t0 = performance.now();
  const setup = seedSetup(trace, seed);
  const log = replayRun(setup.nodes, [], setup.pods, makePolicy(policy, trace), seededRng(seed * 7919 + 1),
    onProgress ? (k) => onProgress(k, setup.pods.length) : undefined);
  const curve = allocationCurve(log.arrivedMilli, log.usedMilli, log.capacityMilli);
  return { trace: trace.name, policy, seed, curve, failed: log.failed, pods: setup.pods.length, ms: performance.now() - t0 };
}

