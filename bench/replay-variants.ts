/**
 * Does one configuration hold across each trace family? Builds this project's own resampled variants of the
 * shipped traces (src/sim/replay/trace-variants.ts: gpushare60/80/100, multigpu30/40/50, cpu100/200/250,
 * gpuspec20/25/33 by default — the variants the FGD paper also runs, which are not shipped), writes them as pod
 * lists to `--out`, replays FGD and Tessera (and any `--policies`) on every seed, and prints per variant the
 * mix, the means and Tessera / FGD. There is no published reference for these files; FGD runs in the same
 * harness on the same arrivals. Prints, never asserts. Usage:
 *   npx tsx bench/replay-variants.ts [--variants gpushare60,multigpu40,cpu200,gpuspec33] [--seeds 42-44]
 *                                   [--policies FGD,Tessera] [--workers 2] [--out out/variants]
 *                                   [--node-choice kube-scheduler|argmax]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTrace, type TracePod } from '../src/sim/replay/load-trace.js';
import { parseSeeds } from '../src/sim/replay/parse-seeds.js';
import { DEFAULT_SCHEDULER_CONFIG, type NodeChoiceSpec, type PolicyName } from '../src/sim/replay/replay-trace.js';
import { runJobs } from '../src/sim/replay/run-jobs.js';
import { seededRng } from '../src/sim/replay/seeded-rng.js';
import { DEFAULT_TRACE_DIR } from '../src/sim/replay/simulate-command.js';
import { summarize } from '../src/sim/replay/summarize.js';
import { traceVariant, variantMix, type VariantFamily } from '../src/sim/replay/trace-variants.js';

const DEFAULT_VARIANTS = 'gpushare60,gpushare80,gpushare100,multigpu30,multigpu40,multigpu50,cpu100,cpu200,cpu250,gpuspec20,gpuspec25,gpuspec33';
const { values } = parseArgs({ options: {
  variants: { type: 'string' }, seeds: { type: 'string' }, policies: { type: 'string' }, workers: { type: 'string' }, out: { type: 'string' },
  'node-choice': { type: 'string' },
} });
const nodesFile = resolve(`${DEFAULT_TRACE_DIR}/openb_node_list_gpu_node.csv`);
const base = loadTrace(nodesFile, resolve(`${DEFAULT_TRACE_DIR}/openb_pod_list_default.csv`));
const specSource = loadTrace(nodesFile, resolve(`${DEFAULT_TRACE_DIR}/openb_pod_list_gpuspec10.csv`)).pods;
const seeds = parseSeeds(values.seeds ?? '42-44') ?? [42];
const policies = (values.policies ?? 'FGD,Tessera').split(',') as PolicyName[];
const workers = Number(values.workers ?? '2');
const outDir = resolve(values.out ?? 'out/variants');
mkdirSync(outDir, { recursive: true });

const csv = (pods: readonly TracePod[]): string =>
  ['name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec',
    ...pods.map((p) => `${p.name},${p.cpuMilli},${p.memoryMiB},${p.gpuCount},${p.gpuCount === 0 ? 0 : p.gpuMilli},${p.gpuSpec}`)].join('\n') + '\n';

const files = new Map<string, { file: string; mix: ReturnType<typeof variantMix> }>();
for (const v of (values.variants ?? DEFAULT_VARIANTS).split(',')) {
  const m = /^(gpushare|multigpu|cpu|gpuspec)(\d+)$/.exec(v);
  if (m === null) throw new Error(`unknown variant "${v}": use gpushareNN, multigpuNN, cpuNNN or gpuspecNN`);
  // One fixed resampling seed per variant, so every run and every policy sees the same pod list.
  const pods = traceVariant(base.pods, m[1] as VariantFamily, Number(m[2]), seededRng(7), specSource);
  const file = `${outDir}/openb_pod_list_${v}.csv`;
  writeFileSync(file, csv(pods));
  files.set(v, { file, mix: variantMix(pods) });
}

const nodeChoice: NodeChoiceSpec = values['node-choice'] === 'argmax' ? { kind: 'argmax' } : { kind: 'kube-scheduler', schedulerConfig: resolve(DEFAULT_SCHEDULER_CONFIG) };
const jobs = [...files.values()].flatMap(({ file }) => policies.flatMap((policy) => seeds.map((seed) => ({ nodesFile, podsFile: file, policy, seed, nodeChoice }))));
const t0 = performance.now();
const results = await runJobs(jobs, workers, () => undefined);
console.log(`${jobs.length} runs (${files.size} variants × ${policies.length} policies × ${seeds.length} seeds) in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${workers} worker(s)`);
console.log('variant       share milli  multi milli  cpu-only pods  constrained  ' + policies.map((p) => p.padStart(14)).join('') + '  Tessera / FGD');
for (const [v, { mix }] of files) {
  const rows = summarize(results.filter((r) => r.trace === v));
  const mean = (p: string): number => rows.find((r) => r.policy === p)?.meanUnallocatedPctAt100 ?? Number.NaN;
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  console.log(`${v.padEnd(12)} ${pct(mix.shareMilli).padStart(12)} ${pct(mix.multiMilli).padStart(12)} ${pct(mix.cpuOnlyPods).padStart(14)} ${pct(mix.constrainedGpuPods).padStart(12)}  `
    + policies.map((p) => mean(p).toFixed(2).padStart(14)).join('') + `  ${(mean('Tessera') / mean('FGD')).toFixed(2).padStart(13)}`);
}
