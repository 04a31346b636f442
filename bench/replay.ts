/**
 * Replay speed: the full seed range of one trace for every policy on `--workers` threads; prints wall time and
 * per-policy mean time per run. Usage:
 *   npx tsx bench/replay.ts [--pods <csv>] [--seeds 42-51] [--workers 2] [--node-choice kube-scheduler|argmax]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTrace } from '../src/sim/replay/load-trace.js';
import { parseSeeds } from '../src/sim/replay/parse-seeds.js';
import { DEFAULT_SCHEDULER_CONFIG, POLICY_NAMES, type NodeChoiceSpec } from '../src/sim/replay/replay-trace.js';
import { runJobs } from '../src/sim/replay/run-jobs.js';
import { DEFAULT_TRACE_DIR } from '../src/sim/replay/simulate-command.js';
import { summarize } from '../src/sim/replay/summarize.js';

const { values } = parseArgs({ options: { pods: { type: 'string' }, seeds: { type: 'string' }, workers: { type: 'string' }, 'node-choice': { type: 'string' } } });
const nodesFile = resolve(`${DEFAULT_TRACE_DIR}/openb_node_list_gpu_node.csv`);
const podsFile = resolve(values.pods ?? `${DEFAULT_TRACE_DIR}/openb_pod_list_default.csv`);
const seeds = parseSeeds(values.seeds ?? '42-51') ?? [42];
const workers = Number(values.workers ?? '2');
const trace = loadTrace(nodesFile, podsFile);
const nodeChoice: NodeChoiceSpec = values['node-choice'] === 'argmax' ? { kind: 'argmax' } : { kind: 'kube-scheduler', schedulerConfig: resolve(DEFAULT_SCHEDULER_CONFIG) };
const jobs = POLICY_NAMES.flatMap((policy) => seeds.map((seed) => ({ nodesFile, podsFile, policy, seed, nodeChoice })));
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const results = await runJobs(jobs, workers, () => undefined);
const wall = (performance.now() - t0) / 1000;
console.log(`trace ${trace.name}: ${jobs.length} runs (${POLICY_NAMES.length} policies × ${seeds.length} seeds) in ${wall.toFixed(1)} s wall on ${workers} worker(s)`);
for (const p of POLICY_NAMES) {
  const rs = results.filter((r) => r.policy === p);
  const ms = rs.reduce((s, r) => s + r.ms, 0) / rs.length;
  const row = summarize(rs)[0]!;
  console.log(`  ${p.padEnd(14)} ${(ms / 1000).toFixed(2)} s/run  unallocated@100 ${row.meanUnallocatedPctAt100.toFixed(2)} ± ${row.sdUnallocatedPctAt100.toFixed(2)}`);
}
const cpu = process.cpuUsage(cpu0);
console.log(`process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (all threads); loadavg ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
