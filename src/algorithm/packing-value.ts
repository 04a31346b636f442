import { solve } from 'yalps';
import type { GpuDevice } from '../model/gpu-device.js';
import { modelMatches } from '../model/gpu-product.js';
import type { TargetTask } from './scheduling-options.js';

/**
 * Packing values: what a request "is worth" in GPUs when the target workload is packed as tightly as it can be,
 * and what a GPU's idle room is worth to the requests still to come.
 *
 * The share sizes of the target workload are a cutting-stock problem: fill GPUs (bins of 1000 idle units) with
 * shares in the workload's proportions using as few GPUs as possible. The dual of its LP relaxation gives every
 * size a value y (a 470-milli share is worth 1/2 GPU when 470s pair off, an 810 is worth a whole GPU because
 * nothing common fills the rest), and the most a GPU's idle room can still take is the knapsack K(idle) over
 * those values. A placement that drops K by more than the placed request's own value wastes room an optimal
 * packing would have used (470 beside 320 leaves 210 that no common share fits; 470 beside 470 loses nothing).
 * Online bin packing guided by these values is the discrete-distribution method of Csirik et al. and Gupta &
 * Radovanović; here it is the `valueLoss` of an evaluation (see value-loss.ts).
 */

/** Idle units per table step: requests and idle room are valued on a grid of 10 milli-GPU units. */
export const VALUE_STEP = 10;
const LEVELS = 1000 / VALUE_STEP;

/** One size to pack: grid steps (1..100) and how much of it the workload asks for. */
export interface PackingItem {
  readonly steps: number;
  readonly demand: number;
}

/** Values of one kind of GPU: by request size (grid steps) and by idle level (K). */
export interface GpuValueTable {
  /** LP value (GPUs) of each share size (grid steps) the workload asks for; see `shareValue` for other sizes. */
  readonly itemValue: ReadonlyMap<number, number>;
  /** K: the most value idle room of `level` grid steps can still take (index 0..100). */
  readonly idleValue: Float64Array;
  /** Host CPU milli per GPU of value that the workload's tasks for this GPU ask (Infinity: CPU never binds). */
  readonly cpuPerValue: number;
}

/**
 * LP-dual values of `items` packed into bins of 100 steps: maximise Σ demand·y subject to every pattern (multiset
 * of sizes fitting a bin) being worth at most 1. Patterns are added as cutting planes, each the most valuable
 * pattern under the current values (a knapsack), until none is worth more than 1.
 */
export function itemValues(items: readonly PackingItem[]): Map<number, number> {
  const sizes = [...new Set(items.filter((i) => i.steps >= 1 && i.steps <= LEVELS && i.demand > 0).map((i) => i.steps))].sort((a, b) => b - a);
  const demand = new Map<number, number>();
  for (const i of items) if (sizes.includes(i.steps)) demand.set(i.steps, (demand.get(i.steps) ?? 0) + i.demand);
  const out = new Map<number, number>();
  if (sizes.length === 0) return out;
  const total = [...demand.values()].reduce((a, b) => a + b, 0);
  const patterns: number[][] = sizes.map((s) => sizes.map((t) => (t === s ? Math.floor(LEVELS / s) : 0)));
  let values = sizes.map(() => 0);
  for (let round = 0; round < 500; round += 1) {
    const constraints = new Map(patterns.map((p, k) => [`p${k}`, { max: 1 }] as const));
    const variables = new Map(sizes.map((s, i) => {
      const coef: [string, number][] = [['value', (demand.get(s) ?? 0) / total]];
      patterns.forEach((p, k) => { if ((p[i] ?? 0) > 0) coef.push([`p${k}`, p[i] ?? 0]); });
      return [`y${s}`, coef] as const;
    }));
    const solution = solve({ direction: 'maximize', objective: 'value', constraints, variables }, { includeZeroVariables: true });
    if (solution.status !== 'optimal') break;
    const byName = new Map(solution.variables);
    values = sizes.map((s) => Math.max(0, byName.get(`y${s}`) ?? 0));
    const best = bestPattern(sizes, values);
    if (best.value <= 1 + 1e-9) break;
    patterns.push(best.counts);
  }
  sizes.forEach((s, i) => out.set(s, values[i] ?? 0));
  return out;
}

