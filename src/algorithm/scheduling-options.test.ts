import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULING_OPTIONS, validateSchedulingOptions } from './scheduling-options.js';

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
});
