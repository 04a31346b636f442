import { MILLI } from './baseline-policy.js';

/**
 * FGD's target workload entry ("typical pod", `GetTypicalPods`): a pod spec and its renormalised popularity.
 * `models` null means any GPU model; `gpuMilli` 0 marks a CPU-only spec.
 */
export interface TypicalPod {
  readonly cpuMilli: number;
  readonly gpuMilli: number;
  readonly gpuCount: number;
  readonly models: readonly string[] | null;
  /** Popularity, the kept specs sum to 1. */
  readonly p: number;
}

/** A node's free resources as the fragmentation measure sees them. */
export interface FragNode {
  readonly model: string;
  readonly cpuLeft: number;
  readonly gpuLeft: readonly number[];
}

// Bucket indices of FragRatioDataMap; Q3 (index 2) is excluded from the sum.
const Q1 = 0, Q2 = 1, Q3 = 2, Q4 = 3, XL = 4, XR = 5, NA = 6;

/**
 * FGD node fragmentation F_n (`NodeGpuShareFragAmountScore`, PROTOCOL §3.2), in milli-GPU: for each typical pod,
 * the idle GPU it cannot use (GPUs with less than its per-GPU milli when it fits, all idle GPU otherwise),
 * weighted by popularity. Accumulates into the simulator's seven buckets in the same order so float results
 * (and hence integer-truncated scores) match.
 */
export function nodeFragAmount(node: FragNode, typical: readonly TypicalPod[]): number {
  const buckets = [0, 0, 0, 0, 0, 0, 0];
  let idle = 0;
  for (const left of node.gpuLeft) idle += left;
  for (const t of typical) {
    if (t.gpuMilli === 0) {
      buckets[node.cpuLeft >= t.cpuMilli ? XL : XR]! += t.p * idle;
      continue;
    }
    if (t.models !== null && t.models.length > 0 && !t.models.includes(node.model)) {
      buckets[NA]! += t.p * idle;
      continue;
    }
    let need = t.gpuCount;
    let fits = false;
    for (const left of node.gpuLeft) {
      if (left >= t.gpuMilli && --need <= 0) { fits = true; break; }
    }
    const cpuOk = node.cpuLeft >= t.cpuMilli;
    if (fits && cpuOk) {
      let frag = 0;
      for (const left of node.gpuLeft) if (left < t.gpuMilli) frag += left;
      buckets[Q2]! += t.p * frag;
      buckets[Q3]! += t.p * (idle - frag);
    } else {
      buckets[fits ? Q4 : cpuOk ? Q2 : Q1]! += t.p * idle;
    }
  }
  let out = 0;
  for (let i = 0; i < buckets.length; i++) if (i !== Q3) out += buckets[i]!;
  return out;
}

/** `sigmoid(x) = 1/(1+e^-x)`. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** FGD's integer score of a fragmentation change: `int(sigmoid((before − after)/1000)·100)`. */
export function fragDeltaScore(before: number, after: number): number {
  return Math.trunc(sigmoid((before - after) / MILLI) * 100);
}

/** A memoising F_n keyed by the flattened node state (model, CPU left, GPU frees sorted), as the simulator does. */
export function makeFragMemo(typical: readonly TypicalPod[]): (node: FragNode) => number {
  const memo = new Map<string, number>();
  return (node) => {
    const key = `${node.model}|${node.cpuLeft}|${[...node.gpuLeft].sort((a, b) => b - a).join(',')}`;
    let v = memo.get(key);
    if (v === undefined) {
      v = nodeFragAmount(node, typical);
      if (memo.size > 2_000_000) memo.clear();
      memo.set(key, v);
    }
    return v;
  };
}