/**
 * Unbounded knapsack over bins of 0..100 steps: `best[c]` is the most value of `sizes` (values `values`) that
 * fits `c` steps, `pick[c]` the size index that reaches it (-1: same as c - 1).
 */
function knapsack(sizes: readonly number[], values: readonly number[]): { best: Float64Array; pick: Int32Array } {
  const best = new Float64Array(LEVELS + 1);
  const pick = new Int32Array(LEVELS + 1).fill(-1);
  for (let c = 1; c <= LEVELS; c += 1) {
    best[c] = best[c - 1] ?? 0;
    for (let i = 0; i < sizes.length; i += 1) {
      const s = sizes[i] ?? 0;
      const v = (values[i] ?? 0) + (best[c - s] ?? 0);
      if (s <= c && v > (best[c] ?? 0) + 1e-12) { best[c] = v; pick[c] = i; }
    }
  }
  return { best, pick };
}

/** The most valuable multiset of `sizes` (values `values`) fitting one bin, with its counts per size. */
function bestPattern(sizes: readonly number[], values: readonly number[]): { value: number; counts: number[] } {
  const { best, pick } = knapsack(sizes, values);
  const counts = sizes.map(() => 0);
  for (let c = LEVELS; c > 0;) {
    const i = pick[c] ?? -1;
    if (i < 0) { c -= 1; continue; }
    counts[i] = (counts[i] ?? 0) + 1;
    c -= sizes[i] ?? c;
  }
  return { value: best[LEVELS] ?? 0, counts };
}

/** K for every idle level: the most value of `itemValue` sizes that fits `level` steps. */
export function idleValues(itemValue: ReadonlyMap<number, number>): Float64Array {
  return knapsack([...itemValue.keys()], [...itemValue.values()]).best;
}

/** Grid steps a share of `memoryMiB` and `computeMilli` takes on `g` (its idle units, rounded up), or 0 if it cannot fit. */
export function shareSteps(g: GpuDevice, memoryMiB: number, computeMilli: number): number {
  const cap = g.computeMilli > 0 ? g.computeMilli : 1000;
  if (g.memoryMiB <= 0 || memoryMiB > g.memoryMiB || computeMilli > cap) return 0;
  const units = (500 * memoryMiB) / g.memoryMiB + (500 * computeMilli) / cap;
  return Math.min(LEVELS, Math.max(1, Math.ceil(units / VALUE_STEP - 1e-9)));
}

/**
 * Value of a share of `steps` on a GPU with `table`: its LP value, or for a size the workload never asks for,
 * what the workload could have put in its place (K of its size), so that placing it loses nothing where it
 * wastes no room (K(f) >= K(s) + K(f - s) always holds).
 */
export function shareValue(table: GpuValueTable, steps: number): number {
  return table.itemValue.get(steps) ?? table.idleValue[Math.max(0, Math.min(LEVELS, steps))] ?? 0;
}

/** Idle level (grid steps, rounded down) of `idle` units. */
export function idleLevel(idle: number): number {
  return Math.max(0, Math.min(LEVELS, Math.floor(idle / VALUE_STEP + 1e-9)));
}

/**
 * The packing values of one target workload, per kind of fractional GPU (product, memory, compute), computed on
 * first use (an LP of a few sizes: milliseconds, once per options; the EvaluationMemo owns one). Whole-GPU tasks
 * are worth their GPU count, so an empty GPU is worth 1.
 */
export class PackingValues {
  private readonly tables = new Map<string, GpuValueTable>();
  /** Pressure per fleet capacity (the owner hands out one capacity Map object per fleet change). */
  private readonly pressures = new WeakMap<ReadonlyMap<string, number>, ReadonlyMap<string, number>>();
  private readonly keys = new WeakMap<ReadonlyMap<string, number>, string>();
  /** The same tables by device object (devices are long-lived inventory objects; saves building the key). */
  private readonly byDevice = new WeakMap<GpuDevice, GpuValueTable>();

  constructor(private readonly workload: readonly TargetTask[]) {}

  /** kindPressure of this workload over `capacity`, computed once per capacity object. */
  pressureFor(capacity: ReadonlyMap<string, number>): ReadonlyMap<string, number> {
    let p = this.pressures.get(capacity);
    if (p === undefined) {
      p = kindPressure(this.workload, capacity);
      this.pressures.set(capacity, p);
    }
    return p;
  }

