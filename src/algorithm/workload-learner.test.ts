import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GpuRequest } from '../model/gpu-request.js';
import { COLD_START_WORKLOAD } from './scheduling-options.js';
import { request } from './test-fixtures.js';
import { DEFAULT_LEARNING_OPTIONS, totalVariation, WorkloadLearner, type LearningOptions } from './workload-learner.js';

const share = (computeMilli: number, memoryMiB: number, cpuMilli = 4000): GpuRequest =>
  request({ kind: 'share', gpus: 1, computeMilli, memoryMiB, cpuMilli });
const whole = (gpus: number, cpuMilli = 8000): GpuRequest => request({ kind: 'whole', gpus, cpuMilli });
const opts = (over: Partial<LearningOptions> = {}): LearningOptions => ({ ...DEFAULT_LEARNING_OPTIONS, ...over });

describe('WorkloadLearner', () => {
  it('serves the cold-start workload until minPods GPU pods were seen, then the learned mix', () => {
    const l = new WorkloadLearner(COLD_START_WORKLOAD, opts({ minPods: 4 }));
    expect(l.current()).toBe(COLD_START_WORKLOAD);
    expect(l.observe(request({ kind: 'none', cpuMilli: 1000 }))).toBe(false);
    for (let i = 0; i < 3; i += 1) expect(l.observe(share(470, 7520))).toBe(false);
    expect(l.warm).toBe(false);
    expect(l.observe(whole(2))).toBe(true);
    expect(l.warm).toBe(true);
    expect(l.generation).toBe(1);
    expect(l.current()).toEqual([
      { kind: 'share', gpus: 1, memoryMiB: 7520, computeMilli: 470, migProfileId: null, cpuMilli: 4000, models: null, weight: 0.75 },
      { kind: 'whole', gpus: 2, memoryMiB: 0, computeMilli: 0, migProfileId: null, cpuMilli: 8000, models: null, weight: 0.25 },
    ].map((t) => expect.objectContaining({ ...t, weight: expect.closeTo(t.weight, 3) }) as unknown));
  });

  it('keeps shapes apart by host CPU and model list, and rounds compute up to 10 milli and memory up to the MiB', () => {
    const l = new WorkloadLearner(COLD_START_WORKLOAD, opts({ minPods: 4 }));
    l.observe(share(465, 7440.5, 4000));
    l.observe(share(470, 7441, 4000));
    l.observe(share(470, 7441, 8000));
    l.observe(request({ kind: 'whole', gpus: 1, models: ['V100M32', 'V100M16'] }));
    const keys = l.current().map((t) => `${t.kind}/${t.computeMilli}/${t.memoryMiB}/${t.cpuMilli}/${t.models?.join('|') ?? '*'}`);
    expect(keys.sort()).toEqual(['share/470/7441/4000/*', 'share/470/7441/8000/*', 'whole/0/0/0/V100M16|V100M32']);
  });

  it('learns MIG profiles by the name pods ask for and replica requests by GPU count', () => {
    const l = new WorkloadLearner(COLD_START_WORKLOAD, opts({ minPods: 2 }));
    l.observe(request({ kind: 'mig', gpus: 0, mig: [{ profile: '3g.40gb', count: 2 }, { profile: '1g.10gb', count: 1 }] }));
    l.observe(request({ kind: 'replica', gpus: 1 }));
    const mix = l.current();
    // The newer observation weighs a hair more (decay), so the replica shape sorts before the 1g one.
    expect(mix.map((t) => [t.kind, t.migProfileName ?? null, t.gpus])).toEqual([['mig', '3g.40gb', 1], ['replica', null, 1], ['mig', '1g.10gb', 1]]);
    expect(mix[0]?.weight).toBeCloseTo(0.5);
  });

  it('re-publishes at doubling counts, then every refreshPods pods, and only when the mix moved by more than drift', () => {
    const l = new WorkloadLearner(COLD_START_WORKLOAD, opts({ minPods: 10, refreshPods: 40, drift: 0.05, halfLifePods: 1e9 }));
    const published: number[] = [];
    for (let i = 1; i <= 200; i += 1) {
      // Half the pods change kind after 100: the mix drifts, so the later checks re-publish.
      if (l.observe(i <= 100 ? share(500, 8000) : whole(1))) published.push(i);
    }
    expect(published).toEqual([10, 120, 160, 200]);
    const steady = new WorkloadLearner(COLD_START_WORKLOAD, opts({ minPods: 10, refreshPods: 40, drift: 0.05 }));
    let count = 0;
    for (let i = 0; i < 400; i += 1) if (steady.observe(i % 2 === 0 ? share(500, 8000) : whole(1))) count += 1;
    expect(count).toBe(1);
  });

  it('keeps a multi-GPU shape that is rare among pods but carries at least 1 % of the GPU demand', () => {
    const l = new WorkloadLearner(COLD_START_WORKLOAD, opts({ minPods: 200, coverage: 0.95 }));
    // 196 small shares (0.1 GPU each: 19.6 GPUs) and 4 whole 8-GPU jobs (32 GPUs): the jobs are 2 % of the pods.
    for (let i = 0; i < 196; i += 1) l.observe(share(100, 1600));
    for (let i = 0; i < 4; i += 1) l.observe(whole(8));
    const kinds = l.current().map((t) => `${t.kind}/${t.gpus}`);
    expect(kinds).toEqual(['share/1', 'whole/8']);
    expect(l.current()[1]?.weight).toBeCloseTo(0.02, 2);
    // Pod-count coverage alone would have left the 8-GPU shape out (the share shape covers 98 % of the pods).
  });

  it('publishes on demand what it has seen (a restart that listed the cluster), and only once minPods were seen', () => {
    const l = new WorkloadLearner(COLD_START_WORKLOAD, opts({ minPods: 4, refreshPods: 100 }));
    for (let i = 0; i < 3; i += 1) l.observe(share(500, 8000));
    expect(l.publishNow()).toBe(false);
    l.observe(share(500, 8000));
    for (let i = 0; i < 3; i += 1) l.observe(whole(8));
    // Published at 4 pods (shares only); the next scheduled publication waits for the 8th pod.
    expect(l.current().map((t) => t.kind)).toEqual(['share']);
    expect(l.publishNow()).toBe(true);
    expect(l.current().map((t) => t.kind).sort()).toEqual(['share', 'whole']);
    expect(l.publishNow()).toBe(false);
  });

  it('forgets with the half-life: a shape not seen for many half-lives drops out of the mix', () => {
    const l = new WorkloadLearner(COLD_START_WORKLOAD, opts({ minPods: 1, refreshPods: 10, halfLifePods: 10, coverage: 0.95 }));
    for (let i = 0; i < 20; i += 1) l.observe(share(250, 4000));
    for (let i = 0; i < 200; i += 1) l.observe(whole(1));
    expect(l.current().map((t) => t.kind)).toEqual(['whole']);
  });

  it('always publishes weights that sum to 1, at most maxShapes shapes, the same for the same observations', () => {
    fc.assert(fc.property(fc.array(fc.record({ c: fc.integer({ min: 1, max: 1000 }), k: fc.constantFrom(1, 2, 4, 8), w: fc.boolean() }), { minLength: 1, maxLength: 300 }), (pods) => {
      const run = (): WorkloadLearner => {
        const l = new WorkloadLearner(COLD_START_WORKLOAD, opts({ minPods: 5, refreshPods: 20, maxShapes: 8 }));
        for (const p of pods) l.observe(p.w ? whole(p.k) : share(p.c, p.c * 16));
        return l;
      };
      const a = run();
      const b = run();
      expect(a.current()).toEqual(b.current());
      if (!a.warm) return;
      expect(a.current().length).toBeLessThanOrEqual(8);
      expect(a.current().reduce((s, t) => s + t.weight, 0)).toBeCloseTo(1, 9);
    }), { numRuns: 100 });
  });
});

describe('totalVariation', () => {
  it('is half the L1 distance between two mixes', () => {
    expect(totalVariation(new Map([['a', 0.5], ['b', 0.5]]), new Map([['a', 0.5], ['b', 0.5]]))).toBe(0);
    expect(totalVariation(new Map([['a', 1]]), new Map([['b', 1]]))).toBe(1);
    expect(totalVariation(new Map([['a', 0.6], ['b', 0.4]]), new Map([['a', 0.4], ['c', 0.6]]))).toBeCloseTo(0.6);
  });
});
