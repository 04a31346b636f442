import { describe, expect, it } from 'vitest';
import { COLD_START_WORKLOAD, DEFAULT_SCHEDULING_OPTIONS, validateSchedulingOptions } from './scheduling-options.js';
import { DEFAULT_LEARNING_OPTIONS } from './workload-learner.js';

describe('validateSchedulingOptions', () => {
  it('fills missing fields from the defaults', () => {
    const r = validateSchedulingOptions({ weights: { cost: 30 } });
    expect(r.ok && r.value.weights).toEqual({ ...DEFAULT_SCHEDULING_OPTIONS.weights, cost: 30 });
    expect(r.ok && r.value.targetWorkload).toBe(DEFAULT_SCHEDULING_OPTIONS.targetWorkload);
  });

  it('reports every bad field by its path', () => {
    const r = validateSchedulingOptions({
      weights: { cost: -1, speed: 3 }, targetWorkload: [{ kind: 'mig', migProfileId: 7 }, { kind: 'share', computeMilli: 2000 }], extra: 1,
    });
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors.map((e) => e.path)).toEqual([
      'weights.cost', 'weights.speed', 'targetWorkload[0].migProfileId', 'targetWorkload[1].computeMilli', 'extra',
    ]);
  });

  it('takes a value-loss penalty >= 0 and reports a bad one by its path', () => {
    expect(DEFAULT_SCHEDULING_OPTIONS.valueLossPenalty).toBe(100);
    const ok = validateSchedulingOptions({ valueLossPenalty: 0 });
    expect(ok.ok && ok.value.valueLossPenalty).toBe(0);
    expect(validateSchedulingOptions({ valueLossPenalty: -5 })).toMatchObject({
      ok: false, errors: [{ path: 'valueLossPenalty', message: 'must be a finite number >= 0, got -5' }],
    });
  });

  it('rejects all-zero weights', () => {
    const zero = { fragmentation: 0, packing: 0, topology: 0, cost: 0, spot: 0, groupLocality: 0 };
    expect(validateSchedulingOptions({ weights: zero })).toMatchObject({ ok: false, errors: [{ path: 'weights' }] });
  });

  it('learns by default from the cold-start workload; a configured workload is fixed unless learning is asked for', () => {
    expect(DEFAULT_SCHEDULING_OPTIONS.learning).toEqual(DEFAULT_LEARNING_OPTIONS);
    expect(DEFAULT_SCHEDULING_OPTIONS.targetWorkload).toBe(COLD_START_WORKLOAD);
    const fixed = validateSchedulingOptions({ targetWorkload: [{ kind: 'whole', gpus: 1 }] });
    expect(fixed.ok && fixed.value.learning).toBeNull();
    const seeded = validateSchedulingOptions({ targetWorkload: [{ kind: 'whole', gpus: 1 }], learning: { minPods: 5 } });
    expect(seeded.ok && seeded.value.learning).toEqual({ ...DEFAULT_LEARNING_OPTIONS, minPods: 5 });
    const off = validateSchedulingOptions({ learning: false });
    expect(off.ok && off.value.learning).toBeNull();
  });

  it('reports bad learning fields by path', () => {
    const r = validateSchedulingOptions({ learning: { halfLifePods: 0, drift: 2, coverage: 0, minPods: 1.5, speed: 1 } });
    expect(r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
      'learning.halfLifePods: must be an integer >= 1, got 0',
      'learning.drift: must be a number in [0, 1], got 2',
      'learning.coverage: must be a number in (0, 1], got 0',
      'learning.minPods: must be an integer >= 0, got 1.5',
      'learning.speed: unknown learning option: known options are halfLifePods, minPods, refreshPods, drift, maxShapes, coverage',
    ]);
    expect(validateSchedulingOptions({ learning: 'yes' })).toMatchObject({ ok: false, errors: [{ path: 'learning' }] });
  });
});
