import type { RunResult } from './replay-trace.js';

/** One row of `summary.csv`. */
export interface SummaryRow {
  readonly trace: string;
  readonly policy: string;
  readonly seeds: number;
  readonly meanUnallocatedPctAt100: number;
  readonly sdUnallocatedPctAt100: number;
}

/** Mean of `xs`. */
export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n − 1), 0 for a single value. */
export function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Median of `xs` (NaN-free input). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Unallocated GPU % at arrival `x` of one run (100 − allocation). */
export function unallocatedAt(r: RunResult, x: number): number {
  return 100 - r.curve[x]!;
}

/** Per (trace, policy): mean and sd over seeds of unallocated GPU % at 100 % arrival, in first-seen order. */
export function summarize(results: readonly RunResult[]): SummaryRow[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    const key = `${r.trace}\u0000${r.policy}`;
    const g = groups.get(key) ?? [];
    g.push(r);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => {
    const v = g.map((r) => unallocatedAt(r, 100));
    return { trace: g[0]!.trace, policy: g[0]!.policy, seeds: g.length, meanUnallocatedPctAt100: mean(v), sdUnallocatedPctAt100: sampleSd(v) };
  });
}
