import { describe, expect, it } from 'vitest';
import { FreePools, strandedGpuMilli } from './stranded.js';

describe('stranded GPU', () => {
  const pools = new FreePools(['T4', 'V100', 'T4']);
  pools.add('T4', 600, 8000, 1000); // e.g. two T4 nodes with 300 milli each
  pools.add('V100', 900, 1000, 1000);
  const any = pools.maskOf(null);
  const t4 = pools.maskOf(['T4']);

  it('pools free resources per GPU model and over the models a pod may use', () => {
    expect(pools.pooled(any)).toEqual([1500, 9000, 2000]);
    expect(pools.pooled(t4)).toEqual([600, 8000, 1000]);
    expect(pools.maskOf(['A100'])).toBe(0);
    expect(pools.idleGpuMilli()).toBe(1500);
  });

  it('counts the GPU asked by waiting pods that fit the pool, capped by the idle GPU', () => {
    const pod = (gpuMilli: number, cpuMilli: number, modelMask: number) => ({ gpuMilli, cpuMilli, memoryMiB: 0, modelMask });
    expect(strandedGpuMilli([pod(500, 1000, t4)], pools)).toBe(500);
    expect(strandedGpuMilli([pod(700, 1000, t4)], pools)).toBe(0); // T4 pool has 600
    expect(strandedGpuMilli([pod(500, 9000, t4)], pools)).toBe(0); // not enough CPU beside the T4s
    expect(strandedGpuMilli([pod(1000, 1000, any), pod(1000, 1000, any)], pools)).toBe(1500); // capped
    expect(strandedGpuMilli([pod(0, 10, any)], pools)).toBe(0); // CPU-only pods ask no GPU
    expect(strandedGpuMilli([pod(100, 1, pools.maskOf(['A100']))], pools)).toBe(0);
  });
});
