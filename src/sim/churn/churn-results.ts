import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mean, median, sampleSd } from '../replay/summarize.js';
import type { ChurnSeries } from './churn-metrics.js';
import type { ChurnResult } from './churn-job.js';
import { plotLinesSvg } from './plot-lines-svg.js';

/** Header of churn mode's `summary.csv`: one row per trace × policy × seed × rate. */
export const CHURN_SUMMARY_HEADER = [
  'trace', 'policy', 'seed', 'rate', 'nodes', 'gpus', 'offered_load', 'pods', 'unplaceable', 'never_placed', 'skipped_never_scheduled',
  'mean_allocated_gpu_pct', 'mean_pending_pods', 'max_pending_pods', 'mean_pending_gpus', 'max_pending_gpus',
  'wait_p50_s', 'wait_p95_s', 'wait_p99_s', 'wait_mean_s', 'wait_max_s', 'stranded_gpu_hours', 'multi_gpu_pods', 'best_connected_share',
  'defrag_plans', 'defrag_moves', 'defrag_requeued', 'window_h', 'drained_h',
].join(',');

/** Header of `timeseries.csv`: one row per run and time bucket. */
export const CHURN_TIMESERIES_HEADER = 'trace,policy,seed,rate,t_h,allocated_gpu_pct,pending_pods,pending_gpus,stranded_gpu_hours,wait_p50_s,wait_p95_s,wait_p99_s,best_connected_share';

/** Header of `means.csv`: per trace × policy × rate, means over seeds and the ratio to FGD's means. */
export const CHURN_MEANS_HEADER = 'trace,policy,rate,seeds,offered_load,mean_allocated_gpu_pct,wait_p50_s,wait_p95_s,sd_wait_p95_s,wait_p99_s,worst_wait_h,stranded_gpu_hours,sd_stranded_gpu_hours,median_stranded_gpu_hours,best_connected_share,defrag_moves,wait_p95_vs_fgd,stranded_vs_fgd';

const f = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : '');

/** `summary.csv` text. */
export function churnSummaryCsv(results: readonly ChurnResult[]): string {
  const lines = results.map((r) => {
    const t = r.totals;
    return [r.trace, r.policy, r.seed, r.rate, r.nodes, r.gpus, f(r.offeredLoad, 3), r.arrived, r.unplaceable, r.neverPlaced, r.skippedNeverScheduled,
      f(t.meanAllocatedPct, 2), f(t.meanPendingPods, 1), t.maxPendingPods, f(t.meanPendingGpus, 1), f(t.maxPendingGpus, 1),
      f(t.waitP50, 0), f(t.waitP95, 0), f(t.waitP99, 0), f(t.waitMean, 0), f(t.waitMax, 0), f(t.strandedGpuHours, 1), t.multiGpuPods, f(t.bestConnectedShare, 3),
      r.defragPlans, r.defragMoves, r.defragRequeued, f(r.windowSeconds / 3600, 2), f(r.drainedSeconds / 3600, 2)].join(',');
  });
  return `${CHURN_SUMMARY_HEADER}\n${lines.join('\n')}\n`;
}

