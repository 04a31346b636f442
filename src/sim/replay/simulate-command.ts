import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { Trace } from './load-trace.js';
import { loadTrace } from './load-trace.js';
import { parseSeeds } from './parse-seeds.js';
import type { NodeChoiceSpec, PolicyName } from './replay-trace.js';
import { DEFAULT_POLICY_NAMES, DEFAULT_SCHEDULER_CONFIG, POLICY_NAMES } from './replay-trace.js';
import { schedulerProfileModelFromFile } from '../kube-scheduler/scheduler-profile-model.js';
import { runJobs } from './run-jobs.js';
import { churnCommand } from '../churn/churn-command.js';
import { simulateMode as modeOf } from '../churn/simulate-mode.js';
import { runScenarioCommand } from './scenario-command.js';
import { writeResults } from './write-results.js';
import { seedSetup } from './seed-setup.js';

/** Where the Alibaba trace lives relative to the repository (the team's shared folder). */
export const DEFAULT_TRACE_DIR = '../shared/traces/alibaba-gpu-v2023';

const USAGE = `usage: tessera simulate [flags]

Replays a pod list onto a node list under the FGD paper's protocol (docs/replay.md).

  --nodes <csv>          node list (default ${DEFAULT_TRACE_DIR}/openb_node_list_gpu_node.csv)
  --pods <csv[,csv…]>    pod list(s), one trace each (default ${DEFAULT_TRACE_DIR}/openb_pod_list_default.csv)
  --policies <list|all>  comma list of ${POLICY_NAMES.join(', ')}
                         (default all: ${DEFAULT_POLICY_NAMES.join(', ')})
  --node-choice <kind>   how Tessera's policies pick a node: kube-scheduler (default: as a real kube-scheduler
                         with --scheduler-config does) or argmax (Tessera's own best rank)
  --scheduler-config <f> kube-scheduler configuration for the node choice (default ${DEFAULT_SCHEDULER_CONFIG})
  --seeds <spec>         e.g. 42-51 or 42,45 (default 42-51)
  --out <dir>            output directory (default out/replay)
  --workers <n>          worker threads (default: available cores, at most 2)
  --scenario <yaml>      replay a scenario instead (docs/replay.md "Scenarios")
  --mode <fgd|churn>     fgd (default): the protocol above; churn: in time order with departures and
                         kube-scheduler's queue (docs/replay.md "Churn"; its flags: --mode churn --help)
  --help
`;

/** Entry of `tessera simulate`; returns the process exit code (0 ok, 2 usage or input error). */
export async function simulateCommand(args: string[]): Promise<number> {
  const mode = modeOf(args);
  if (mode.name === 'churn') return churnCommand(mode.rest);
  if (mode.name !== 'fgd') {
    process.stderr.write(`cannot run simulate: bad --mode "${mode.name}": use fgd or churn\n`);
    return 2;
  }
  args = mode.rest;
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        nodes: { type: 'string' }, pods: { type: 'string' }, policies: { type: 'string' }, seeds: { type: 'string' },
        out: { type: 'string' }, workers: { type: 'string' }, scenario: { type: 'string' }, help: { type: 'boolean' },
        'node-choice': { type: 'string' }, 'scheduler-config': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    process.stderr.write(`cannot run simulate: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) { process.stdout.write(USAGE); return 0; }
  const nodesFile = resolve(values.nodes ?? `${DEFAULT_TRACE_DIR}/openb_node_list_gpu_node.csv`);
  const out = resolve(values.out ?? 'out/replay');
  if (values.scenario !== undefined) return runScenarioCommand(resolve(values.scenario), out);

  const podFiles = (values.pods ?? `${DEFAULT_TRACE_DIR}/openb_pod_list_default.csv`).split(',').map((f) => resolve(f));
  const policyArg = values.policies ?? 'all';
  const policies = (policyArg === 'all' ? [...DEFAULT_POLICY_NAMES] : policyArg.split(',').map((p) => p.trim())) as PolicyName[];
  const unknown = policies.filter((p) => !(POLICY_NAMES as readonly string[]).includes(p));
  if (unknown.length > 0) {
    process.stderr.write(`cannot run simulate: unknown policy "${unknown.join('", "')}": known policies are ${POLICY_NAMES.join(', ')}\n`);
    return 2;
  }
  const choiceArg = values['node-choice'] ?? 'kube-scheduler';
  if (choiceArg !== 'kube-scheduler' && choiceArg !== 'argmax') {
    process.stderr.write(`cannot run simulate: bad --node-choice "${choiceArg}": use kube-scheduler or argmax\n`);
    return 2;
  }
  const schedulerConfig = resolve(values['scheduler-config'] ?? DEFAULT_SCHEDULER_CONFIG);
  const nodeChoice: NodeChoiceSpec = choiceArg === 'argmax' ? { kind: 'argmax' } : { kind: 'kube-scheduler', schedulerConfig };
  if (nodeChoice.kind === 'kube-scheduler' && policies.some((p) => p.startsWith('Tessera'))) {
    try {
      schedulerProfileModelFromFile(schedulerConfig);
    } catch (e) {
      process.stderr.write(`cannot run simulate: --scheduler-config ${schedulerConfig}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const seeds = parseSeeds(values.seeds ?? '42-51');
  if (seeds === null) {
    process.stderr.write(`cannot run simulate: bad --seeds "${values.seeds}": use a range like 42-51 or a list like 42,43\n`);
    return 2;
  }
  const workers = values.workers === undefined ? Math.min(2, availableParallelism()) : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1) {
    process.stderr.write(`cannot run simulate: bad --workers "${values.workers}": must be a positive integer\n`);
    return 2;
  }
  const traces: Trace[] = [];
  try {
    for (const f of podFiles) traces.push(loadTrace(nodesFile, f));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const jobs = traces.flatMap((t, i) => policies.flatMap((policy) => seeds.map((seed) => ({ nodesFile, podsFile: podFiles[i]!, policy, seed, nodeChoice }))));
  const totalPods = traces.reduce((s, t) => s + seeds.reduce((a, seed) => a + seedSetup(t, seed).pods.length, 0) * policies.length, 0);
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ stream: process.stderr, format: 'replay [{bar}] {percentage}% | {value}/{total} pods | ETA {eta}s' }, cliProgress.Presets.shades_classic)
    : null;
  bar?.start(totalPods, 0);
  const t0 = performance.now();
  const results = await runJobs(jobs, workers, (n) => bar?.increment(n));
  bar?.stop();
  const rows = writeResults(out, results);
  const secs = (performance.now() - t0) / 1000;
  process.stdout.write('trace,policy,seeds,mean_unallocated_pct_at_100,sd_unallocated_pct_at_100\n');
  for (const r of rows) process.stdout.write(`${r.trace},${r.policy},${r.seeds},${r.meanUnallocatedPctAt100.toFixed(2)},${r.sdUnallocatedPctAt100.toFixed(2)}\n`);
  process.stdout.write(`${jobs.length} runs in ${secs.toFixed(1)} s on ${workers} worker(s); wrote ${out}/summary.csv, curves.csv and ${traces.map((t) => `${t.name}.svg`).join(', ')}\n`);
  return 0;
}
