import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { parseNodeList } from '../replay/load-trace.js';
import { parseSeeds } from '../replay/parse-seeds.js';
import type { NodeChoiceSpec } from '../replay/replay-trace.js';
import { DEFAULT_SCHEDULER_CONFIG, POLICY_NAMES } from '../replay/replay-trace.js';
import { runJobs } from '../replay/run-jobs.js';
import { schedulerProfileModelFromFile } from '../kube-scheduler/scheduler-profile-model.js';
import type { ChurnResult } from './churn-job.js';
import { CHURN_ALL_POLICIES, isChurnPolicy } from './churn-job.js';
import type { PriorityMode } from './churn-pods.js';
import { parseTimedPodList } from './churn-pods.js';
import type { ChurnMeanRow } from './churn-results.js';
import { CHURN_PLOTS, writeChurnResults } from './churn-results.js';
import type { ChurnJob } from './churn-worker.js';

const TRACE_DIR = '../shared/traces/alibaba-gpu-v2023';
/** Default arrival-rate factor: the load where FGD's mean p95 wait first passes one hour on the default trace (docs/replay.md "Churn"). */
export const DEFAULT_CHURN_RATES = '250';
/** Default node stride: every 8th GPU node, 152 nodes with 770 GPUs (the whole trace never fills all 6,212). */
export const DEFAULT_CHURN_NODE_STRIDE = 8;
/** Time-series buckets per run. */
export const CHURN_BUCKETS = 120;
/** A p95 wait above this marks the load the goal is judged at. */
export const GOAL_WAIT_P95_SECONDS = 3600;
/** Tessera's stranded GPU-hours and p95 wait must be at most this × FGD's there. */
export const GOAL_RATIO = 0.8;

const USAGE = `usage: tessera simulate --mode churn [flags]

Replays a pod list in time order with departures and kube-scheduler's queue (docs/replay.md "Churn").

  --nodes <csv>          node list (default ${TRACE_DIR}/openb_node_list_gpu_node.csv)
  --pods <csv[,csv…]>    pod list(s) with creation/scheduled/deletion times (default ${TRACE_DIR}/openb_pod_list_default.csv)
  --policies <list>      comma list of ${POLICY_NAMES.join(', ')}, Tessera-whole, each optionally with +defrag
                         (default all: ${CHURN_ALL_POLICIES.join(', ')})
  --rates <list>         arrival-rate factors, × the trace's rate, e.g. 200,250,300 (default ${DEFAULT_CHURN_RATES})
  --seeds <spec>         arrival jitter and node order, e.g. 42-51 or 42,45 (default 42-51)
  --node-stride <n>      keep every n-th GPU node by name (default ${DEFAULT_CHURN_NODE_STRIDE}; 1 = all 1,213)
  --priority <qos|none>  queue priority from the trace's qos (best-effort last) or none (default qos)
  --node-choice <kind>   how Tessera's policies pick a node: kube-scheduler (default, as a real kube-scheduler
                         with --scheduler-config does) or argmax (Tessera's own best rank)
  --scheduler-config <f> kube-scheduler configuration for the node choice (default ${DEFAULT_SCHEDULER_CONFIG})
  --out <dir>            output directory (default out/churn)
  --workers <n>          worker threads (default: available cores, at most 2)
  --help
`;

function fail(message: string): number {
  process.stderr.write(`cannot run simulate --mode churn: ${message}\n`);
  return 2;
}

/** The goal line for one trace: judged at the lowest rate where FGD's mean p95 wait passes an hour. */
export function churnGoalLine(trace: string, means: readonly ChurnMeanRow[]): string {
  const rows = means.filter((m) => m.trace === trace);
  const rates = [...new Set(rows.map((m) => m.rate))].sort((a, b) => a - b);
  const at = rates.find((r) => (rows.find((m) => m.policy === 'FGD' && m.rate === r)?.waitP95 ?? 0) > GOAL_WAIT_P95_SECONDS);
  if (at === undefined) return `${trace}: FGD's mean p95 wait stays within ${GOAL_WAIT_P95_SECONDS} s at every rate run; raise --rates to find the goal's load`;
  const t = rows.find((m) => m.policy === 'Tessera' && m.rate === at);
  if (t === undefined) return `${trace}: FGD's mean p95 wait passes ${GOAL_WAIT_P95_SECONDS} s at ${at}x; run Tessera to judge the goal`;
  const met = t.strandedVsFgd <= GOAL_RATIO && t.waitP95VsFgd <= GOAL_RATIO;
  return `${trace}: at ${at}x (FGD's mean p95 wait first above ${GOAL_WAIT_P95_SECONDS} s) Tessera has ${t.strandedVsFgd.toFixed(2)} x FGD's stranded GPU-hours and ${t.waitP95VsFgd.toFixed(2)} x its p95 wait: goal (both <= ${GOAL_RATIO}) ${met ? 'met' : 'not met'}`;
}

