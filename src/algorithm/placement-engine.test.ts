import { describe, expect, it } from 'vitest';
import { PlacementEngine } from './placement-engine.js';
import { COLD_START_WORKLOAD, DEFAULT_SCHEDULING_OPTIONS } from './scheduling-options.js';
import { makeSnapshot } from './snapshot.js';
import { request } from './test-fixtures.js';

const pod = request({ kind: 'share', gpus: 1, memoryMiB: 8000, computeMilli: 470, cpuMilli: 6000 });

describe('PlacementEngine', () => {
  it('starts cold: the cold-start workload with the value-loss penalty off, then the learned workload with the configured penalty', () => {
    const engine = new PlacementEngine({ ...DEFAULT_SCHEDULING_OPTIONS, learning: { ...DEFAULT_SCHEDULING_OPTIONS.learning!, minPods: 3 } });
    expect(engine.options.targetWorkload).toBe(COLD_START_WORKLOAD);
    expect(engine.options.valueLossPenalty).toBe(0);
    const coldMemo = engine.memo;
    const coldSets = coldMemo.gpuSets;
    expect(engine.observe(pod)).toBe(false);
    expect(engine.observe(pod)).toBe(false);
    expect(engine.generation).toBe(0);
    expect(engine.observe(pod)).toBe(true);
    expect(engine.generation).toBe(1);
    expect(engine.options.valueLossPenalty).toBe(DEFAULT_SCHEDULING_OPTIONS.valueLossPenalty);
    expect(engine.options.targetWorkload).toEqual([expect.objectContaining({ kind: 'share', computeMilli: 470, memoryMiB: 8000, cpuMilli: 6000, weight: 1 })]);
    // Evaluations of the cold options are never mixed with the new ones.
    expect(engine.memo).not.toBe(coldMemo);
    expect(engine.memo.workload).not.toBe(coldMemo.workload);
    // GPU set searches do not depend on the options: they are handed on.
    expect(engine.memo.gpuSets).toBe(coldSets);
    expect(engine.memo.options).toBe(engine.options);
    expect(engine.prefilter(pod, makeSnapshot([])).options).toBe(engine.options);
  });

  it('keeps a configured workload fixed when learning is off', () => {
    const options = { ...DEFAULT_SCHEDULING_OPTIONS, learning: null };
    const engine = new PlacementEngine(options);
    for (let i = 0; i < 500; i += 1) expect(engine.observe(pod)).toBe(false);
    expect(engine.options).toBe(options);
    expect(engine.workloadLearner).toBeNull();
  });
});
