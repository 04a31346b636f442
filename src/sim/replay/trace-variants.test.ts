import { describe, expect, it } from 'vitest';
import type { TracePod } from './load-trace.js';
import { seededRng } from './seeded-rng.js';
import { traceVariant, variantMix } from './trace-variants.js';

const pod = (i: number, gpuCount: number, gpuMilli: number, gpuSpec = ''): TracePod =>
  ({ name: `p${i}`, cpuMilli: 4000, memoryMiB: 8192, gpuCount, gpuMilli, gpuSpec });

// A small base: 60 whole 1-GPU pods, 30 shares of 500, 5 pods of 4 GPUs, 20 CPU-only pods.
const base: TracePod[] = [
  ...Array.from({ length: 60 }, (_, i) => pod(i, 1, 1000)),
  ...Array.from({ length: 30 }, (_, i) => pod(100 + i, 1, 500)),
  ...Array.from({ length: 5 }, (_, i) => pod(200 + i, 4, 1000)),
  ...Array.from({ length: 20 }, (_, i) => pod(300 + i, 0, 0)),
];
const specs: TracePod[] = [pod(0, 1, 500, 'T4'), pod(1, 1, 1000, 'G2'), pod(2, 4, 1000, 'V100M16|V100M32')];

describe('traceVariant', () => {
  it('resamples toward the asked share of GPU milli, keeping the pod count and the CPU-only pods', () => {
    const before = variantMix(base).shareMilli;
    const many = Array.from({ length: 40 }, () => base).flat();
    const v = traceVariant(many, 'gpushare', 40, seededRng(1));
    expect(v).toHaveLength(many.length);
    expect(v.filter((p) => p.gpuCount === 0)).toHaveLength(20 * 40);
    expect(before).toBeLessThan(0.2);
    expect(variantMix(v).shareMilli).toBeGreaterThan(0.37);
    expect(variantMix(v).shareMilli).toBeLessThan(0.43);
    expect(variantMix(traceVariant(many, 'multigpu', 50, seededRng(1))).multiMilli).toBeCloseTo(0.5, 1);
  });

  it('sets the CPU-only pods to the asked per mille of all pods and keeps every GPU pod', () => {
    const v = traceVariant(base, 'cpu', 250, seededRng(2));
    expect(variantMix(v).cpuOnlyPods).toBeCloseTo(0.25, 2);
    expect(v.filter((p) => p.gpuCount > 0)).toHaveLength(95);
  });

  it('constrains the asked share of GPU pods with specs of the same shape', () => {
    const v = traceVariant(base, 'gpuspec', 20, seededRng(3), specs);
    expect(variantMix(v).constrainedGpuPods).toBeCloseTo(0.2, 2);
    for (const p of v.filter((q) => q.gpuSpec !== '')) {
      expect(p.gpuSpec).toBe(p.gpuCount === 4 ? 'V100M16|V100M32' : p.gpuMilli === 500 ? 'T4' : 'G2');
    }
  });

  it('is deterministic per seed, names pods after the variant and rejects what it cannot build', () => {
    expect(traceVariant(base, 'gpushare', 60, seededRng(4))).toEqual(traceVariant(base, 'gpushare', 60, seededRng(4)));
    expect(traceVariant(base, 'gpushare', 60, seededRng(4))[0]!.name).toBe('gpushare60-pod-00000');
    expect(() => traceVariant(base, 'gpushare', 120, seededRng(4))).toThrow(/must be in \[0, 100\]/);
    expect(() => traceVariant(base, 'cpu', 1200, seededRng(4))).toThrow(/must be in \[0, 1000\]/);
    expect(() => traceVariant(base, 'gpuspec', 20, seededRng(4), [])).toThrow(/no pods with a gpu_spec/);
  });
});
