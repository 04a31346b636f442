import type { TypicalPod } from '../../algorithm/baselines/fgd-fragmentation.js';
import type { TracePod } from './load-trace.js';

/** `GetTypicalPods` settings used by every FGD experiment. */
export const TYPICAL_POD_POPULARITY_THRESHOLD = 95;

interface Spec { cpu: number; m: number; k: number; type: string; count: number }

function specLess(a: Spec, b: Spec): boolean {
  if (a.cpu !== b.cpu) return a.cpu < b.cpu;
  if (a.m !== b.m) return a.m < b.m;
  if (a.k !== b.k) return a.k < b.k;
  return a.type < b.type;
}

/**
 * FGD's target workload (PROTOCOL §3.2): group the original pods by (cpu, milli-GPU, GPU count, gpu_spec),
 * sort by count descending (equal counts: larger spec tuple first), keep the top specs until they cover
 * ≥ `threshold` % of pods, and renormalise with the simulator's own float steps.
 */
export function typicalPods(pods: readonly TracePod[], threshold = TYPICAL_POD_POPULARITY_THRESHOLD): TypicalPod[] {
  const byKey = new Map<string, Spec>();
  for (const p of pods) {
    const key = `${p.cpuMilli}|${p.gpuMilli}|${p.gpuCount}|${p.gpuSpec}`;
    const s = byKey.get(key);
    if (s) s.count++;
    else byKey.set(key, { cpu: p.cpuMilli, m: p.gpuMilli, k: p.gpuCount, type: p.gpuSpec, count: 1 });
  }
  const specs = [...byKey.values()].sort((a, b) => {
    if (a.count !== b.count) return b.count - a.count;
    return specLess(a, b) ? 1 : specLess(b, a) ? -1 : 0;
  });
  const total = pods.length;
  const expected = (threshold * total) / 100;
  let cum = 0;
  let i = 0;
  const ratio: number[] = [];
  while (cum < expected && i < specs.length) {
    cum += specs[i]!.count;
    ratio.push(specs[i]!.count / total);
    i++;
  }
  const kept = specs.slice(0, i);
  return kept.map((s, j) => ({
    cpuMilli: s.cpu,
    gpuMilli: s.m,
    gpuCount: s.k,
    models: s.type === '' ? null : s.type.split('|'),
    p: i >= specs.length ? ratio[j]! : ratio[j]! / (cum / total),
  }));
}
