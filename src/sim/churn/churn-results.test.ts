import { describe, expect, it } from 'vitest';
import { churnGoalLine } from './churn-command.js';
import type { ChurnResult } from './churn-job.js';
import { churnMeans, churnSummaryCsv, CHURN_SUMMARY_HEADER } from './churn-results.js';

function result(policy: string, rate: number, seed: number, waitP95: number, stranded: number): ChurnResult {
  const series = { bucketSeconds: 1, allocatedPct: [], pendingPods: [], pendingGpus: [], strandedGpuHours: [], waitP50: [], waitP95: [], waitP99: [], bestConnectedShare: [] };
  const totals = {
    meanAllocatedPct: 50, meanPendingPods: 1, maxPendingPods: 2, meanPendingGpus: 1, maxPendingGpus: 2, waitP50: 0, waitP95, waitP99: waitP95,
    waitMean: 1, waitMax: 7200, placedPods: 10, strandedGpuHours: stranded, multiGpuPods: 0, bestConnectedShare: Number.NaN,
  };
  return {
    trace: 'default', policy, seed, rate, nodes: 1, gpus: 8, offeredLoad: 1, arrived: 10, placed: 10, unplaceable: 0, neverPlaced: 0,
    skippedNeverScheduled: 0, attempts: 10, defragPlans: 0, defragMoves: 0, defragRequeued: 0, windowSeconds: 3600, drainedSeconds: 3600, totals, series, ms: 1,
  };
}

describe('churn results', () => {
  const runs = [
    result('FGD', 200, 1, 1000, 100), result('FGD', 200, 2, 2000, 100), result('Tessera', 200, 1, 500, 50), result('Tessera', 200, 2, 700, 90),
    result('FGD', 250, 1, 4000, 100), result('FGD', 250, 2, 4000, 300), result('Tessera', 250, 1, 3000, 100), result('Tessera', 250, 2, 3000, 140),
  ];

  it('averages over seeds and divides by FGD at the same rate', () => {
    const means = churnMeans(runs);
    const t250 = means.find((m) => m.policy === 'Tessera' && m.rate === 250)!;
    expect([t250.waitP95, t250.strandedGpuHours, t250.waitP95VsFgd, t250.strandedVsFgd]).toEqual([3000, 120, 0.75, 0.6]);
    expect(means.find((m) => m.policy === 'FGD' && m.rate === 250)!.medianStrandedGpuHours).toBe(200);
    expect(means.find((m) => m.policy === 'FGD' && m.rate === 250)!.worstWaitHours).toBe(2);
  });

  it("judges the goal at the lowest rate where FGD's mean p95 wait passes an hour", () => {
    expect(churnGoalLine('default', churnMeans(runs))).toMatch(/^default: at 250x .* 0\.60 x FGD's stranded GPU-hours and 0\.75 x its p95 wait: goal \(both <= 0\.8\) met$/);
    expect(churnGoalLine('default', churnMeans(runs.map((r) => (r.policy === 'Tessera' && r.rate === 250 ? { ...r, totals: { ...r.totals, waitP95: 3500 } } : r)))))
      .toMatch(/not met$/);
    expect(churnGoalLine('default', churnMeans(runs.filter((r) => r.rate === 200)))).toMatch(/stays within 3600 s/);
  });

  it('writes one summary row per run with every column of the header', () => {
    const lines = churnSummaryCsv(runs).trim().split('\n');
    expect(lines).toHaveLength(runs.length + 1);
    for (const l of lines) expect(l.split(',')).toHaveLength(CHURN_SUMMARY_HEADER.split(',').length);
  });
});
