import { parentPort } from 'node:worker_threads';
import type { Trace } from './load-trace.js';
import { loadTrace } from './load-trace.js';
import type { NodeChoiceSpec, PolicyName } from './replay-trace.js';
import { runOne } from './replay-trace.js';

/** A job for the replay worker. */
export interface ReplayJob {
  readonly id: number;
  readonly nodesFile: string;
  readonly podsFile: string;
  readonly policy: PolicyName;
  readonly seed: number;
  readonly nodeChoice: NodeChoiceSpec;
}

const traces = new Map<string, Trace>();

parentPort?.on('message', (job: ReplayJob) => {
  const key = `${job.nodesFile}\u0000${job.podsFile}`;
  let trace = traces.get(key);
  if (!trace) { trace = loadTrace(job.nodesFile, job.podsFile); traces.set(key, trace); }
  let last = 0;
  const result = runOne(trace, job.policy, job.seed, (done) => {
    if (done - last >= 512) { parentPort?.postMessage({ type: 'progress', id: job.id, done: done - last }); last = done; }
  }, job.nodeChoice);
  parentPort?.postMessage({ type: 'progress', id: job.id, done: result.pods - last });
  parentPort?.postMessage({ type: 'result', id: job.id, result });
});
