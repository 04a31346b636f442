import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LoadRecorder, report } from '../../bench/load/load-run.js';
import { loadScenario } from '../../bench/load/scenario.js';

const run = promisify(execFile);
const LINE = /^requests (\d+), errors (\d+), rps (\d+\.\d), p50 (\d+\.\d\d) ms, p99 (\d+\.\d\d) ms$/;

/**
 * A short run of each load script (bench/load/) against the server it starts: a smaller fleet, a few seconds,
 * releases kicking in, a p99 threshold this shared machine meets whatever else runs (the figures in
 * docs/service.md come from full runs).
 */
async function shortRun(script: string): Promise<{ output: string; last: RegExpExecArray }> {
  const { stdout } = await run('node_modules/.bin/tsx', [script, '--nodes', '1000', '--duration', '3', '--warmup', '1', '--keep-bound', '40', '--p99-ms', '5000'], { maxBuffer: 16 * 1024 * 1024 });
  const lines = stdout.trim().split('\n');
  const last = LINE.exec(lines[lines.length - 1] ?? '');
  if (last === null) throw new Error(`the last line is not the summary line:\n${stdout}`);
  return { output: stdout, last };
}

describe('load scripts (short runs)', () => {
  it.each([['HTTP (autocannon)', 'bench/load/load-http.ts'], ['gRPC (grpc-js driver)', 'bench/load/load-grpc.ts']])(
    '%s: pairs, binds and releases, no errors, ending with the summary line', async (_name, script) => {
      const { output, last } = await shortRun(script);
      expect(Number(last[1])).toBeGreaterThan(30);
      expect(Number(last[2])).toBe(0);
      expect(Number(last[3])).toBeGreaterThan(0);
      expect(Number(last[5])).toBeGreaterThanOrEqual(Number(last[4]));
      expect(output).toMatch(/pairs [1-9]\d* \(/);
      expect(output).toMatch(/filter [1-9]\d* p50 .*; prioritize [1-9]\d* p50 .*; bind [1-9]\d* p50 /);
      // More load pods were bound than the 40 kept: the server released the oldest.
      expect(output).toMatch(/load pods bound [1-9]\d*, released [1-9]\d*/);
      expect(output).toMatch(/thresholds: p99 .* ok; error rate 0\.0000 <= 0\.001 ok/);
    }, 120_000);

  it('fails a run that misses a threshold, naming it', () => {
    const scenario = loadScenario('bench/load/http.scenario.yaml');
    const rec = new LoadRecorder();
    rec.start();
    for (let i = 0; i < 95; i += 1) rec.request('filter', 2);
    for (let i = 0; i < 5; i += 1) rec.request('prioritize', 25);
    rec.request('bind', 3, 'HTTP 500: boom');
    rec.stop();
    const logged: string[] = [];
    const log = console.log;
    console.log = (line: string) => void logged.push(line);
    try {
      const r = report(scenario, { connections: 1, pairsPerSecond: null }, rec, { binds: 0, releases: 0 });
      expect(r.passed).toBe(false);
      expect(r.line).toMatch(/^requests 101, errors 1, rps \d+\.\d, p50 2\.00 ms, p99 25\.00 ms$/);
    } finally {
      console.log = log;
    }
    expect(logged.join('\n')).toMatch(/p99 25\.00 ms <= 10 ms FAILED; error rate 0\.0099 <= 0\.001 FAILED/);
  });
});
