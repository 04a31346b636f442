import { Worker } from 'node:worker_threads';
import type { RunResult } from './replay-trace.js';
import type { ReplayJob } from './replay-worker.js';

/**
 * Runs replay jobs on `workers` worker threads (largest first, results in job order). `onProgress` gets the
 * number of pods just replayed. Under tsx the worker is the .ts file loaded through tsx's loader.
 * `workerUrl` (default: replay-worker) is a module that answers each job with `{ type: 'result', id, result }`.
 */
export async function runJobs<J extends { readonly policy: string } = Omit<ReplayJob, 'id'>, R = RunResult>(
  jobs: readonly J[], workers: number, onProgress: (pods: number) => void, workerUrl?: URL,
): Promise<R[]> {
  const self = import.meta.url;
  const isTs = self.endsWith('.ts');
  const url = workerUrl ?? new URL(isTs ? './replay-worker.ts' : './replay-worker.js', self);
  const queue = jobs.map((j, id) => ({ ...j, id }));
  // Tessera and Random are the slowest; start them first so the tail is short.
  const cost = (p: string): number => (p.startsWith('Tessera') ? 3 : p === 'Random' || p.startsWith('FGD') ? 2 : 1);
  queue.sort((a, b) => cost(b.policy) - cost(a.policy));
  const results: R[] = new Array<R>(jobs.length);
  const n = Math.max(1, Math.min(workers, queue.length));
  await Promise.all(Array.from({ length: n }, () => new Promise<void>((resolve, reject) => {
    const w = isTs
      ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`, { eval: true })
      : new Worker(url);
    const next = (): void => {
      const job = queue.shift();
      if (job === undefined) { void w.terminate().then(() => resolve()); return; }
      w.postMessage(job);
    };
    w.on('message', (m: { type: 'progress'; done: number } | { type: 'result'; id: number; result: R }) => {
      if (m.type === 'progress') onProgress(m.done);
      else { results[m.id] = m.result; next(); }
    });
    w.on('error', reject);
    next();
  })));
  return results;
}
