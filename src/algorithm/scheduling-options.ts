import type { ParseIssue, ParseResult } from '../model/parse-result.js';
import { failed, parsed } from '../model/parse-result.js';
import { DEFAULT_LEARNING_OPTIONS, type LearningOptions } from './workload-learner.js';

/**
 * One request shape of the target workload the fragmentation measure is taken against (FGD's "typical pods").
 * - whole:   `gpus` empty GPUs;
 * - share:   `gpus` fractional GPUs each with `memoryMiB` and `computeMilli` free;
 * - replica: `gpus` time-sliced GPUs with a free replica;
 * - mig:     one instance of the profile with NVML id `migProfileId` (19 1g, 15 1g-2slice, 14 2g, 9 3g, 5 4g,
 *            0 7g; ids are product-independent, names are not).
 * `cpuMilli` is the host CPU the shape needs where a node accounts CPU (FGD's Q4 "lack cpu").
 */
export interface TargetTask {
  readonly weight: number;
  readonly kind: 'whole' | 'share' | 'replica' | 'mig';
  readonly gpus: number;
  readonly memoryMiB: number;
  readonly computeMilli: number;
  readonly migProfileId: number | null;
  /**
   * For learned MIG shapes: the profile name pods asked for. Names mean different slices on different products
   * (1g.10gb is a 1-slice instance on an 80 GB A100 and a 2-slice one on a 40 GB A100), so when set a GPU hosts
   * the task only where its product offers that name.
   */
  readonly migProfileName?: string | null;
  readonly cpuMilli: number;
  /**
   * Allowed GPU products (as `tessera.io/gpu-model`, matched with modelMatches), or absent/null for any. GPUs
   * of other products cannot host the task (FGD's NoAccess: all their idle share is a fragment for it).
   */
  readonly models?: readonly string[] | null;
}

/** Weights of the score parts (any non-negative numbers; the score is their weighted mean, 0..100). */
export interface ScoreWeights {
  readonly fragmentation: number;
  readonly packing: number;
  readonly topology: number;
  readonly cost: number;
  readonly spot: number;
  readonly groupLocality: number;
}

/** Everything that tunes the algorithm. Validate untrusted values with validateSchedulingOptions. */
export interface SchedulingOptions {
  readonly weights: ScoreWeights;
  /** Target workload for the fragmentation measure; weights are renormalised to sum 1. */
  readonly targetWorkload: readonly TargetTask[];
  /**
   * Milli-GPU units of fragmentation change that move the fragmentation part from 50 to about 73 (FGD uses
   * sigmoid(-delta/1000)).
   */
  readonly fragmentationScale: number;
  /**
   * Share (0..1) of the capacity term in the fragmentation measure F_n; FGD's term gets the rest. The capacity
   * term counts the idle GPU a node cannot turn into whole copies of each target task, GPU- or CPU-wise
   * (see fragmentation.ts). 0 = FGD's measure alone. Absent = 0.
   */
  readonly capacityShare?: number;
  /**
   * Score points taken off per GPU of packing value a placement wastes (packing-value.ts): 0 = off. With it,
   * single-GPU picks on a node also minimise the waste first. Absent = 0.
   */
  readonly valueLossPenalty?: number;
  /**
   * How the target workload is learned from the pods seen (workload-learner.ts); `targetWorkload` is then the
   * cold start. null = `targetWorkload` is fixed (a configured list, or a replay variant).
   */
  readonly learning: LearningOptions | null;
}

const task = (weight: number, kind: TargetTask['kind'], gpus: number, memoryMiB: number, computeMilli: number,
  cpuMilli: number, migProfileId: number | null = null): TargetTask =>
  Object.freeze({ weight, kind, gpus, memoryMiB, computeMilli, migProfileId, cpuMilli });

/** Host CPU (milli) the cold-start workload assumes per GPU of a shape, until real pods say otherwise. */
export const COLD_START_CPU_PER_GPU = 8000;

/**
 * The cold-start target workload: uniform over whole 1, 2, 4 and 8 GPUs and shares of a quarter, half and three
 * quarters of a GPU's compute, each asking COLD_START_CPU_PER_GPU host CPU per GPU it takes. Used only until the
 * learner has seen `learning.minPods` pods. The CPU prior matters: without it the measure is blind to nodes whose
 * CPU runs out before their GPUs, and the cold start strands more than FGD with a uniform workload on the
 * traces (docs/replay.md "Cold start").
 */
export const COLD_START_WORKLOAD: readonly TargetTask[] = Object.freeze([
  task(1, 'whole', 1, 0, 0, COLD_START_CPU_PER_GPU),
  task(1, 'whole', 2, 0, 0, 2 * COLD_START_CPU_PER_GPU),
  task(1, 'whole', 4, 0, 0, 4 * COLD_START_CPU_PER_GPU),
  task(1, 'whole', 8, 0, 0, 8 * COLD_START_CPU_PER_GPU),
  task(1, 'share', 1, 0, 250, COLD_START_CPU_PER_GPU / 4),
  task(1, 'share', 1, 0, 500, COLD_START_CPU_PER_GPU / 2),
  task(1, 'share', 1, 0, 750, (3 * COLD_START_CPU_PER_GPU) / 4),
]);

