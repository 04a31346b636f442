import type { GpuRequest } from '../model/gpu-request.js';
import { migProducts, migProfilesFor } from '../model/mig-profiles.js';
import type { TargetTask } from './scheduling-options.js';

/**
 * How the target workload is learned from the pods Tessera sees (docs/algorithm.md "Learned workload").
 * Counts are in pods, never in seconds: the learner has no clock, so a replay and the service learn alike.
 */
export interface LearningOptions {
  /** Pods after which an observation weighs half as much (exponential decay by arrivals). */
  readonly halfLifePods: number;
  /** Pods to see before the learned workload replaces the cold-start one. */
  readonly minPods: number;
  /**
   * Most pods between two re-publications of the learned workload (each one re-prices the packing values).
   * Early on the gaps are shorter: the next publication may come once as many pods again have been seen
   * (at minPods, 2 x minPods, 4 x minPods, ...) until the gap reaches refreshPods.
   */
  readonly refreshPods: number;
  /** Smallest change (total variation distance, 0..1) between the published mix and the current one worth a re-publication. */
  readonly drift: number;
  /**
   * Most shapes kept: the most frequent first until they cover `coverage` of the pods, then every multi-GPU shape
   * carrying at least 1 % of the GPU demand.
   */
  readonly maxShapes: number;
  /** Share of the observed weight the kept shapes must cover (FGD keeps the typical pods covering 95 %). */
  readonly coverage: number;
}

/** Defaults that `tessera serve` ships (validated in scheduling-options.ts). */
export const DEFAULT_LEARNING_OPTIONS: LearningOptions = Object.freeze({
  halfLifePods: 2000,
  minPods: 20,
  refreshPods: 250,
  drift: 0.05,
  maxShapes: 64,
  coverage: 0.95,
});

/** One learned shape: a target task and its decayed weight. */
interface Shape {
  readonly task: Omit<TargetTask, 'weight'>;
  /** Decayed count, in units of the current scale (see WorkloadLearner.scale). */
  weight: number;
}

/**
 * Compute milli is learned on the packing values' 10-milli grid; memory to the MiB (a coarser memory grid would
 * round a half-GPU share up to just over half and price it as a whole GPU).
 */
const COMPUTE_GRID = 10;
const MEMORY_GRID_MIB = 1;
/** Rescale the weights before the growing scale factor loses precision. */
const RESCALE_ABOVE = 1e12;

/**
 * Learns the target workload (FGD's "typical pods") from the GPU requests of the pods Tessera sees: each pod is
 * observed once, when it is first seen, and weighs 2^(-age / halfLifePods) where age counts the pods seen after
 * it. Until `minPods` pods have been seen, `current()` is the cold-start workload. After that it is the most
 * frequent shapes covering `coverage` of the weight, re-published at most every `refreshPods` pods and only when
 * the mix moved by more than `drift` (every re-publication re-prices the packing values and resets the kept
 * evaluations, so it must stay rare).
 *
 * Pure state owned by the caller (the extender service or one replay run): no clock, no I/O. The same sequence
 * of observations gives the same workloads.
 */
export class WorkloadLearner {
  private readonly shapes = new Map<string, Shape>();
  /** Weight of the next observation; grows by 2^(1/halfLife) per pod instead of decaying every shape. */
  private scale = 1;
  private readonly growth: number;
  private seen = 0;
  private sincePublished = 0;
  private published: readonly TargetTask[];
  private publishedMix: ReadonlyMap<string, number> | null = null;
  private generationCount = 0;

  constructor(readonly coldStart: readonly TargetTask[], readonly options: LearningOptions = DEFAULT_LEARNING_OPTIONS) {
    this.published = coldStart;
    this.growth = Math.pow(2, 1 / Math.max(1, options.halfLifePods));
  }

  /** Pods observed so far. */
  get observed(): number {
    return this.seen;
  }

  /** True once the learned workload has replaced the cold-start one. */
  get warm(): boolean {
    return this.publishedMix !== null;
  }

