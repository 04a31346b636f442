import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { loadTopologyPresets } from '../../io/load-topology-presets.js';
import type { PresetCatalog } from '../../model/topology-preset.js';
import type { Trace } from '../replay/load-trace.js';
import { loadTrace } from '../replay/load-trace.js';
import type { TimedPodList } from './churn-pods.js';
import { parseTimedPodList } from './churn-pods.js';
import type { ChurnSetup } from './churn-job.js';
import { runChurnOne } from './churn-job.js';

/** A job for the churn worker: one policy × seed × rate on one trace. */
export interface ChurnJob extends ChurnSetup {
  readonly id: number;
  readonly nodesFile: string;
  readonly podsFile: string;
}

const traces = new Map<string, { trace: Trace; timed: TimedPodList }>();
let presets: PresetCatalog | null = null;

parentPort?.on('message', (job: ChurnJob) => {
  const key = `${job.nodesFile}\u0000${job.podsFile}`;
  let loaded = traces.get(key);
  if (!loaded) {
    loaded = { trace: loadTrace(job.nodesFile, job.podsFile), timed: parseTimedPodList(readFileSync(job.podsFile, 'utf8'), job.podsFile) };
    traces.set(key, loaded);
  }
  presets ??= loadTopologyPresets();
  const result = runChurnOne(loaded.trace, loaded.timed, presets, job);
  parentPort?.postMessage({ type: 'progress', id: job.id, done: loaded.timed.pods.length });
  parentPort?.postMessage({ type: 'result', id: job.id, result });
});
