import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadTopologyPresets } from '../../io/load-topology-presets.js';
import { loadTrace } from './load-trace.js';
import { parseScenario } from './scenario.js';
import type { ScenarioResult } from './scenario-run.js';
import { runScenario } from './scenario-run.js';
import { DEFAULT_SCHEDULER_CONFIG } from './replay-trace.js';
import { schedulerProfileModelFromFile } from '../kube-scheduler/scheduler-profile-model.js';

/** Header of `scenario.csv`. */
export const SCENARIO_HEADER = 'scenario,policy,nodes,spot_nodes,pods,failed_pods,unallocated_pct,multi_gpu_pods,multi_gpu_best_connected_share,non_interruptible_on_spot,cost_per_allocated_gpu_hour';

/** `scenario.csv` text. */
export function scenarioCsv(rows: readonly ScenarioResult[]): string {
  return `${SCENARIO_HEADER}\n${rows.map((r) => [r.scenario, r.policy, r.nodes, r.spotNodes, r.pods, r.failedPods, r.unallocatedPct.toFixed(2),
    r.multiGpuPods, r.multiGpuBestConnectedShare.toFixed(3), r.nonInterruptibleOnSpot, r.costPerAllocatedGpuHour.toFixed(4)].join(',')).join('\n')}\n`;
}

/**
 * Loads the scenario file (paths inside it are relative to it) and runs it, Tessera's nodes chosen as kube-scheduler
 * chooses them with `schedulerConfig` (deploy/'s configuration, relative to the working directory, by default).
 */
export function loadAndRunScenario(file: string, schedulerConfig = resolve(DEFAULT_SCHEDULER_CONFIG)): ScenarioResult[] {
  const parsed = parseScenario(readFileSync(file, 'utf8'));
  if (!parsed.ok) throw new Error(`cannot load scenario "${file}": ${parsed.errors.map((e) => `${e.path || '(root)'}: ${e.message}`).join('; ')}`);
  const sc = parsed.value;
  const base = dirname(file);
  const trace = loadTrace(resolve(base, sc.nodes), resolve(base, sc.pods));
  return runScenario(trace, sc, loadTopologyPresets(), { kind: 'kube-scheduler', profile: schedulerProfileModelFromFile(schedulerConfig) });
}

/** `tessera simulate --scenario <yaml> --out <dir>`; returns the exit code. */
export async function runScenarioCommand(file: string, out: string): Promise<number> {
  let rows: ScenarioResult[];
  try {
    rows = loadAndRunScenario(file);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  mkdirSync(out, { recursive: true });
  const csv = scenarioCsv(rows);
  writeFileSync(join(out, 'scenario.csv'), csv);
  process.stdout.write(csv);
  process.stdout.write(`wrote ${join(out, 'scenario.csv')}\n`);
  return rows.some((r) => r.nonInterruptibleOnSpot > 0) ? 1 : 0;
}
