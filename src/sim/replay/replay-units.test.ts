import { describe, expect, it } from 'vitest';
import { arrivalOrder } from './arrival-order.js';
import { allocationCurve, roundHalfEven } from './discretize.js';
import type { TracePod } from './load-trace.js';
import { parseNodeList, parsePodList } from './load-trace.js';
import { parseSeeds } from './parse-seeds.js';
import { plotSvg } from './plot-svg.js';
import type { RunResult } from './replay-trace.js';
import { seededRng } from './seeded-rng.js';
import { summarize } from './summarize.js';
import { summaryCsv, SUMMARY_HEADER } from './write-results.js';
import { typicalPods } from './typical-pods.js';

const p = (name: string, cpu: number, m: number, k: number, spec = ''): TracePod =>
  ({ name, cpuMilli: cpu, memoryMiB: 1, gpuMilli: m, gpuCount: k, gpuSpec: spec });

describe('replay building blocks', () => {
  it('parsePodList() clips gpu_milli, zeroes it for CPU pods and reads nan specs as any', () => {
    const pods = parsePodList('name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec\na,1000,10,1,1500,nan\nb,2000,20,0,300,\nc,3000,30,1,460,V100M16|V100M32\n');
    expect(pods.map((x) => [x.gpuMilli, x.gpuSpec])).toEqual([[1000, ''], [0, ''], [460, 'V100M16|V100M32']]);
  });

  it('parseNodeList() refuses a file without the model column', () => {
    expect(() => parseNodeList('sn,cpu_milli,memory_mib,gpu\nn,1,1,1\n', 'x.csv')).toThrow(/column "model" is missing/);
  });

  it('typicalPods() keeps the most popular specs up to 95 %, larger spec first on equal counts, renormalised', () => {
    const pods = [
      ...Array.from({ length: 10 }, (_, i) => p(`a${i}`, 1000, 500, 1)),
      ...Array.from({ length: 5 }, (_, i) => p(`b${i}`, 2000, 1000, 1)),
      ...Array.from({ length: 5 }, (_, i) => p(`c${i}`, 1000, 1000, 1)),
      p('d', 500, 0, 0),
    ];
    const t = typicalPods(pods);
    // 10/21, then the two 5s (larger CPU first): cum 20/21 = 95.2 % ≥ 95 % stops before the single CPU pod.
    expect(t.map((x) => [x.cpuMilli, x.gpuMilli])).toEqual([[1000, 500], [2000, 1000], [1000, 1000]]);
    expect(t.reduce((s, x) => s + x.p, 0)).toBeCloseTo(1, 12);
    expect(t[0]!.p).toBeCloseTo(0.5, 12);
  });

  it('arrivalOrder() appends clones until the next would pass 1.3× capacity and keeps the originals first', () => {
    const pods = Array.from({ length: 10 }, (_, i) => p(`p${i}`, 1000, 1000, 1));
    const order = arrivalOrder(pods, 10_000, seededRng(1));
    expect(order.slice(0, 10).map((x) => x.name).sort()).toEqual(pods.map((x) => x.name).sort());
    expect(order).toHaveLength(13);
    expect(order[12]!.name).toMatch(/-tuned-2$/);
  });

  it('arrivalOrder() is a function of the seed', () => {
    const pods = Array.from({ length: 50 }, (_, i) => p(`p${i}`, 1000, 300, 1));
    const a = arrivalOrder(pods, 20_000, seededRng(42)).map((x) => x.name);
    expect(arrivalOrder(pods, 20_000, seededRng(42)).map((x) => x.name)).toEqual(a);
    expect(arrivalOrder(pods, 20_000, seededRng(43)).map((x) => x.name)).not.toEqual(a);
  });

  it.each([[0.5, 0], [1.5, 2], [2.5, 2], [2.4999, 2], [-0.5, -0]])('roundHalfEven(%d) is %d like Python round()', (x, want) => {
    expect(roundHalfEven(x)).toBe(want);
  });

  it('allocationCurve() averages the points of each rounded arrival percent and falls back to x±1', () => {
    // capacity 10 GPUs = 10000 milli; arrivals 1000 and 1100 milli both round to 10 %, 3000 to 30 %.
    const arrived = Float64Array.from([1000, 1100, 3000]);
    const used = Float64Array.from([1000, 1000, 2000]);
    const c = allocationCurve(arrived, used, 10_000);
    expect(c[10]).toBe(10);
    expect(c[11]).toBe(10); // no point at 11: the points at 10..12
    expect(c[30]).toBe(20);
    expect(Number.isNaN(c[20]!)).toBe(true);
  });

  it.each([['42-44', [42, 43, 44]], ['42,50', [42, 50]], ['1-2,7', [1, 2, 7]], ['x', null], ['5-3', null]])('parseSeeds(%s)', (s, want) => {
    expect(parseSeeds(s)).toEqual(want);
  });

  const run = (policy: string, seed: number, u100: number): RunResult =>
    ({ trace: 't', policy, seed, curve: Array.from({ length: 131 }, (_, x) => (x === 100 ? 100 - u100 : Math.min(x, 95))), failed: 0, pods: 1, ms: 1 });

  it('summarize() gives mean and sample sd of unallocated % at 100 per policy and summary.csv has the contract header', () => {
    const rows = summarize([run('A', 1, 4), run('A', 2, 6), run('B', 1, 9)]);
    expect(rows).toEqual([
      { trace: 't', policy: 'A', seeds: 2, meanUnallocatedPctAt100: 5, sdUnallocatedPctAt100: Math.SQRT2 },
      { trace: 't', policy: 'B', seeds: 1, meanUnallocatedPctAt100: 9, sdUnallocatedPctAt100: 0 },
    ]);
    expect(summaryCsv(rows).split('\n')[0]).toBe(SUMMARY_HEADER);
    expect(SUMMARY_HEADER).toBe('trace,policy,seeds,mean_unallocated_pct_at_100,sd_unallocated_pct_at_100');
  });

  it('plotSvg() draws one line per policy plus the ideal line', () => {
    const svg = plotSvg([run('A', 1, 4), run('B', 1, 9)], 't');
    expect(svg.match(/<polyline/g)).toHaveLength(3);
    expect(svg).toContain('<title>A</title>');
  });
});
