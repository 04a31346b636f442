import type { TracePod } from './load-trace.js';
import type { SeededRng } from './seeded-rng.js';

/**
 * Variants of a trace family, resampled from a base pod list the way the trace's README describes the
 * published ones ("sampled from the default one, emphasizing certain types of workloads"): the FGD paper also
 * runs gpushare60/80/100, multigpu30/40/50, cpu100/200/250 and gpuspec20/25/33, which are not shipped here.
 * These are this project's own resamplings, not the authors' files; they test that one configuration holds
 * across a family, not any published number.
 *
 * - `gpushare`: `percent` % of the GPU milli requested by 1-GPU shares (gpushare40 has 40.1 %), pod count kept,
 *   CPU-only pods kept.
 * - `multigpu`: `percent` % of the GPU milli requested by pods of 2+ GPUs (multigpu20 has 20.3 %), same rules.
 * - `cpu`: the GPU pods kept, CPU-only pods resampled to `percent / 10` % of all pods (cpu050 has 5.0 %).
 * - `gpuspec`: `percent` % of the GPU pods carry a GPU-model constraint, drawn from `specSource` (a list with
 *   constraints, e.g. gpuspec10) among pods of the same GPU count and milli where there are any.
 */
export type VariantFamily = 'gpushare' | 'multigpu' | 'cpu' | 'gpuspec';

const isShare = (p: TracePod): boolean => p.gpuCount === 1 && p.gpuMilli > 0 && p.gpuMilli < 1000;
const isMulti = (p: TracePod): boolean => p.gpuCount >= 2;
const gpuMilli = (p: TracePod): number => p.gpuCount * p.gpuMilli;

/**
 * Builds the variant `family` at `percent` (per mille for `cpu`, as the file names are) from `base` (pods renamed
 * `<family><percent>-pod-NNNNN` in order).
 */
export function traceVariant(base: readonly TracePod[], family: VariantFamily, percent: number, rng: SeededRng,
  specSource: readonly TracePod[] = []): TracePod[] {
  const top = family === 'cpu' ? 1000 : 100; // cpu variants are named in per mille (cpu050 = 5 %)
  if (!(percent >= 0 && percent <= top)) throw new Error(`variant ${family}${percent}: must be in [0, ${top}]`);
  const pods = family === 'cpu' ? cpuVariant(base, percent / 10, rng)
    : family === 'gpuspec' ? specVariant(base, percent, rng, specSource)
      : emphasise(base, family === 'gpushare' ? isShare : isMulti, percent / 100, rng);
  const name = `${family}${percent}`;
  return pods.map((p, i) => ({ ...p, name: `${name}-pod-${String(i).padStart(5, '0')}` }));
}

/** Share (0..1) of GPU milli requested by pods matching `inClass`. */
export function milliShare(pods: readonly TracePod[], inClass: (p: TracePod) => boolean): number {
  let all = 0; let cls = 0;
  for (const p of pods) { all += gpuMilli(p); if (inClass(p)) cls += gpuMilli(p); }
  return all > 0 ? cls / all : 0;
}

/** Shares of each kind in a pod list, for reports: GPU milli in shares and multi-GPU pods, CPU-only and constrained pods. */
export function variantMix(pods: readonly TracePod[]): { shareMilli: number; multiMilli: number; cpuOnlyPods: number; constrainedGpuPods: number } {
  const gpu = pods.filter((p) => p.gpuCount > 0);
  return {
    shareMilli: milliShare(pods, isShare),
    multiMilli: milliShare(pods, isMulti),
    cpuOnlyPods: pods.length > 0 ? (pods.length - gpu.length) / pods.length : 0,
    constrainedGpuPods: gpu.length > 0 ? gpu.filter((p) => p.gpuSpec !== '').length / gpu.length : 0,
  };
}

/**
 * Same pod count; CPU-only pods kept; the GPU pods drawn with replacement, a pod of the class with weight w and
 * any other with weight 1, w solved so the class's expected milli share is `target`.
 */
function emphasise(base: readonly TracePod[], inClass: (p: TracePod) => boolean, target: number, rng: SeededRng): TracePod[] {
  const gpu = base.filter((p) => p.gpuCount > 0);
  const cls = gpu.filter(inClass);
  const rest = gpu.filter((p) => !inClass(p));
  const clsMilli = cls.reduce((s, p) => s + gpuMilli(p), 0);
  const restMilli = rest.reduce((s, p) => s + gpuMilli(p), 0);
  if (cls.length === 0 || (rest.length === 0 && target < 1)) throw new Error('variant: the base has no pods of the class to emphasise');
  // Expected share with per-pod weight w for the class: w·clsMilli / (w·clsMilli + restMilli) = target.
  const w = target >= 1 ? Number.POSITIVE_INFINITY : (target * restMilli) / ((1 - target) * clsMilli);
  const pClass = Number.isFinite(w) ? (w * cls.length) / (w * cls.length + rest.length) : 1;
  const out: TracePod[] = base.filter((p) => p.gpuCount === 0);
  for (let i = 0; i < gpu.length; i++) {
    const from = rest.length === 0 || rng.next() < pClass ? cls : rest;
    out.push(from[rng.intn(from.length)]!);
  }
  return shuffle(out, rng);
}

/** The GPU pods kept; CPU-only pods drawn with replacement from the base's until they are `percent` % of pods. */
function cpuVariant(base: readonly TracePod[], percent: number, rng: SeededRng): TracePod[] {
  const gpu = base.filter((p) => p.gpuCount > 0);
  const cpu = base.filter((p) => p.gpuCount === 0);
  if (cpu.length === 0 || percent >= 100) throw new Error('variant: the base has no CPU-only pods, or percent is 100');
  const want = Math.round((percent / 100) * gpu.length / (1 - percent / 100));
  const out = [...gpu];
  for (let i = 0; i < want; i++) out.push(cpu[rng.intn(cpu.length)]!);
  return shuffle(out, rng);
}

/** `percent` % of GPU pods get a model constraint, drawn from `source`'s constrained pods of the same shape when it has any. */
function specVariant(base: readonly TracePod[], percent: number, rng: SeededRng, source: readonly TracePod[]): TracePod[] {
  const specs = source.filter((p) => p.gpuCount > 0 && p.gpuSpec !== '');
  if (specs.length === 0) throw new Error('variant gpuspec: the spec source has no pods with a gpu_spec');
  const byShape = new Map<string, string[]>();
  for (const p of specs) {
    const key = `${p.gpuCount}|${p.gpuMilli}`;
    byShape.set(key, [...(byShape.get(key) ?? []), p.gpuSpec]);
  }
  const all = specs.map((p) => p.gpuSpec);
  const out = base.map((p) => ({ ...p, gpuSpec: '' }));
  const gpuIdx = out.map((p, i) => (p.gpuCount > 0 ? i : -1)).filter((i) => i >= 0);
  const pick = shuffle(gpuIdx, rng).slice(0, Math.round((percent / 100) * gpuIdx.length));
  for (const i of pick) {
    const p = out[i]!;
    const pool = byShape.get(`${p.gpuCount}|${p.gpuMilli}`) ?? all;
    out[i] = { ...p, gpuSpec: pool[rng.intn(pool.length)]! };
  }
  return out;
}

function shuffle<T>(xs: readonly T[], rng: SeededRng): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.intn(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
