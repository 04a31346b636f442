/**
 * Scheduling throughput of a real kube-scheduler with and without Tessera (issue #13; docs/throughput.md). Starts
 * kube-apiserver, etcd, KWOK and kube-scheduler 1.35.4 (the e2e binaries), creates `--nodes` KWOK GPU nodes, then
 * for `--rounds` interleaved rounds of each setup schedules `--pods` GPU pods from an empty namespace and prints
 * the steady throughput (10 % to 90 % bound), creation-to-bound p50/p99, CPU per process, kube-scheduler's cycle
 * split, and Tessera's RSS, event-loop delay and per-verb times. Ends with the line
 * `throughput ratio R (tessera X pods/s, kube-scheduler alone Y pods/s, N nodes, P pods)`. Prints, never asserts
 * (but exits 1 when a pod stays unbound or the API objects show an over-commit). Usage:
 *   npm run bench:throughput -- --nodes 1000 --pods 2000 [--rounds 2] [--setups alone,tessera,floor]
 *     [--qps 500 --burst 1000] [--concurrency 48] [--arrival live|queued] [--kwok-lease-seconds 3600] [--source] [--profile DIR]
 *     [--run-name throughput] [--stall-seconds 180]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { formatSummary, runThroughputBench, THROUGHPUT_DEFAULTS } from '../test/e2e/harness/throughput-bench.js';
import { benchSetups } from '../test/e2e/harness/throughput-setups.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string' }, pods: { type: 'string' }, rounds: { type: 'string' }, setups: { type: 'string' },
    qps: { type: 'string' }, burst: { type: 'string' }, concurrency: { type: 'string' }, 'kwok-lease-seconds': { type: 'string' },
    source: { type: 'boolean' }, profile: { type: 'string' }, 'run-name': { type: 'string' }, 'stall-seconds': { type: 'string' },
    arrival: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help === true) {
  process.stdout.write('setups:\n');
  for (const s of benchSetups()) process.stdout.write(`  ${s.id}: ${s.description}\n`);
  process.exit(0);
}
const num = (v: string | undefined, d: number): number => (v === undefined ? d : Number(v));
const options = {
  ...THROUGHPUT_DEFAULTS,
  nodes: num(values.nodes, THROUGHPUT_DEFAULTS.nodes),
  pods: num(values.pods, THROUGHPUT_DEFAULTS.pods),
  rounds: num(values.rounds, THROUGHPUT_DEFAULTS.rounds),
  setups: values.setups === undefined ? THROUGHPUT_DEFAULTS.setups : values.setups.split(','),
  qps: num(values.qps, THROUGHPUT_DEFAULTS.qps),
  burst: num(values.burst, THROUGHPUT_DEFAULTS.burst),
  createConcurrency: num(values.concurrency, THROUGHPUT_DEFAULTS.createConcurrency),
  kwokLeaseSeconds: num(values['kwok-lease-seconds'], THROUGHPUT_DEFAULTS.kwokLeaseSeconds),
  stallMs: 1000 * num(values['stall-seconds'], THROUGHPUT_DEFAULTS.stallMs / 1000),
  runName: values['run-name'] ?? THROUGHPUT_DEFAULTS.runName,
  tesseraEntry: values.source === true ? 'source' as const : 'compiled' as const,
  profileDir: values.profile ?? null,
  arrival: values.arrival === 'queued' ? 'queued' as const : 'live' as const,
  log: (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
};
console.log(`throughput bench: ${String(options.nodes)} nodes, ${String(options.pods)} pods, ${String(options.rounds)} rounds of ${options.setups.join(', ')}; ` +
  `kube-scheduler clientConnection qps ${String(options.qps)} burst ${String(options.burst)}; ${String(options.createConcurrency)} creations in flight, arrival ${options.arrival}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (const id of options.setups) {
  const s = benchSetups().find((x) => x.id === id);
  console.log(`  ${id}: ${s?.description ?? 'unknown'}`);
}
const report = await runThroughputBench(options);
for (const line of formatSummary(report)) console.log(line);
const bad = report.rounds.filter((r) => r.violations.length > 0 || r.bound !== r.pods);
if (bad.length > 0) {
  console.log(`UNSOUND: ${bad.map((r) => `${r.setup} round ${String(r.round)}: ${r.violations.slice(0, 3).join('; ')}`).join(' | ')}`);
  process.exitCode = 1;
}
