import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GpuUsage } from '../model/allocation.js';
import { prefilter } from './cycle-state.js';
import { evaluateNode } from './evaluate-node.js';
import { EvaluationMemo } from './evaluation-memo.js';
import { makeNodeState } from './node-state.js';
import { idleValues, itemValues, kindPressure, PackingValues, shareSteps, shareValue } from './packing-value.js';
import { DEFAULT_SCHEDULING_OPTIONS, type SchedulingOptions, type TargetTask } from './scheduling-options.js';
import { makeSnapshot } from './snapshot.js';
import { gpu, node, request, uniformLinks, usage } from './test-fixtures.js';

/** A share whose memory is the same fraction of a 10000 MiB GPU as its compute (idle units = milli). */
const share = (milli: number, weight = 1, cpuMilli = 0): TargetTask =>
  ({ weight, kind: 'share', gpus: 1, memoryMiB: 10 * milli, computeMilli: milli, migProfileId: null, cpuMilli });
const whole = (gpus: number, weight = 1, cpuMilli = 0): TargetTask =>
  ({ weight, kind: 'whole', gpus, memoryMiB: 0, computeMilli: 0, migProfileId: null, cpuMilli });
const held = (free: number): Partial<GpuUsage> => ({ memoryMiB: 10 * (1000 - free), computeMilli: 1000 - free });
const GPU10 = gpu(0, { memoryMiB: 10000, computeMilli: 1000 });

describe('itemValues (LP dual of the share mix)', () => {
  it('values a size that pairs off at half a GPU and one that strands its rest at a whole GPU', () => {
    expect(itemValues([{ steps: 47, demand: 1 }]).get(47)).toBeCloseTo(0.5, 9);
    const v = itemValues([{ steps: 81, demand: 10 }, { steps: 16, demand: 1 }]);
    expect(v.get(81)).toBeCloseTo(1, 9);
    expect(v.get(16)).toBeCloseTo(0, 9);
  });

  it('gives the default trace\'s share mix the values an independent solver (HiGHS) gives', () => {
    // Typical 1-GPU shares of openb_pod_list_default (milli: popularity); HiGHS via scipy.optimize.linprog on
    // the full pattern LP gave 810: 1, 650/590/550: 2/3, 470/460: 1/2, 370/320: 1/3, 230: 1/4, 220: 1/12, 160: 0.
    const mix: [number, number][] = [[810, 0.1388], [650, 0.0305], [590, 0.00966], [550, 0.00927], [470, 0.0963], [460, 0.01545],
      [370, 0.00579], [320, 0.03914], [230, 0.01571], [220, 0.00554], [160, 0.00695]];
    const v = itemValues(mix.map(([milli, demand]) => ({ steps: milli / 10, demand })));
    const expected: Record<number, number> = { 810: 1, 650: 2 / 3, 590: 2 / 3, 550: 2 / 3, 470: 0.5, 460: 0.5, 370: 1 / 3, 320: 1 / 3, 230: 0.25, 220: 1 / 12, 160: 0 };
    for (const [milli, y] of Object.entries(expected)) expect(v.get(Number(milli) / 10), `${milli}`).toBeCloseTo(y, 6);
  });

  it('is a feasible and optimal-bounded dual for any mix (every pattern worth at most 1)', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ steps: fc.integer({ min: 3, max: 100 }), demand: fc.double({ min: 0.01, max: 10, noNaN: true }) }), { minLength: 1, maxLength: 6 }),
      (items) => {
        const v = itemValues(items);
        // Feasible: the best pattern (knapsack over the values) is worth at most one GPU.
        expect(idleValues(v)[100]).toBeLessThanOrEqual(1 + 1e-6);
        const demand = new Map<number, number>();
        for (const i of items) demand.set(i.steps, (demand.get(i.steps) ?? 0) + i.demand);
        const objective = [...demand].reduce((s, [steps, d]) => s + d * (v.get(steps) ?? 0), 0);
        // Optimal within bounds: at least the size-proportional dual, at most one-size-per-GPU packing's bins.
        const proportional = [...demand].reduce((s, [steps, d]) => s + (d * steps) / 100, 0);
        const singleSizeBins = [...demand].reduce((s, [steps, d]) => s + d / Math.floor(100 / steps), 0);
        expect(objective).toBeGreaterThanOrEqual(proportional - 1e-6);
        expect(objective).toBeLessThanOrEqual(singleSizeBins + 1e-6);
      }), { numRuns: 60 });
  });
});