/** `tessera simulate --mode churn`; returns the exit code (0 ok, 2 usage or input error). */
export async function churnCommand(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        nodes: { type: 'string' }, pods: { type: 'string' }, policies: { type: 'string' }, rates: { type: 'string' },
        seeds: { type: 'string' }, 'node-stride': { type: 'string' }, priority: { type: 'string' }, out: { type: 'string' },
        workers: { type: 'string' }, 'node-choice': { type: 'string' }, 'scheduler-config': { type: 'string' }, help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    process.stderr.write(`cannot run simulate --mode churn: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) { process.stdout.write(USAGE); return 0; }
  const nodesFile = resolve(values.nodes ?? `${TRACE_DIR}/openb_node_list_gpu_node.csv`);
  const podFiles = (values.pods ?? `${TRACE_DIR}/openb_pod_list_default.csv`).split(',').map((p) => resolve(p));
  const out = resolve(values.out ?? 'out/churn');
  const policyArg = values.policies ?? 'all';
  const policies = [...new Set(policyArg.split(',').map((p) => p.trim()).flatMap((p) => (p === 'all' ? CHURN_ALL_POLICIES : [p])))];
  const unknown = policies.filter((p) => !isChurnPolicy(p));
  if (unknown.length > 0) return fail(`unknown policy "${unknown.join('", "')}": known policies are ${POLICY_NAMES.join(', ')}, Tessera-whole, each optionally with +defrag`);
  const rateText = values.rates ?? DEFAULT_CHURN_RATES;
  const rates = rateText.split(',').map((r) => Number(r.trim().replace(/x$/, '')));
  if (rates.some((r) => !Number.isFinite(r) || r <= 0)) return fail(`bad --rates "${rateText}": use positive factors like 200,250,300`);
  const seeds = parseSeeds(values.seeds ?? '42-51');
  if (seeds === null) return fail(`bad --seeds "${values.seeds}": use a range like 42-51 or a list like 42,43`);
  const stride = Number(values['node-stride'] ?? DEFAULT_CHURN_NODE_STRIDE);
  if (!Number.isInteger(stride) || stride < 1) return fail(`bad --node-stride "${values['node-stride']}": must be a positive integer`);
  const priority = (values.priority ?? 'qos') as PriorityMode;
  if (priority !== 'qos' && priority !== 'none') return fail(`bad --priority "${values.priority}": use qos or none`);
  const choiceArg = values['node-choice'] ?? 'kube-scheduler';
  if (choiceArg !== 'kube-scheduler' && choiceArg !== 'argmax') return fail(`bad --node-choice "${choiceArg}": use kube-scheduler or argmax`);
  const schedulerConfig = resolve(values['scheduler-config'] ?? DEFAULT_SCHEDULER_CONFIG);
  const nodeChoice: NodeChoiceSpec = choiceArg === 'argmax' ? { kind: 'argmax' } : { kind: 'kube-scheduler', schedulerConfig };
  if (nodeChoice.kind === 'kube-scheduler' && policies.some((p) => p.startsWith('Tessera'))) {
    try {
      schedulerProfileModelFromFile(schedulerConfig);
    } catch (e) {
      return fail(`--scheduler-config ${schedulerConfig}: ${(e as Error).message}`);
    }
  }
  const workers = values.workers === undefined ? Math.min(2, availableParallelism()) : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1) return fail(`bad --workers "${values.workers}": must be a positive integer`);
  let podCount = 0;
  try {
    parseNodeList(readFileSync(nodesFile, 'utf8'), nodesFile);
    for (const f of podFiles) podCount += parseTimedPodList(readFileSync(f, 'utf8'), f).pods.length;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const jobs: Omit<ChurnJob, 'id'>[] = podFiles.flatMap((podsFile) => rates.flatMap((rate) => policies.flatMap((policy) => seeds.map((seed) => ({
    nodesFile, podsFile, policy, seed, rate, stride, priority, buckets: CHURN_BUCKETS, nodeChoice,
  })))));
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ stream: process.stderr, format: 'churn [{bar}] {percentage}% | {value}/{total} pods | ETA {eta}s' }, cliProgress.Presets.shades_classic)
    : null;
  bar?.start(podCount * rates.length * policies.length * seeds.length, 0);
  const t0 = performance.now();
  const self = import.meta.url;
  const worker = new URL(self.endsWith('.ts') ? './churn-worker.ts' : './churn-worker.js', self);
  const results = await runJobs<Omit<ChurnJob, 'id'>, ChurnResult>(jobs, workers, (n) => bar?.increment(n), worker);
  bar?.stop();
  const means = writeChurnResults(out, results);
  const secs = (performance.now() - t0) / 1000;
  process.stdout.write('trace,policy,rate,seeds,mean_allocated_gpu_pct,wait_p95_s,stranded_gpu_hours,wait_p95_vs_fgd,stranded_vs_fgd\n');
  for (const m of means) {
    process.stdout.write(`${m.trace},${m.policy},${m.rate},${m.seeds},${m.meanAllocatedPct.toFixed(2)},${m.waitP95.toFixed(0)},${m.strandedGpuHours.toFixed(1)},${Number.isFinite(m.waitP95VsFgd) ? m.waitP95VsFgd.toFixed(2) : ''},${Number.isFinite(m.strandedVsFgd) ? m.strandedVsFgd.toFixed(2) : ''}\n`);
  }
  for (const trace of new Set(results.map((r) => r.trace))) process.stdout.write(`${churnGoalLine(trace, means)}\n`);
  process.stdout.write(`${jobs.length} runs in ${secs.toFixed(1)} s on ${workers} worker(s); wrote ${out}/summary.csv, means.csv, timeseries.csv and ${new Set(results.map((r) => `${r.trace}|${r.rate}`)).size * CHURN_PLOTS.length} SVG plots\n`);
  return 0;
}