/** `timeseries.csv` text. */
export function churnTimeseriesCsv(results: readonly ChurnResult[]): string {
  const lines = [CHURN_TIMESERIES_HEADER];
  for (const r of results) {
    const s = r.series;
    for (let b = 0; b < s.allocatedPct.length; b++) {
      lines.push([r.trace, r.policy, r.seed, r.rate, f(((b + 0.5) * s.bucketSeconds) / 3600, 3), f(s.allocatedPct[b]!, 2), f(s.pendingPods[b]!, 1),
        f(s.pendingGpus[b]!, 1), f(s.strandedGpuHours[b]!, 1), f(s.waitP50[b]!, 0), f(s.waitP95[b]!, 0), f(s.waitP99[b]!, 0), f(s.bestConnectedShare[b]!, 3)].join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Means over seeds for one trace × policy × rate, with ratios to FGD's means at the same trace and rate. */
export interface ChurnMeanRow {
  readonly trace: string;
  readonly policy: string;
  readonly rate: number;
  readonly seeds: number;
  readonly offeredLoad: number;
  readonly meanAllocatedPct: number;
  readonly waitP50: number;
  readonly waitP95: number;
  readonly sdWaitP95: number;
  readonly waitP99: number;
  /** The longest wait of any pod in any seed, hours. */
  readonly worstWaitHours: number;
  readonly strandedGpuHours: number;
  readonly sdStrandedGpuHours: number;
  /** Stranded GPU-hours are heavy-tailed over seeds (a whole-node pod that starves for days): the median beside the mean. */
  readonly medianStrandedGpuHours: number;
  readonly bestConnectedShare: number;
  readonly defragMoves: number;
  /** NaN when FGD was not run at this trace and rate. */
  readonly waitP95VsFgd: number;
  readonly strandedVsFgd: number;
}

/** Groups runs by trace × policy × rate (first-seen order) and averages over seeds. */
export function churnMeans(results: readonly ChurnResult[]): ChurnMeanRow[] {
  const groups = new Map<string, ChurnResult[]>();
  for (const r of results) {
    const key = `${r.trace}\u0000${r.policy}\u0000${r.rate}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows = [...groups.values()].map((g) => {
    const m = (pick: (r: ChurnResult) => number): number => mean(g.map(pick));
    const best = g.map((r) => r.totals.bestConnectedShare).filter((v) => Number.isFinite(v));
    return {
      trace: g[0]!.trace, policy: g[0]!.policy, rate: g[0]!.rate, seeds: g.length,
      offeredLoad: m((r) => r.offeredLoad),
      meanAllocatedPct: m((r) => r.totals.meanAllocatedPct),
      waitP50: m((r) => r.totals.waitP50),
      waitP95: m((r) => r.totals.waitP95),
      sdWaitP95: sampleSd(g.map((r) => r.totals.waitP95)),
      waitP99: m((r) => r.totals.waitP99),
      worstWaitHours: Math.max(...g.map((r) => r.totals.waitMax)) / 3600,
      strandedGpuHours: m((r) => r.totals.strandedGpuHours),
      sdStrandedGpuHours: sampleSd(g.map((r) => r.totals.strandedGpuHours)),
      medianStrandedGpuHours: median(g.map((r) => r.totals.strandedGpuHours)),
      bestConnectedShare: best.length === 0 ? Number.NaN : mean(best),
      defragMoves: m((r) => r.defragMoves),
    };
  });
  return rows.map((r) => {
    const fgd = rows.find((x) => x.trace === r.trace && x.rate === r.rate && x.policy === 'FGD');
    return {
      ...r,
      waitP95VsFgd: fgd === undefined || fgd.waitP95 === 0 ? Number.NaN : r.waitP95 / fgd.waitP95,
      strandedVsFgd: fgd === undefined || fgd.strandedGpuHours === 0 ? Number.NaN : r.strandedGpuHours / fgd.strandedGpuHours,
    };
  });
}

/** `means.csv` text. */
export function churnMeansCsv(rows: readonly ChurnMeanRow[]): string {
  return `${CHURN_MEANS_HEADER}\n${rows.map((r) => [r.trace, r.policy, r.rate, r.seeds, f(r.offeredLoad, 3), f(r.meanAllocatedPct, 2), f(r.waitP50, 0),
    f(r.waitP95, 0), f(r.sdWaitP95, 0), f(r.waitP99, 0), f(r.worstWaitHours, 1), f(r.strandedGpuHours, 1), f(r.sdStrandedGpuHours, 1),
    f(r.medianStrandedGpuHours, 1), f(r.bestConnectedShare, 3),
    f(r.defragMoves, 1), f(r.waitP95VsFgd, 3), f(r.strandedVsFgd, 3)].join(',')).join('\n')}\n`;
}

/** The metrics plotted over time, one SVG each per trace and rate. */
export const CHURN_PLOTS: readonly { readonly file: string; readonly label: string; readonly pick: (s: ChurnSeries) => readonly number[] }[] = [
  { file: 'allocated', label: 'Allocated GPU (% of capacity)', pick: (s) => s.allocatedPct },
  { file: 'pending-pods', label: 'Pending pods', pick: (s) => s.pendingPods },
  { file: 'pending-gpus', label: 'GPUs asked by pending pods', pick: (s) => s.pendingGpus },
  { file: 'wait-p50', label: 'Wait p50 (s), by arrival time', pick: (s) => s.waitP50 },
  { file: 'wait-p95', label: 'Wait p95 (s), by arrival time', pick: (s) => s.waitP95 },
  { file: 'wait-p99', label: 'Wait p99 (s), by arrival time', pick: (s) => s.waitP99 },
  { file: 'stranded', label: 'Stranded GPU-hours so far', pick: (s) => s.strandedGpuHours },
  { file: 'best-connected', label: 'Multi-GPU pods on a best-connected set (share so far)', pick: (s) => s.bestConnectedShare },
];

/** The SVG of one metric for one trace and rate: the median over seeds per time bucket, one line per policy. */
export function churnPlotSvg(results: readonly ChurnResult[], metric: (typeof CHURN_PLOTS)[number]): string {
  const first = results[0]!;
  const policies = [...new Set(results.map((r) => r.policy))];
  const series = policies.map((policy) => {
    const runs = results.filter((r) => r.policy === policy);
    const buckets = runs[0]!.series.allocatedPct.length;
    const points: [number, number][] = [];
    for (let b = 0; b < buckets; b++) {
      const vals = runs.map((r) => metric.pick(r.series)[b]!).filter((v) => Number.isFinite(v));
      points.push([((b + 0.5) * runs[0]!.series.bucketSeconds) / 3600, vals.length === 0 ? Number.NaN : median(vals)]);
    }
    return { name: policy, points };
  });
  const window = median(results.map((r) => r.windowSeconds)) / 3600;
  return plotLinesSvg({
    title: `${first.trace}, churn at ${first.rate}× the trace's arrival rate: ${metric.label}, median of ${new Set(results.map((r) => r.seed)).size} seeds`,
    xLabel: 'Replay time (hours)',
    yLabel: metric.label,
    series,
    marker: { x: window, label: 'last arrival' },
  });
}

/** File name of a plot: `<trace>-<metric>-<rate>x.svg`. */
export function churnPlotFile(trace: string, metric: string, rate: number): string {
  return `${trace}-${metric}-${rate}x.svg`;
}

/** Writes summary.csv, means.csv, timeseries.csv and one SVG per metric, trace and rate into `dir`; returns the means. */
export function writeChurnResults(dir: string, results: readonly ChurnResult[]): ChurnMeanRow[] {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'summary.csv'), churnSummaryCsv(results));
  const means = churnMeans(results);
  writeFileSync(join(dir, 'means.csv'), churnMeansCsv(means));
  writeFileSync(join(dir, 'timeseries.csv'), churnTimeseriesCsv(results));
  const groups = new Map<string, ChurnResult[]>();
  for (const r of results) groups.set(`${r.trace}\u0000${r.rate}`, [...(groups.get(`${r.trace}\u0000${r.rate}`) ?? []), r]);
  for (const g of groups.values()) {
    for (const metric of CHURN_PLOTS) writeFileSync(join(dir, churnPlotFile(g[0]!.trace, metric.file, g[0]!.rate)), churnPlotSvg(g, metric));
  }
  return means;
}
