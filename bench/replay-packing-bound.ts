/**
 * How low can unallocated GPU % at 100 % arrival go on a trace, whatever the policy? Per seed it takes the pods
 * that have arrived when arrival reaches 100 % (the replay's own arrival order) and prints, as means over the
 * seeds:
 * - `sliver bound, all placed`: a lower bound for a packing that places every arrived share (as offline BFD
 *   below does). A share above 500 milli needs a GPU of its own, so the slack (1000 - m) beside every such share
 *   of size m can only be filled by shares no larger than that slack; for each slack size r, Σ slack ≤ r beside
 *   those shares minus Σ of all shares ≤ r stays idle (the largest over r is printed). Whole pods and multi-GPU
 *   pods strand nothing in this bound.
 * - `sliver bound, any policy`: the same, for a policy that may also fail some of those shares: a failed share
 *   leaves no slack but its own milli count as unallocated, so the bound is the least over the failed set of
 *   max(remaining slack − fill, failed milli). No policy can go below it.
 * - `LP, all placed`: the LP relaxation of packing exactly those shares into as few GPUs as possible (cutting
 *   stock; solved through its dual, `itemValues` from the core's packing-value.ts: by LP duality Σ count·value
 *   is the least number of GPUs), as idle milli. Every packing that places all of them leaves at least this
 *   (ignoring CPU, models and nodes), so it is a proof for such packings, and it is below offline BFD.
 * - `offline BFD`: best-fit-decreasing packing of exactly those share pods onto GPUs, offline, ignoring CPU,
 *   host memory, GPU models and node boundaries (whole pods assumed to fill every other GPU): what a near-optimal
 *   packer with full knowledge of the future leaves. Unallocated at 100 % arrival equals the GPU-milli of the
 *   pods that failed so far, which equals the idle left beside the placed pods once the cluster is full.
 * Usage: npx tsx bench/replay-packing-bound.ts [--pods a.csv,b.csv] [--seeds 42-51]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTrace } from '../src/sim/replay/load-trace.js';
import { parseSeeds } from '../src/sim/replay/parse-seeds.js';
import { seedSetup } from '../src/sim/replay/seed-setup.js';
import { DEFAULT_TRACE_DIR } from '../src/sim/replay/simulate-command.js';
import { itemValues } from '../src/algorithm/packing-value.js';

const TRACES = ['default', 'gpushare40', 'multigpu20', 'gpuspec10', 'cpu050'];
const { values } = parseArgs({ options: { pods: { type: 'string' }, seeds: { type: 'string' } } });
const nodesFile = resolve(`${DEFAULT_TRACE_DIR}/openb_node_list_gpu_node.csv`);
const podFiles = values.pods?.split(',') ?? TRACES.map((t) => `${DEFAULT_TRACE_DIR}/openb_pod_list_${t}.csv`);
const seeds = parseSeeds(values.seeds ?? '42-51') ?? [42];

/** Sizes (milli) of the 1-GPU share pods arrived by 100 % arrival, in arrival order. */
function sharesBy100(setup: ReturnType<typeof seedSetup>): number[] {
  const shares: number[] = [];
  let arrived = 0;
  for (const p of setup.pods) {
    if (arrived + p.gpuCount * p.gpuMilli > setup.capacityMilli) break;
    arrived += p.gpuCount * p.gpuMilli;
    if (p.gpuCount === 1 && p.gpuMilli > 0 && p.gpuMilli < 1000) shares.push(p.gpuMilli);
  }
  return shares;
}

/**
 * The sliver lower bound in milli (see the header): with every share placed (`allPlaced`), and for any policy,
 * one that may also fail some of those shares (a failed share's milli count as unallocated themselves):
 * min over the failed set of max(slack of the placed ones − fill, milli of the failed ones).
 */
function sliverBound(shares: readonly number[]): { allPlaced: number; anyPolicy: number } {
  let allPlaced = 0;
  let anyPolicy = 0;
  for (const r of new Set(shares.filter((m) => m > 500).map((m) => 1000 - m))) {
    const big = shares.filter((m) => m > 500 && 1000 - m <= r).sort((a, b) => (1000 - b) / b - (1000 - a) / a);
    const fill = shares.reduce((s, m) => (m <= r ? s + m : s), 0);
    let slack = big.reduce((s, m) => s + 1000 - m, 0);
    allPlaced = Math.max(allPlaced, slack - fill);
    let failedMilli = 0;
    let best = Math.max(slack - fill, 0);
    for (const m of big) {
      slack -= 1000 - m;
      failedMilli += m;
      best = Math.min(best, Math.max(slack - fill, failedMilli));
    }
    anyPolicy = Math.max(anyPolicy, best);
  }
  return { allPlaced, anyPolicy };
}

/** Idle milli left by best-fit-decreasing packing of `shares` onto 1000-milli GPUs. */
function bestFitDecreasing(shares: readonly number[]): number {
  const free: number[] = [];
  for (const m of [...shares].sort((a, b) => b - a)) {
    let best = -1;
    for (let i = 0; i < free.length; i++) if (free[i]! >= m && (best < 0 || free[i]! < free[best]!)) best = i;
    if (best < 0) free.push(1000 - m);
    else free[best] = free[best]! - m;
  }
  return free.reduce((s, f) => s + f, 0);
}

/** Idle milli that the LP relaxation of packing `shares` (10-milli grid) leaves: 1000 · LP GPUs − Σ shares. */
function lpIdle(shares: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const m of shares) counts.set(m / 10, (counts.get(m / 10) ?? 0) + 1);
  const values = itemValues([...counts].map(([steps, demand]) => ({ steps, demand })));
  const gpus = [...counts].reduce((s, [steps, n]) => s + n * (values.get(steps) ?? 0), 0);
  return 1000 * gpus - shares.reduce((s, m) => s + m, 0);
}

console.log('trace         seeds  sliver bound, all placed %  sliver bound, any policy %  LP, all placed %  offline BFD %');
for (const podsFile of podFiles) {
  const trace = loadTrace(nodesFile, resolve(podsFile));
  let bound = 0;
  let boundAny = 0;
  let bfd = 0;
  let lp = 0;
  for (const seed of seeds) {
    const setup = seedSetup(trace, seed);
    const shares = sharesBy100(setup);
    const b = sliverBound(shares);
    bound += (100 * b.allPlaced) / setup.capacityMilli;
    boundAny += (100 * b.anyPolicy) / setup.capacityMilli;
    bfd += (100 * bestFitDecreasing(shares)) / setup.capacityMilli;
    lp += (100 * lpIdle(shares)) / setup.capacityMilli;
  }
  console.log(`${trace.name.padEnd(13)} ${String(seeds.length).padStart(5)}  ${(bound / seeds.length).toFixed(2).padStart(26)}  ${(boundAny / seeds.length).toFixed(2).padStart(25)}  ${(lp / seeds.length).toFixed(2).padStart(16)}  ${(bfd / seeds.length).toFixed(2).padStart(13)}`);
}
