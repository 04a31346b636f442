import { describe, expect, it } from 'vitest';
import { ChurnRecorder, quantile } from './churn-metrics.js';

describe('churn metrics', () => {
  it.each([[0.5, 2.5], [0.95, 3.85], [0, 1], [1, 4]])('quantile([1,2,3,4], %f) = %f (linear between ranks)', (q, v) => {
    expect(quantile([1, 2, 3, 4], q)).toBeCloseTo(v, 9);
  });

  it('integrates a piecewise-constant state into buckets and window means', () => {
    const rec = new ChurnRecorder(2000, 100, 200, 2);
    rec.set(0, { usedMilli: 1000, pendingPods: 2, pendingMilli: 1500, strandedMilli: 500 });
    rec.set(50, { usedMilli: 2000, pendingPods: 0, pendingMilli: 0, strandedMilli: 0 });
    rec.placed(0, 50);
    rec.placed(10, 40);
    rec.placed(150, 0);
    const { series, totals } = rec.finish(200);
    expect(series.allocatedPct).toEqual([75, 100]);
    expect(series.pendingPods).toEqual([1, 0]);
    expect(series.strandedGpuHours.map((v) => v * 3600)).toEqual([25, 25]);
    expect(series.waitP50).toEqual([45, 0]);
    expect(totals.meanAllocatedPct).toBe(75);
    expect(totals.maxPendingGpus).toBe(1.5);
    expect(totals.waitP50).toBe(40);
  });

  it('refuses to go back in time', () => {
    const rec = new ChurnRecorder(1000, 10, 10, 1);
    rec.set(5, { usedMilli: 0, pendingPods: 0, pendingMilli: 0, strandedMilli: 0 });
    expect(() => rec.set(4, { usedMilli: 0, pendingPods: 0, pendingMilli: 0, strandedMilli: 0 })).toThrow(/back in time/);
  });
});
