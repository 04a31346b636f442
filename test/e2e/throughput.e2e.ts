/**
 * A short run of the throughput bench (bench/throughput.ts, docs/throughput.md) so that its harness cannot rot:
 * 50 KWOK GPU nodes, 200 pods, one round of kube-scheduler alone, with Tessera as deployed (compiled, deploy/'s
 * settings: choice filter and nominations) and with the do-nothing extender. It asserts what the bench needs to
 * mean anything: every pod bound, nothing over-committed (from the API objects alone), every figure measured, and
 * the closing ratio line. It asserts no speed: figures are for bench runs on a quiet machine.
 */
import { describe, expect, it } from 'vitest';
import { formatRound, formatSummary, runThroughputBench, THROUGHPUT_DEFAULTS, type ThroughputReport } from './harness/throughput-bench.js';

describe('the throughput bench (smoke run)', () => {
  it('schedules 200 pods on 50 nodes alone, with Tessera as deployed and with the do-nothing extender, every pod bound and nothing over-committed', async () => {
    const lines: string[] = [];
    const report: ThroughputReport = await runThroughputBench({
      ...THROUGHPUT_DEFAULTS, nodes: 50, pods: 200, rounds: 1, runName: 'throughput-smoke', stallMs: 120_000, log: (l) => lines.push(l),
    });
    console.log(lines.join('\n'));
    expect(report.rounds.map((r) => r.setup).sort()).toEqual(['alone', 'floor', 'tessera']);
    for (const r of report.rounds) {
      expect(r.bound, `${r.setup}: ${formatRound(r).join('\n')}`).toBe(200);
      expect(r.violations, r.setup).toEqual([]);
      expect(r.throughput, r.setup).toBeGreaterThan(0);
      expect(Number.isFinite(r.latencyP50Ms) && Number.isFinite(r.latencyP99Ms), r.setup).toBe(true);
      expect(r.scheduler['algorithm']?.count, r.setup).toBeGreaterThanOrEqual(200);
      expect(r.apiRequests['POST pods'], r.setup).toBeGreaterThanOrEqual(200);
      expect(r.apiRequests['POST pods/binding'], r.setup).toBeGreaterThanOrEqual(200);
    }
    const tessera = report.rounds.find((r) => r.setup === 'tessera');
    expect(tessera?.tessera?.rssPeakMiB).toBeGreaterThan(10);
    expect(tessera?.tessera?.verbs['bind']?.count).toBeGreaterThanOrEqual(200);
    expect(Number.isFinite(tessera?.tessera?.eventLoopDelayMs.p99 ?? NaN)).toBe(true);
    const summary = formatSummary(report);
    expect(summary.at(-1)).toMatch(/^throughput ratio \d+\.\d\d \(tessera \d+\.\d pods\/s, kube-scheduler alone \d+\.\d pods\/s, 50 nodes, 200 pods\)$/);
  }, 20 * 60_000);
});
