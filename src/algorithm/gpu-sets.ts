import type { TopologyNeed } from '../model/gpu-request.js';
import type { GpuSetMemo } from './gpu-set-memo.js';
import type { InventoryInfo } from './inventory-info.js';
import { maxClique, popcount } from './inventory-info.js';

/** Above this many candidate sets the search falls back to a greedy build (only nodes with > 16 GPUs). */
const MAX_EXHAUSTIVE_SETS = 40_000;

/** Sum of pair scores over every pair inside `mask`. */
export function setPairSum(info: InventoryInfo, mask: number): number {
  const n = info.n;
  let s = 0;
  for (let i = 0; i < n; i += 1) {
    if (!((mask >> i) & 1)) continue;
    for (let j = i + 1; j < n; j += 1) if ((mask >> j) & 1) s += info.pair[i * n + j] ?? 0;
  }
  return s;
}

/** Mean link quality (0..100) over the pairs of `mask`; 100 for a single GPU. */
export function setQuality(info: InventoryInfo, mask: number): number {
  const n = info.n;
  let s = 0; let pairs = 0;
  for (let i = 0; i < n; i += 1) {
    if (!((mask >> i) & 1)) continue;
    for (let j = i + 1; j < n; j += 1) if ((mask >> j) & 1) { s += info.quality[i * n + j] ?? 0; pairs += 1; }
  }
  return pairs === 0 ? 100 : s / pairs;
}

/**
 * How well-connected the GPUs of `mask` stay for later jobs: largest NVLink island first, then pair sum.
 * Memoised in `memo` per link matrix.
 */
export function remainderValue(info: InventoryInfo, mask: number, memo: GpuSetMemo): number {
  const m = memo.remaindersOf(info.linkKey);
  let v = m.get(mask);
  if (v === undefined) {
    v = maxClique(info.nvAdj, mask) * 1e7 + setPairSum(info, mask);
    memo.keepRemainder(m, mask, v);
  }
  return v;
}

/** Largest number of `candidates` on one NUMA node. */
export function largestNumaGroup(info: InventoryInfo, candidates: number): number {
  let best = 0;
  for (const g of info.numaGroups) best = Math.max(best, popcount(g & candidates));
  return best;
}

/** Largest subset of `candidates` that satisfies `need` (pairwise NV-linked, or one NUMA node). */
export function largestSatisfyingSet(info: InventoryInfo, candidates: number, need: TopologyNeed): number {
  if (need === 'nvlink-required') return maxClique(info.nvAdj, candidates);
  if (need === 'numa') return largestNumaGroup(info, candidates);
  return popcount(candidates);
}

/**
 * The best set of `k` GPUs among `candidates` (a mask), or 0 when none satisfies `need`:
 * maximise the sum of go-gpuallocator pair scores (NV bonds × 100, then PCIe levels); among equal sets keep
 * the best-connected remainder of `free` (largest NVLink island, then pair sum); then the lowest indices.
 * Exhaustive over all k-subsets (branch and bound on a pair-score bound) up to MAX_EXHAUSTIVE_SETS, which
 * covers every node of up to 16 GPUs; greedy beyond. Memoised in `memo` per link matrix.
 */
export function bestGpuSet(info: InventoryInfo, candidates: number, k: number, need: TopologyNeed, free: number, memo: GpuSetMemo): number {
  if (k <= 0 || popcount(candidates) < k) return 0;
  const key = `${info.linkKey}|${candidates}|${free}|${k}|${need}`;
  const hit = memo.bestSet(key);
  if (hit !== undefined) return hit;
  let result = 0;
  if (need === 'numa') {
    let bestScore = -1; let bestRem = -1;
    for (const g of info.numaGroups) {
      const m = searchSets(info, candidates & g, k, false, free, memo);
      if (m === 0) continue;
      const s = setPairSum(info, m);
      const r = remainderValue(info, free & ~m, memo);
      if (s > bestScore || (s === bestScore && r > bestRem)) { bestScore = s; bestRem = r; result = m; }
    }
  } else {
    result = searchSets(info, candidates, k, need === 'nvlink-required', free, memo);
  }
  memo.keepBestSet(key, result);
  return result;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i += 1) r = (r * (n - k + i)) / i;
  return r;
}

function searchSets(info: InventoryInfo, candidates: number, k: number, clique: boolean, free: number, memo: GpuSetMemo): number {
  const idx: number[] = [];
  for (let i = 0; i < info.n; i += 1) if ((candidates >> i) & 1) idx.push(i);
  if (idx.length < k) return 0;
  if (k === 1 || binomial(idx.length, k) <= MAX_EXHAUSTIVE_SETS) return exhaustive(info, idx, k, clique, free, memo);
  return greedy(info, idx, k, clique);
}

function exhaustive(info: InventoryInfo, idx: readonly number[], k: number, clique: boolean, free: number, memo: GpuSetMemo): number {
  const n = info.n;
  let bestScore = -1;
  let ties: number[] = [];
  let maxPair = 0;
  for (const a of idx) for (const b of idx) if (a !== b) maxPair = Math.max(maxPair, info.pair[a * n + b] ?? 0);
  const chosen: number[] = [];
  const rec = (start: number, mask: number, score: number): void => {
    const have = chosen.length;
    if (have === k) {
      if (score > bestScore) { bestScore = score; ties = [mask]; } else if (score === bestScore && ties.length < 64) ties.push(mask);
      return;
    }
    // Bound: every pair still to add scores at most maxPair.
    const left = k - have;
    const bound = score + maxPair * (left * have + (left * (left - 1)) / 2);
    if (bound < bestScore) return;
    for (let p = start; p <= idx.length - left; p += 1) {
      const v = idx[p] ?? 0;
      if (clique && (mask & ~(info.nvAdj[v] ?? 0)) !== 0) continue;
      let add = 0;
      for (const c of chosen) add += info.pair[c * n + v] ?? 0;
      chosen.push(v);
      rec(p + 1, mask | (1 << v), score + add);
      chosen.pop();
    }
  };
  rec(0, 0, 0);
  if (ties.length === 0) return 0;
  if (ties.length === 1) return ties[0] ?? 0;
  let best = ties[0] ?? 0; let bestRem = -1;
  for (const m of ties) {
    const r = remainderValue(info, free & ~m, memo);
    if (r > bestRem) { bestRem = r; best = m; }
  }
  return best;
}

function greedy(info: InventoryInfo, idx: readonly number[], k: number, clique: boolean): number {
  const n = info.n;
  let best = 0; let bestScore = -1;
  for (const seed of idx) {
    let mask = 1 << seed; let score = 0; const chosen = [seed];
    while (chosen.length < k) {
      let pick = -1; let pickAdd = -1;
      for (const v of idx) {
        if ((mask >> v) & 1) continue;
        if (clique && (mask & ~(info.nvAdj[v] ?? 0)) !== 0) continue;
        let add = 0;
        for (const c of chosen) add += info.pair[c * n + v] ?? 0;
        if (add > pickAdd) { pickAdd = add; pick = v; }
      }
      if (pick < 0) break;
      chosen.push(pick); mask |= 1 << pick; score += pickAdd;
    }
    if (chosen.length === k && score > bestScore) { bestScore = score; best = mask; }
  }
  return best;
}
