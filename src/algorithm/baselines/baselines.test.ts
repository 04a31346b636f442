import { describe, expect, it } from 'vitest';
import type { NodeFree, PodDemand } from './baseline-policy.js';
import { bestFitScore } from './best-fit.js';
import { dotProdScore } from './dot-prod.js';
import { fitsNode } from './feasible.js';
import { fragDeltaScore, nodeFragAmount } from './fgd-fragmentation.js';
import { makeFgd } from './fgd.js';
import { gpuAffinityTag, gpuClusteringScore } from './gpu-clustering.js';
import { gpuPackingScore } from './gpu-packing.js';
import { bestFitGpus, lowestFreeGpus, randomFitGpus } from './select-gpus.js';

const pod = (cpu: number, m: number, k: number, models: string[] | null = null): PodDemand =>
  ({ cpuMilli: cpu, memoryMiB: 0, gpuMilli: m, gpuCount: k, models });
const node = (cpuLeft: number, gpuLeft: number[], tags: string[] = [], model = 'G2'): NodeFree =>
  ({ model, cpuLeft, memLeft: 1e9, gpuLeft, tags: new Set(tags) });

describe('FGD-paper baselines', () => {
  it.each([
    // 100·(1 − (0.5·(64000/128000·8000/128000) + ...)/2), by hand: dot = 0.5·0.0625 + 1·0.125 = 0.15625 → 92.19 → 92
    ['DotProd favours the node whose free vector is least aligned', dotProdScore(pod(8000, 1000, 1), node(64000, [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000])), 92],
    // s = 0.5·(64000−8000)/128000 + 0.5·(8000−1000)/8000 = 0.21875 + 0.4375 → (1−0.65625)·100 = 34.375 → 34
    ['BestFit scores the least CPU+GPU left after placement', bestFitScore(pod(8000, 1000, 1), node(64000, [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000])), 34],
    ['GpuPacking scores an idle 8-GPU node max(33−8, 8)', gpuPackingScore(pod(1000, 500, 1), node(64000, Array(8).fill(1000))), 25],
    ['GpuPacking scores an idle 1-GPU node max(33−1, 1)', gpuPackingScore(pod(1000, 500, 1), node(64000, [1000])), 32],
    ['GpuPacking scores a used node that needs a free GPU 50−1', gpuPackingScore(pod(1000, 1000, 1), node(64000, [300, 1000])), 49],
    ['GpuPacking scores sharing a partly used GPU 100 − (free·100/1000)/10', gpuPackingScore(pod(1000, 200, 1), node(64000, [300, 1000])), 97],
    ['GpuPacking gives CPU pods 0', gpuPackingScore(pod(1000, 0, 0), node(64000, [300, 1000])), 0],
    // [500, 1000] free: b = 25·(8000−1500)/8000 = 20.3 → 20; [1000, 1000] free: b = 25·6000/8000 = 18.75 → 18
    ['GpuClustering puts a pod next to only its own tag at 75+b', gpuClusteringScore(pod(1000, 500, 1), node(64000, [500, 1000], ['share-gpu'])), 95],
    ['GpuClustering scores a node with its tag and others 50+b', gpuClusteringScore(pod(1000, 500, 1), node(64000, [500, 1000], ['share-gpu', '1-gpu'])), 70],
    ['GpuClustering scores a node without GPU pods 25+b', gpuClusteringScore(pod(1000, 1000, 1), node(64000, [1000, 1000])), 43],
    ['GpuClustering scores a node with other tags only b', gpuClusteringScore(pod(1000, 1000, 2), node(64000, [500, 1000], ['share-gpu'])), 20],
  ])('%s', (_name, got, want) => {
    expect(got).toBe(want);
  });

  it.each([
    ['a 2-GPU whole pod', pod(1000, 1000, 2), '2-gpu'],
    ['a share pod', pod(1000, 300, 1), 'share-gpu'],
    ['a CPU pod', pod(1000, 0, 0), 'no-gpu'],
  ])('gpuAffinityTag() tags %s as %s', (_n, p, tag) => {
    expect(gpuAffinityTag(p)).toBe(tag);
  });

  it('nodeFragAmount() reproduces the simulator test vector 251.91 (Q4: CPU lacking, all idle GPU is fragment)', () => {
    const f = nodeFragAmount({ model: '1080', cpuLeft: 1000, gpuLeft: [200, 1000, 1000, 500] },
      [{ cpuMilli: 6000, gpuMilli: 465, gpuCount: 1, models: null, p: 0.0933 }]);
    expect(f).toBeCloseTo(251.91, 2);
  });

  it('nodeFragAmount() counts GPUs too small for a fitting task and all idle GPU for CPU tasks and other models', () => {
    const typical = [
      { cpuMilli: 1000, gpuMilli: 500, gpuCount: 1, models: null, p: 0.5 },
      { cpuMilli: 1000, gpuMilli: 0, gpuCount: 0, models: null, p: 0.25 },
      { cpuMilli: 1000, gpuMilli: 1000, gpuCount: 1, models: ['T4'], p: 0.25 },
    ];
    // share task fits: GPUs with < 500 free are fragments (200); CPU task: all 1200; T4 task on G2: NoAccess 1200
    expect(nodeFragAmount({ model: 'G2', cpuLeft: 8000, gpuLeft: [200, 1000] }, typical)).toBeCloseTo(0.5 * 200 + 0.25 * 1200 + 0.25 * 1200, 9);
  });

  it.each([
    [0, 50], [39, 50], [-1, 49], [1000, 73], [-1000, 26],
  ])('fragDeltaScore() truncates sigmoid(%d/1000)·100 to %d', (delta, want) => {
    expect(fragDeltaScore(delta, 0)).toBe(want);
  });

  it('FGD sends a share pod to the GPU that leaves no unusable remainder, first index on ties', () => {
    const fgd = makeFgd([{ cpuMilli: 1000, gpuMilli: 500, gpuCount: 1, models: null, p: 1 }]);
    // GPU 0: 500 → 0 left (fragment 0); GPU 1: 1000 → 500 left (still fits 500, fragment 0) — equal, first wins;
    // GPU 2 with 700 → 200 left is a 200 fragment.
    expect(fgd.choose(pod(1000, 500, 1), node(8000, [700, 500, 1000])).gpus).toEqual([1]);
    expect(fgd.choose(pod(1000, 500, 1), node(8000, [500, 1000])).gpus).toEqual([0]);
  });

  it.each([
    ['takes the lowest-index free GPUs for exclusive pods', lowestFreeGpus([1000, 300, 1000, 1000], 2), [0, 2]],
    ['returns nothing when too few GPUs are free', lowestFreeGpus([1000, 300], 2), []],
    ['best-fit takes the smallest free that fits, lowest index on ties', bestFitGpus(pod(1, 300, 1), node(1, [1000, 400, 400, 200])), [1]],
  ])('select-gpus %s', (_n, got, want) => {
    expect(got).toEqual(want);
  });

  it('random-fit picks only GPUs that fit, uniformly', () => {
    const counts = [0, 0, 0, 0];
    let x = 0;
    const rng = (): number => { x = (x + 0.6180339887) % 1; return x; };
    for (let i = 0; i < 400; i++) counts[randomFitGpus(pod(1, 500, 1), node(1, [1000, 100, 600, 500]), rng)[0]!]!++;
    expect(counts[1]).toBe(0);
    for (const i of [0, 2, 3]) expect(counts[i]).toBeGreaterThan(100);
  });

  it.each([
    ['CPU short', pod(9000, 100, 1), node(8000, [1000]), false],
    ['wrong model', pod(1000, 100, 1, ['T4']), node(8000, [1000]), false],
    ['allowed model', pod(1000, 100, 1, ['T4', 'G2']), node(8000, [1000]), true],
    ['too few free GPUs', pod(1000, 1000, 2), node(8000, [1000, 999]), false],
    ['CPU pod on a GPU node', pod(1000, 0, 0), node(8000, [0]), true],
  ])('fitsNode() rejects or accepts: %s', (_n, p, n, want) => {
    expect(fitsNode(p, n)).toBe(want);
  });
});
