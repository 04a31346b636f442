import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARRIVAL_PERCENTS } from './discretize.js';
import { plotSvg } from './plot-svg.js';
import type { RunResult } from './replay-trace.js';
import type { SummaryRow } from './summarize.js';
import { summarize } from './summarize.js';

/** Header of `summary.csv` (one row per trace and policy). */
export const SUMMARY_HEADER = 'trace,policy,seeds,mean_unallocated_pct_at_100,sd_unallocated_pct_at_100';
/** Header of `curves.csv` (one row per trace, policy, seed and arrival percent). */
export const CURVES_HEADER = 'trace,policy,seed,arrival_pct,allocated_pct,unallocated_pct';

/** `summary.csv` text. */
export function summaryCsv(rows: readonly SummaryRow[]): string {
  return `${SUMMARY_HEADER}\n${rows.map((r) => `${r.trace},${r.policy},${r.seeds},${r.meanUnallocatedPctAt100.toFixed(2)},${r.sdUnallocatedPctAt100.toFixed(2)}`).join('\n')}\n`;
}

/** `curves.csv` text: the discretised allocation curve of every run (arrival percents with no point are left out). */
export function curvesCsv(results: readonly RunResult[]): string {
  const lines = [CURVES_HEADER];
  for (const r of results) {
    for (const x of ARRIVAL_PERCENTS) {
      const a = r.curve[x]!;
      if (Number.isNaN(a)) continue;
      lines.push(`${r.trace},${r.policy},${r.seed},${x},${a.toFixed(2)},${(100 - a).toFixed(2)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Writes summary.csv, curves.csv and one `<trace>.svg` per trace into `dir`; returns the summary rows. */
export function writeResults(dir: string, results: readonly RunResult[]): SummaryRow[] {
  mkdirSync(dir, { recursive: true });
  const rows = summarize(results);
  writeFileSync(join(dir, 'summary.csv'), summaryCsv(rows));
  writeFileSync(join(dir, 'curves.csv'), curvesCsv(results));
  for (const trace of new Set(results.map((r) => r.trace))) {
    writeFileSync(join(dir, `${trace}.svg`), plotSvg(results.filter((r) => r.trace === trace), trace));
  }
  return rows;
}