describe('idle values (K) and share sizes', () => {
  const v = new Map([[47, 0.5], [32, 1 / 3]]);
  const k = idleValues(v);

  it('values idle room by what still fits it', () => {
    expect(k[100]).toBeCloseTo(1, 9); // 470 + 470 or 320 × 3
    expect(k[53]).toBeCloseTo(0.5, 9); // one more 470
    expect(k[68]).toBeCloseTo(2 / 3, 9); // two 320s beat one 470
    expect(k[21]).toBe(0); // nothing fits the 210 left beside 470 + 320
  });

  it('sizes a share by the idle units it takes on the GPU, rounded up to the grid', () => {
    expect(shareSteps(GPU10, 4700, 470)).toBe(47);
    expect(shareSteps(GPU10, 4705, 470)).toBe(48);
    expect(shareSteps(gpu(0, { memoryMiB: 20000, computeMilli: 1000 }), 4700, 470)).toBe(36); // (0.235 + 0.47) / 2
    expect(shareSteps(GPU10, 12000, 470)).toBe(0);
  });

  it('builds the tables once per GPU kind inside the memo that owns them, never in module state', () => {
    const opts: SchedulingOptions = { ...DEFAULT_SCHEDULING_OPTIONS, targetWorkload: [share(470), share(320)] };
    const memo = new EvaluationMemo(opts);
    expect(memo.packingValues.tableFor(GPU10)).toBe(memo.packingValues.tableFor({ ...GPU10 }));
    const other = new EvaluationMemo(opts);
    expect(other.packingValues).not.toBe(memo.packingValues);
    expect(other.packingValues.tableFor(GPU10)).not.toBe(memo.packingValues.tableFor(GPU10));
    expect(other.packingValues.tableFor(GPU10)).toEqual(memo.packingValues.tableFor(GPU10));
  });

  it('values a size the workload never asks for at what could take its place', () => {
    const table = new PackingValues([share(470), share(320)]).tableFor(GPU10);
    expect(shareValue(table, 47)).toBeCloseTo(0.5, 9);
    expect(shareValue(table, 48)).toBeCloseTo(0.5, 9); // a 480 displaces at most one 470
    expect(shareValue(table, 20)).toBe(0);
  });
});

describe('valueLoss of an evaluation', () => {
  const options = (tasks: TargetTask[]): SchedulingOptions => ({ ...DEFAULT_SCHEDULING_OPTIONS, targetWorkload: tasks, valueLossPenalty: 300 });
  const gpus10 = (count: number) => Array.from({ length: count }, (_, i) => gpu(i, { memoryMiB: 10000, computeMilli: 1000, uuid: `g${i}` }));
  const stateOf = (free: number[], cpuMilli = 0, cpuUsed = 0) => {
    const inv = node('n', { gpus: gpus10(free.length), links: uniformLinks(free.length, 'SYS'), cpuMilli, memoryMiB: 0 });
    return makeNodeState(inv, usage(inv, Object.fromEntries(free.map((f, i) => [i, held(f)])), { cpuMilli: cpuUsed }));
  };
  const evaluate = (opts: SchedulingOptions, free: number[], req = request({ kind: 'share', memoryMiB: 4700, computeMilli: 470 }), cpu: [number, number] = [0, 0]) => {
    const cycle = prefilter(req, makeSnapshot([]), opts, new EvaluationMemo(opts));
    return evaluateNode(stateOf(free, cpu[0], cpu[1]), cycle);
  };
  const mix = [share(470), share(320), share(650)];

  it('is 0 where the pod completes an optimal pattern and positive where it strands room', () => {
    expect(evaluate(options(mix), [530]).valueLoss).toBeCloseTo(0, 9); // 470 + 470
    const strands = evaluate(options(mix), [680], request({ kind: 'share', memoryMiB: 4700, computeMilli: 470 }));
    expect(strands.valueLoss).toBeGreaterThan(0.1); // 320 + 470 leaves 210: no 320 or 470 fits it
  });

  it('makes the single-GPU pick avoid stranding room, where fragmentation alone picks otherwise', () => {
    const req = request({ kind: 'share', memoryMiB: 3200, computeMilli: 320 });
    const withPairs = [...mix, share(230)];
    // GPU 0 has 460 free (two 230s would fill it), GPU 1 is empty (a later 650 completes 320 + 650).
    const on = evaluate(options(withPairs), [460, 1000], req);
    expect(on.devices?.[0]?.gpuIndex).toBe(1);
    expect(on.valueLoss).toBeCloseTo(0, 9);
    const off = evaluate({ ...options(withPairs), valueLossPenalty: 0 }, [460, 1000], req);
    expect(off.devices?.[0]?.gpuIndex).toBe(0);
    expect(off.valueLoss).toBe(0); // off: not computed
    // The loss fragmentation accepts: 320 in 460 leaves 140, where two 230s fitted: K(460) - K(140) - value(320).
    const t = new PackingValues(withPairs).tableFor(GPU10);
    const expected = (t.idleValue[46] ?? 0) - (t.idleValue[14] ?? 0) - shareValue(t, 32);
    expect(expected).toBeGreaterThan(0);
    expect(evaluate(options(withPairs), [460], req).valueLoss).toBeCloseTo(expected, 9);
  });

  it('counts room the node\'s free CPU can no longer pay for', () => {
    const tasks = [whole(1, 1, 10_000), share(470, 1, 10_000)];
    const cpuOnly = request({ kind: 'none', gpus: 0, cpuMilli: 15_000 });
    // Two empty GPUs: plenty of CPU loses nothing; 20 CPUs free means the pod takes CPU the GPUs need.
    expect(evaluate(options(tasks), [1000, 1000], cpuOnly, [200_000, 0]).valueLoss).toBeCloseTo(0, 9);
    expect(evaluate(options(tasks), [1000, 1000], cpuOnly, [40_000, 20_000]).valueLoss).toBeGreaterThan(0.5);
  });

  it('lowers the score by the penalty times the loss', () => {
    const strand = evaluate(options(mix), [680]);
    const off = evaluate({ ...options(mix), valueLossPenalty: 0 }, [680]);
    const total = Object.values(DEFAULT_SCHEDULING_OPTIONS.weights).reduce((a, b) => a + b, 0);
    expect(off.partial - strand.partial).toBeCloseTo(300 * strand.valueLoss * total, 6);
  });
});