  /**
   * A short key naming `pressure` ('' when every product is at 1, so fleets without model constraints share
   * evaluations across capacity changes); evaluations depend on it, so the memo keys them by it.
   */
  pressureKey(pressure: ReadonlyMap<string, number>): string {
    let k = this.keys.get(pressure);
    if (k === undefined) {
      const uneven = [...pressure.values()].some((v) => Math.abs(v - 1) > 1e-9);
      k = uneven ? [...pressure.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([p, v]) => `${p}:${v.toFixed(6)}`).join(',') : '';
      this.keys.set(pressure, k);
    }
    return k;
  }

  /** The value table of fractional GPU `g` (shared by every GPU of the same product, memory and compute). */
  tableFor(g: GpuDevice): GpuValueTable {
    let table = this.byDevice.get(g);
    if (table !== undefined) return table;
    const key = `${g.product}|${g.memoryMiB}|${g.computeMilli}`;
    table = this.tables.get(key);
    if (table === undefined) {
      table = this.build(g);
      this.tables.set(key, table);
    }
    this.byDevice.set(g, table);
    return table;
  }

  private build(g: GpuDevice): GpuValueTable {
    const items: (PackingItem & { whole: boolean; cpuMilli: number })[] = [];
    for (const t of this.workload) {
      if (t.models !== undefined && t.models !== null && !modelMatches(t.models, g.product)) continue;
      const steps = t.kind === 'whole' ? LEVELS : t.kind === 'share' ? shareSteps(g, t.memoryMiB, t.computeMilli) : 0;
      if (steps > 0) items.push({ steps, demand: t.weight * t.gpus, whole: t.kind === 'whole', cpuMilli: t.weight * t.cpuMilli });
    }
    const itemValue = itemValues(items);
    // Host CPU milli the tasks ask per GPU of value they carry (weights as frequencies): a node cannot turn more
    // idle room into placements than its free CPU pays for. Infinity when none asks for CPU.
    let cpu = 0; let value = 0;
    for (const i of items) { cpu += i.cpuMilli; value += i.whole ? i.demand : i.demand * (itemValue.get(i.steps) ?? 0); }
    const cpuPerValue = cpu > 0 && value > 0 ? cpu / value : Number.POSITIVE_INFINITY;
    return { itemValue, idleValue: idleValues(itemValue), cpuPerValue };
  }
}

/**
 * How hard the workload presses on each GPU product of a fleet, 1 = no more than its share: the workload's GPU
 * demand, scaled to fill the fleet, is spread over the products each task may use in proportion to their GPU
 * counts, and a product's pressure is the demand it receives per GPU. Without model constraints every product
 * gets 1. A product only some tasks may use and that is small for them (T4 when a third of the tasks ask for
 * T4) gets more than 1, the others less. Products absent from `capacity` are not in the map.
 */
export function kindPressure(workload: readonly TargetTask[], capacity: ReadonlyMap<string, number>): Map<string, number> {
  const products = [...capacity.entries()].filter(([, n]) => n > 0);
  const total = products.reduce((s, [, n]) => s + n, 0);
  const tasks: { demand: number; allowed: string[]; allowedGpus: number }[] = [];
  for (const t of workload) {
    if (t.kind !== 'whole' && t.kind !== 'share') continue;
    const perGpu = t.kind === 'whole' ? 1 : t.computeMilli > 0 ? t.computeMilli / 1000 : 0.5;
    const allowed = products.filter(([p]) => t.models === undefined || t.models === null || modelMatches(t.models, p)).map(([p]) => p);
    const allowedGpus = allowed.reduce((s, p) => s + (capacity.get(p) ?? 0), 0);
    if (allowedGpus > 0) tasks.push({ demand: t.weight * t.gpus * perGpu, allowed, allowedGpus });
  }
  const demand = tasks.reduce((s, t) => s + t.demand, 0);
  const out = new Map<string, number>(products.map(([p]) => [p, 0]));
  if (!(demand > 0)) return new Map(products.map(([p]) => [p, 1]));
  for (const t of tasks) {
    const perGpu = (t.demand / demand) * total / t.allowedGpus;
    for (const p of t.allowed) out.set(p, (out.get(p) ?? 0) + perGpu);
  }
  return out;
}