/** What `tessera serve` ships, and what the replay's "Tessera" policy runs (docs/algorithm.md). */
export const DEFAULT_SCHEDULING_OPTIONS: SchedulingOptions = Object.freeze({
  // packing is off by default: filling fuller nodes pulls against the fragmentation measure and stranded more
  // GPUs on every trace tried (docs/replay.md); the value loss and fragmentation already fill used GPUs first.
  weights: Object.freeze({ fragmentation: 40, packing: 0, topology: 15, cost: 10, spot: 5, groupLocality: 10 }),
  targetWorkload: COLD_START_WORKLOAD,
  fragmentationScale: 1000,
  capacityShare: 0.25,
  valueLossPenalty: 100,
  learning: DEFAULT_LEARNING_OPTIONS,
});

const OPTION_KEYS: readonly string[] = ['weights', 'targetWorkload', 'fragmentationScale', 'capacityShare', 'valueLossPenalty', 'learning'];
const LEARNING_KEYS: readonly (keyof LearningOptions)[] = ['halfLifePods', 'minPods', 'refreshPods', 'drift', 'maxShapes', 'coverage'];
const WEIGHT_KEYS: readonly (keyof ScoreWeights)[] = ['fragmentation', 'packing', 'topology', 'cost', 'spot', 'groupLocality'];
const MIG_IDS: ReadonlySet<number> = new Set([19, 20, 15, 14, 9, 5, 0]);

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function nonNegative(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0;
}

/**
 * Validates options from untrusted input (config file). Missing fields take the defaults; every bad field is
 * reported by its path, e.g. `weights.cost: must be a finite number >= 0, got -1`.
 */
export function validateSchedulingOptions(x: unknown): ParseResult<SchedulingOptions> {
  const errors: ParseIssue[] = [];
  if (x === undefined || x === null) return parsed(DEFAULT_SCHEDULING_OPTIONS);
  if (!isRecord(x)) return failed([{ path: '', message: `scheduling options must be an object, got ${JSON.stringify(x)}` }]);
  let weights = DEFAULT_SCHEDULING_OPTIONS.weights;
  if (x['weights'] !== undefined) {
    const w = x['weights'];
    if (!isRecord(w)) {
      errors.push({ path: 'weights', message: 'must be an object of part weights' });
    } else {
      const out: Record<string, number> = { ...DEFAULT_SCHEDULING_OPTIONS.weights };
      for (const key of Object.keys(w)) {
        if (!(WEIGHT_KEYS as readonly string[]).includes(key)) {
          errors.push({ path: `weights.${key}`, message: `unknown score part: known parts are ${WEIGHT_KEYS.join(', ')}` });
          continue;
        }
        const v = w[key];
        if (!nonNegative(v)) errors.push({ path: `weights.${key}`, message: `must be a finite number >= 0, got ${JSON.stringify(v)}` });
        else out[key] = v;
      }
      if (WEIGHT_KEYS.every((k) => (out[k] ?? 0) === 0)) errors.push({ path: 'weights', message: 'at least one weight must be above 0' });
      weights = out as unknown as ScoreWeights;
    }
  }
  let targetWorkload = DEFAULT_SCHEDULING_OPTIONS.targetWorkload;
  if (x['targetWorkload'] !== undefined) {
    const list = x['targetWorkload'];
    if (!Array.isArray(list) || list.length === 0) {
      errors.push({ path: 'targetWorkload', message: 'must be a non-empty array of request shapes' });
    } else {
      const tasks: TargetTask[] = [];
      list.forEach((t: unknown, i: number) => {
        const r = validateTask(t, `targetWorkload[${i}]`, errors);
        if (r !== null) tasks.push(r);
      });
      if (tasks.length > 0 && tasks.every((t) => t.weight === 0)) {
        errors.push({ path: 'targetWorkload', message: 'at least one shape must have a weight above 0' });
      }
      targetWorkload = tasks;
    }
  }
  let fragmentationScale = DEFAULT_SCHEDULING_OPTIONS.fragmentationScale;
  if (x['fragmentationScale'] !== undefined) {
    const v = x['fragmentationScale'];
    if (!nonNegative(v) || v === 0) errors.push({ path: 'fragmentationScale', message: `must be a finite number > 0, got ${JSON.stringify(v)}` });
    else fragmentationScale = v;
  }
  let capacityShare = DEFAULT_SCHEDULING_OPTIONS.capacityShare ?? 0;
  if (x['capacityShare'] !== undefined) {
    const v = x['capacityShare'];
    if (!nonNegative(v) || v > 1) errors.push({ path: 'capacityShare', message: `must be a number in [0, 1], got ${JSON.stringify(v)}` });
    else capacityShare = v;
  }
  let valueLossPenalty = DEFAULT_SCHEDULING_OPTIONS.valueLossPenalty ?? 0;
  if (x['valueLossPenalty'] !== undefined) {
    const v = x['valueLossPenalty'];
    if (!nonNegative(v)) errors.push({ path: 'valueLossPenalty', message: `must be a finite number >= 0, got ${JSON.stringify(v)}` });
    else valueLossPenalty = v;
  }
  // A configured workload is fixed unless learning is asked for as well; otherwise the defaults learn.
  let learning: LearningOptions | null = x['targetWorkload'] !== undefined ? null : DEFAULT_SCHEDULING_OPTIONS.learning;
  if (x['learning'] !== undefined) learning = validateLearning(x['learning'], errors);
  for (const key of Object.keys(x)) {
    if (!OPTION_KEYS.includes(key)) {
      errors.push({ path: key, message: `unknown option: known options are ${OPTION_KEYS.join(', ')}` });
    }
  }
  if (errors.length > 0) return failed(errors);
  return parsed({ weights, targetWorkload, fragmentationScale, capacityShare, valueLossPenalty, learning });
}

