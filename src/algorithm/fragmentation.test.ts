import { describe, expect, it } from 'vitest';
import type { GpuUsage } from '../model/allocation.js';
import { fragmentationDelta, nodeFragmentation, prepareWorkload } from './fragmentation.js';
import { makeNodeState } from './node-state.js';
import type { TargetTask } from './scheduling-options.js';
import { node, uniformLinks, usage } from './test-fixtures.js';

const share = (computeMilli: number, cpuMilli: number, weight = 1, memoryMiB = 0): TargetTask =>
  ({ weight, kind: 'share', gpus: 1, memoryMiB, computeMilli, migProfileId: null, cpuMilli });

/** A fractional GPU of 10000 MiB whose free memory and compute are both `free` milli (so idle units = free). */
const held = (free: number): Partial<GpuUsage> => ({ memoryMiB: 10 * (1000 - free), computeMilli: 1000 - free });

const p100Like = (cpuMilli: number) => node('n', { count: 4, links: uniformLinks(4, 'SYS'), cpuMilli, memoryMiB: 0, product: 'P100' });

describe('nodeFragmentation (FGD, PROTOCOL §3.2)', () => {
  it('reproduces FGD\'s test vector: a Q4 node counts all idle GPU as fragment (0.0933 × 2700 = 251.91)', () => {
    const inv = p100Like(7000);
    const gpus = { 0: held(200), 1: held(1000), 2: held(1000), 3: held(500) };
    const state = makeNodeState({ ...inv, gpus: inv.gpus.map((g) => ({ ...g, memoryMiB: 10000 })) }, usage(inv, gpus, { cpuMilli: 6000 }));
    const wl = prepareWorkload([share(465, 6000)]);
    expect(0.0933 * nodeFragmentation(state, wl)).toBeCloseTo(251.91, 6);
  });

  it('counts only the GPUs too small for the task when the node can host it (Q3)', () => {
    const inv = p100Like(64000);
    const state = makeNodeState({ ...inv, gpus: inv.gpus.map((g) => ({ ...g, memoryMiB: 10000 })) },
      usage(inv, { 0: held(200), 1: held(1000), 2: held(1000), 3: held(500) }));
    expect(nodeFragmentation(state, prepareWorkload([share(465, 6000)]))).toBeCloseTo(200, 6);
  });

  it('counts a GPU as a fragment when it has the compute but not the memory', () => {
    const inv = node('m', { count: 2, links: uniformLinks(2, 'NV18') });
    // GPU 0: 1559 MiB and 900 milli free -> idle = 500·1559/81559 + 500·0.9; cannot host an 8 GiB task.
    const state = makeNodeState(inv, usage(inv, { 0: { memoryMiB: 80000, computeMilli: 100 } }));
    const f = nodeFragmentation(state, prepareWorkload([share(100, 0, 1, 8192)]));
    expect(f).toBeCloseTo(500 * (1559 / 81559) + 450, 6);
  });

  it('counts MIG slices no target profile can use at a legal start as fragments', () => {
    const inv = node('g', { count: 1, links: uniformLinks(1, 'X'), sharing: { mode: 'mig', layout: 'dynamic' } });
    // A 1g.10gb at start 1 leaves slice 0 free; a 2g.20gb (starts 0,2,4 only) can use 2-3 and 4-5, so slice 0
    // and slices 6-7 are stranded for it: 3 slices × 125.
    const state = makeNodeState(inv, usage(inv, { 0: { mig: [{ profile: '1g.10gb', start: 1, size: 1 }] } }));
    const twoG: TargetTask = { weight: 1, kind: 'mig', gpus: 1, memoryMiB: 0, computeMilli: 0, migProfileId: 14, cpuMilli: 0 };
    expect(nodeFragmentation(state, prepareWorkload([twoG]))).toBe(375);
  });

  it('hosts a learned MIG shape by the name pods asked for, which means other slices on other products', () => {
    const mig = (product: string) => {
      const inv = node('g', { count: 1, links: uniformLinks(1, 'X'), sharing: { mode: 'mig', layout: 'dynamic' }, product });
      // Slices 1-7 held: only slice 0 is free.
      return makeNodeState(inv, usage(inv, { 0: { mig: [{ profile: product === 'A100-40GB' ? '1g.5gb' : '1g.10gb', start: 1, size: 1 }, { profile: product === 'A100-40GB' ? '4g.20gb' : '4g.40gb', start: 4, size: 4 }, { profile: product === 'A100-40GB' ? '1g.10gb' : '1g.20gb', start: 2, size: 2 }] } }));
    };
    const named: TargetTask = { weight: 1, kind: 'mig', gpus: 1, memoryMiB: 0, computeMilli: 0, migProfileId: 19, migProfileName: '1g.10gb', cpuMilli: 0 };
    // 1g.10gb is one slice on an 80 GB A100: slice 0 hosts it, nothing is stranded.
    expect(nodeFragmentation(mig('A100-80GB'), prepareWorkload([named]))).toBe(0);
    // On a 40 GB A100, 1g.10gb takes two slices at starts 0, 2, 4, 6: the lone free slice cannot host it.
    expect(nodeFragmentation(mig('A100-40GB'), prepareWorkload([named]))).toBe(125);
  });

  it('gives a negative delta when a share fills a GPU exactly and a positive one when it strands a remainder', () => {
    const inv = node('d', { count: 2, links: uniformLinks(2, 'NV18') });
    const state = makeNodeState(inv);
    const wl = prepareWorkload([share(500, 0, 1, 40000)]);
    const exact = fragmentationDelta(state, wl, [{ gpu: 0, usage: { memoryMiB: 41559, computeMilli: 500, replicas: 0, whole: false, mig: [] } }], 0);
    const strand = fragmentationDelta(state, wl, [{ gpu: 0, usage: { memoryMiB: 50000, computeMilli: 600, replicas: 0, whole: false, mig: [] } }], 0);
    expect(exact).toBe(0);
    expect(strand).toBeGreaterThan(0);
  });

  it('counts every idle GPU of a product the task does not allow (FGD NoAccess)', () => {
    const inv = node('l4', { count: 2, links: uniformLinks(2, 'SYS'), product: 'L4' });
    const state = makeNodeState(inv);
    expect(nodeFragmentation(state, prepareWorkload([{ ...share(100, 0), models: ['H100'] }]))).toBe(2000);
    expect(nodeFragmentation(state, prepareWorkload([{ ...share(100, 0), models: ['L4'] }]))).toBe(0);
  });
});