describe('product pressure (kindPressure)', () => {
  const capacity = new Map([['T4', 200], ['G2', 800]]);
  const only = (t: TargetTask, models: string[]): TargetTask => ({ ...t, models });

  it('is 1 for every product when no task is constrained', () => {
    const p = kindPressure([whole(1), share(470)], capacity);
    expect(p.get('T4')).toBeCloseTo(1, 9);
    expect(p.get('G2')).toBeCloseTo(1, 9);
  });

  it('presses the product that constrained tasks need more than its share, and conserves the demand', () => {
    // Half the demand may only use T4, which is a fifth of the GPUs.
    const p = kindPressure([only(whole(1), ['T4']), whole(1)], capacity);
    expect(p.get('T4')!).toBeGreaterThan(1);
    expect(p.get('G2')!).toBeLessThan(1);
    // Σ pressure × GPUs = all GPUs: the demand was scaled to fill the fleet and nothing was lost.
    expect(p.get('T4')! * 200 + p.get('G2')! * 800).toBeCloseTo(1000, 6);
    expect(p.get('T4')).toBeCloseTo(0.5 * 1000 / 200 + 0.5 * 1000 / 1000, 9);
  });

  it('makes a pod that may go anywhere pay for room on a pressed product, and not one that may only go there', () => {
    const tasks = [only(whole(1), ['H100-80GB']), whole(1), share(470)];
    const opts: SchedulingOptions = { ...DEFAULT_SCHEDULING_OPTIONS, targetWorkload: tasks, valueLossPenalty: 300 };
    const h100 = node('h', { count: 2, links: uniformLinks(2, 'SYS') });
    const l40s = node('l', { count: 2, links: uniformLinks(2, 'SYS'), product: 'L40S' });
    const snapshot = makeSnapshot([makeNodeState(h100), makeNodeState(l40s)]);
    const loss = (req: ReturnType<typeof request>, inv: typeof h100) => {
      const cycle = prefilter(req, snapshot, opts, new EvaluationMemo(opts));
      expect(cycle.pressure).not.toBeNull();
      return evaluateNode(makeNodeState(inv), cycle).valueLoss;
    };
    const anywhere = request({ kind: 'whole', gpus: 1 });
    expect(loss(anywhere, h100)).toBeGreaterThan(0.1);
    expect(loss(anywhere, l40s)).toBeCloseTo(0, 9);
    expect(loss(request({ kind: 'whole', gpus: 1, models: ['H100-80GB'] }), h100)).toBeCloseTo(0, 9);
  });

  it('keys evaluations by the pressure, and leaves it off (null) for a fleet without constraints', () => {
    const opts: SchedulingOptions = { ...DEFAULT_SCHEDULING_OPTIONS, targetWorkload: [only(whole(1), ['H100-80GB']), whole(1)], valueLossPenalty: 300 };
    const memo = new EvaluationMemo(opts);
    const req = request({ kind: 'whole', gpus: 1 });
    const mixed = makeSnapshot([makeNodeState(node('h', { count: 2 })), makeNodeState(node('l', { count: 6, product: 'L40S' }))]);
    const h100Only = makeSnapshot([makeNodeState(node('h', { count: 2 }))]);
    const a = prefilter(req, mixed, opts, memo);
    const b = prefilter(req, h100Only, opts, memo);
    expect(a.pressure).not.toBeNull();
    expect(b.pressure).toBeNull(); // one product: every task may use it, pressure 1
    expect(a.evaluations).not.toBe(b.evaluations);
    expect(prefilter(req, mixed, opts, memo).evaluations).toBe(a.evaluations);
  });
});