  /** Bumped every time `current()` returns a new workload (callers key their caches by it). */
  get generation(): number {
    return this.generationCount;
  }

  /** The workload to price placements against now (the same array until the next re-publication). */
  current(): readonly TargetTask[] {
    return this.published;
  }

  /**
   * Observes one pod's request. Pods without GPUs are not part of the target workload. Returns true when the
   * published workload changed.
   */
  observe(req: GpuRequest): boolean {
    const shapes = shapesOf(req);
    if (shapes.length === 0) return false;
    this.seen += 1;
    this.sincePublished += 1;
    for (const { key, task, count } of shapes) {
      let s = this.shapes.get(key);
      if (s === undefined) {
        s = { task, weight: 0 };
        this.shapes.set(key, s);
      }
      s.weight += this.scale * count;
    }
    this.scale *= this.growth;
    if (this.scale > RESCALE_ABOVE) this.rescale();
    return this.maybePublish();
  }

  /**
   * Publishes the mix now, whatever the gap since the last publication, once `minPods` pods were seen and the mix
   * moved by more than `drift` (the service calls it when a restart has listed the cluster, so the workload reflects
   * every pod listed, not the first `minPods` of them). Returns true when the published workload changed.
   */
  publishNow(): boolean {
    if (this.seen < this.options.minPods) return false;
    this.sincePublished = Number.MAX_SAFE_INTEGER;
    const changed = this.maybePublish();
    if (!changed) this.sincePublished = 0;
    return changed;
  }

  /** The learned mix now (weights sum to 1), most frequent first; for tests and the service's debug view. */
  mix(): TargetTask[] {
    return this.learned();
  }

  private maybePublish(): boolean {
    const o = this.options;
    if (this.seen < o.minPods) return false;
    if (this.publishedMix !== null && this.sincePublished < Math.min(o.refreshPods, this.seen - this.sincePublished)) return false;
    const learned = this.learned();
    const mix = new Map<string, number>();
    for (const t of learned) mix.set(taskKey(t), t.weight);
    if (this.publishedMix !== null && totalVariation(this.publishedMix, mix) <= o.drift) {
      this.sincePublished = 0;
      return false;
    }
    this.published = Object.freeze(learned.map((t) => Object.freeze(t)));
    this.publishedMix = mix;
    this.sincePublished = 0;
    this.generationCount += 1;
    return true;
  }

  private learned(): TargetTask[] {
    const list = [...this.shapes.entries()].filter(([, s]) => s.weight > 0)
      .sort(([ka, a], [kb, b]) => b.weight - a.weight || (ka < kb ? -1 : ka > kb ? 1 : 0));
    const total = list.reduce((sum, [, s]) => sum + s.weight, 0);
    if (!(total > 0)) return [];
    const kept: [string, Shape][] = [];
    let covered = 0;
    for (const entry of list) {
      if (kept.length >= this.options.maxShapes || covered >= this.options.coverage * total) break;
      kept.push(entry);
      covered += entry[1].weight;
    }
    // Multi-GPU jobs are rare among pods but a large part of the GPU demand: keep every multi-GPU shape that carries
    // at least MULTI_GPU_DEMAND_SHARE of it, so the measure keeps whole GPUs and nodes free for them.
    const demand = list.reduce((sum, [, s]) => sum + gpuDemand(s), 0);
    for (const entry of list) {
      if (kept.length >= this.options.maxShapes) break;
      if (entry[1].task.gpus < 2 || kept.includes(entry) || gpuDemand(entry[1]) < MULTI_GPU_DEMAND_SHARE * demand) continue;
      kept.push(entry);
      covered += entry[1].weight;
    }
    return kept.map(([, s]) => ({ ...s.task, weight: s.weight / covered }));
  }