/** `learning`: false or null turns learning off; an object overrides the defaults field by field. */
function validateLearning(x: unknown, errors: ParseIssue[]): LearningOptions | null {
  if (x === null || x === false) return null;
  const base = DEFAULT_SCHEDULING_OPTIONS.learning ?? DEFAULT_LEARNING_OPTIONS;
  if (x === true) return base;
  if (!isRecord(x)) {
    errors.push({ path: 'learning', message: `must be false (fixed workload) or an object of ${LEARNING_KEYS.join(', ')}, got ${JSON.stringify(x)}` });
    return base;
  }
  const out: Record<string, number> = { ...base };
  for (const key of Object.keys(x)) {
    if (!(LEARNING_KEYS as readonly string[]).includes(key)) {
      errors.push({ path: `learning.${key}`, message: `unknown learning option: known options are ${LEARNING_KEYS.join(', ')}` });
      continue;
    }
    const v = x[key];
    const fraction = key === 'drift' || key === 'coverage';
    if (!nonNegative(v) || !(fraction ? v <= 1 && (key !== 'coverage' || v > 0) : Number.isInteger(v) && (key === 'minPods' || v >= 1))) {
      const want = fraction ? (key === 'coverage' ? 'a number in (0, 1]' : 'a number in [0, 1]') : key === 'minPods' ? 'an integer >= 0' : 'an integer >= 1';
      errors.push({ path: `learning.${key}`, message: `must be ${want}, got ${JSON.stringify(v)}` });
    } else {
      out[key] = v;
    }
  }
  return out as unknown as LearningOptions;
}

function validateTask(t: unknown, path: string, errors: ParseIssue[]): TargetTask | null {
  if (!isRecord(t)) {
    errors.push({ path, message: 'must be an object {weight, kind, gpus, memoryMiB, computeMilli, migProfileId, cpuMilli, models}' });
    return null;
  }
  const before = errors.length;
  const num = (key: string, dflt: number, integer = false): number => {
    const v = t[key];
    if (v === undefined) return dflt;
    if (!nonNegative(v) || (integer && !Number.isInteger(v))) {
      errors.push({ path: `${path}.${key}`, message: `must be a finite ${integer ? 'integer' : 'number'} >= 0, got ${JSON.stringify(v)}` });
      return dflt;
    }
    return v;
  };
  const kind = t['kind'];
  if (kind !== 'whole' && kind !== 'share' && kind !== 'replica' && kind !== 'mig') {
    errors.push({ path: `${path}.kind`, message: `must be one of whole, share, replica, mig, got ${JSON.stringify(kind)}` });
  }
  const weight = num('weight', 1);
  const gpus = num('gpus', 1, true);
  if (gpus < 1) errors.push({ path: `${path}.gpus`, message: 'must be at least 1' });
  const memoryMiB = num('memoryMiB', 0);
  const computeMilli = num('computeMilli', 0);
  if (computeMilli > 1000) errors.push({ path: `${path}.computeMilli`, message: `must be at most 1000, got ${computeMilli}` });
  const cpuMilli = num('cpuMilli', 0);
  let migProfileId: number | null = null;
  if (kind === 'mig') {
    const id = t['migProfileId'];
    if (typeof id !== 'number' || !MIG_IDS.has(id)) {
      errors.push({ path: `${path}.migProfileId`, message: `must be an NVML GPU-instance profile id (19, 20, 15, 14, 9, 5, 0), got ${JSON.stringify(id)}` });
    } else {
      migProfileId = id;
    }
  }
  let models: string[] | null = null;
  const m = t['models'];
  if (m !== undefined && m !== null) {
    if (!Array.isArray(m) || m.length === 0 || !m.every((x) => typeof x === 'string' && x.trim() !== '')) {
      errors.push({ path: `${path}.models`, message: `must be a non-empty array of GPU model names, got ${JSON.stringify(m)}` });
    } else {
      models = m as string[];
    }
  }
  if (errors.length > before) return null;
  return { weight, kind: kind as TargetTask['kind'], gpus, memoryMiB, computeMilli, migProfileId, cpuMilli, models };
}