  private rescale(): void {
    for (const s of this.shapes.values()) s.weight /= this.scale;
    // Shapes no longer seen fade below any use: drop them so the map stays bounded by the live mix.
    for (const [key, s] of this.shapes) if (s.weight < 1e-9) this.shapes.delete(key);
    this.scale = 1;
  }
}

/** Share of the GPU demand a multi-GPU shape must carry to be kept beyond the pod-count coverage. */
const MULTI_GPU_DEMAND_SHARE = 0.01;

/** GPUs a shape's pods take, decayed: pods x GPUs x the share of each GPU (MIG: a quarter, replicas half). */
function gpuDemand(s: Shape): number {
  const t = s.task;
  const perGpu = t.kind === 'share' ? (t.computeMilli > 0 ? t.computeMilli / 1000 : 0.5) : t.kind === 'replica' ? 0.5 : t.kind === 'mig' ? 0.25 : 1;
  return s.weight * Math.max(1, t.gpus) * perGpu;
}

/** Total variation distance between two mixes (each summing to 1): half the sum of absolute differences. */
export function totalVariation(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  let d = 0;
  for (const [k, v] of a) d += Math.abs(v - (b.get(k) ?? 0));
  for (const [k, v] of b) if (!a.has(k)) d += v;
  return d / 2;
}

function taskKey(t: Omit<TargetTask, 'weight'>): string {
  return `${t.kind}|${t.gpus}|${t.memoryMiB}|${t.computeMilli}|${t.migProfileName ?? t.migProfileId ?? ''}|${t.cpuMilli}|${t.models?.join('|') ?? ''}`;
}

const gridUp = (x: number, grid: number): number => (x <= 0 ? 0 : Math.ceil(x / grid - 1e-9) * grid);

type ShapeTask = Omit<TargetTask, 'weight'>;

/**
 * The target shapes one pod's request adds, on the learning grids (a MIG pod adds one shape per profile). Like
 * FGD's typical pods, shapes differ by host CPU too: the fragmentation measure asks whether a node's free CPU
 * still hosts each shape.
 */
function shapesOf(req: GpuRequest): { key: string; task: ShapeTask; count: number }[] {
  const models = req.models === null ? null : [...req.models].sort();
  const cpuMilli = req.cpuMilli;
  const one = (shape: Omit<ShapeTask, 'cpuMilli'>, count = 1): { key: string; task: ShapeTask; count: number } => {
    const task = { ...shape, cpuMilli };
    return { key: taskKey(task), task, count };
  };
  switch (req.kind) {
    case 'none':
      return [];
    case 'whole':
      return req.gpus > 0 ? [one({ kind: 'whole', gpus: req.gpus, memoryMiB: 0, computeMilli: 0, migProfileId: null, models })] : [];
    case 'share': {
      if (req.gpus <= 0) return [];
      const computeMilli = Math.min(1000, gridUp(req.computeMilli, COMPUTE_GRID));
      return [one({ kind: 'share', gpus: req.gpus, memoryMiB: gridUp(req.memoryMiB, MEMORY_GRID_MIB), computeMilli, migProfileId: null, models })];
    }
    case 'replica':
      return req.gpus > 0 ? [one({ kind: 'replica', gpus: req.gpus, memoryMiB: 0, computeMilli: 0, migProfileId: null, models })] : [];
    case 'mig': {
      const out: { key: string; task: ShapeTask; count: number }[] = [];
      for (const m of req.mig) {
        const id = migProfileId(m.profile);
        if (id !== null && m.count > 0) {
          out.push(one({ kind: 'mig', gpus: 1, memoryMiB: 0, computeMilli: 0, migProfileId: id, migProfileName: m.profile, models }, m.count));
        }
      }
      return out;
    }
  }
}

/** The NVML profile id of a MIG profile name on the first product that names it so (the name is what counts, see TargetTask.migProfileName). */
function migProfileId(name: string): number | null {
  for (const product of migProducts()) {
    const p = migProfilesFor(product).find((x) => x.name === name);
    if (p !== undefined) return p.id;
  }
  return null;
}
