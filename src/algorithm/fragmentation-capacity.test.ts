import { describe, expect, it } from 'vitest';
import type { GpuUsage } from '../model/allocation.js';
import { fragmentationDelta, nodeFragmentation, prepareWorkload } from './fragmentation.js';
import { makeNodeState } from './node-state.js';
import type { TargetTask } from './scheduling-options.js';
import { node, uniformLinks, usage } from './test-fixtures.js';

/** A share task whose memory is the same fraction of a 10000 MiB GPU as its compute (so idle units = milli). */
const share = (milli: number, cpuMilli = 0): TargetTask =>
  ({ weight: 1, kind: 'share', gpus: 1, memoryMiB: 10 * milli, computeMilli: milli, migProfileId: null, cpuMilli });
const whole = (gpus: number, cpuMilli: number): TargetTask =>
  ({ weight: 1, kind: 'whole', gpus, memoryMiB: 0, computeMilli: 0, migProfileId: null, cpuMilli });
const held = (free: number): Partial<GpuUsage> => ({ memoryMiB: 10 * (1000 - free), computeMilli: 1000 - free });

function state(count: number, cpuMilli: number, gpus: Record<number, Partial<GpuUsage>>, cpuUsed = 0) {
  const inv = node('n', { count, links: uniformLinks(count, 'SYS'), cpuMilli, memoryMiB: 0 });
  const inv10 = { ...inv, gpus: inv.gpus.map((g) => ({ ...g, memoryMiB: 10000 })) };
  return makeNodeState(inv10, usage(inv10, gpus, { cpuMilli: cpuUsed }));
}

describe('fragmentation capacity term (capacityShare)', () => {
  it.each([
    // 540 free fits one 470 copy: FGD sees no fragment, the capacity term the 70 left over.
    ['the remainder after whole copies of a share', state(1, 64000, { 0: held(540) }), [share(470)], 0, 70],
    // Two empty GPUs but CPU for one 10-CPU copy: FGD says it fits (0); capacity: 1000 of 2000 usable.
    ['the GPUs the free CPU cannot serve', state(2, 10000, {}), [whole(1, 10000)], 0, 1000],
    // Three empty GPUs, a 2-GPU task: one pair usable, one GPU left over.
    ['the GPUs left over after whole groups of k', state(3, 64000, {}), [whole(2, 0)], 0, 1000],
    // A 300-free GPU cannot host 470: both terms count all 300.
    ['all idle when not even one copy fits', state(1, 64000, { 0: held(300) }), [share(470)], 300, 300],
  ])('counts %s', (_name, s, tasks, fgd, capacity) => {
    expect(nodeFragmentation(s, prepareWorkload(tasks, 0))).toBeCloseTo(fgd, 6);
    expect(nodeFragmentation(s, prepareWorkload(tasks, 1))).toBeCloseTo(capacity, 6);
    expect(nodeFragmentation(s, prepareWorkload(tasks, 0.25))).toBeCloseTo(0.75 * fgd + 0.25 * capacity, 6);
  });

  it('fragmentationDelta() equals F(after) − F(before) with the capacity term on', () => {
    const tasks = [share(470, 4000), share(320, 2000), whole(1, 12000), whole(2, 20000)];
    const before = state(4, 40000, { 0: held(540), 1: held(1000) }, 8000);
    const after = state(4, 40000, { 0: held(540), 1: held(530) }, 12000);
    const wl = prepareWorkload(tasks, 0.25);
    const change = { gpu: 1, usage: after.usage.gpus[1]! };
    expect(fragmentationDelta(before, wl, [change], 4000))
      .toBeCloseTo(nodeFragmentation(after, wl) - nodeFragmentation(before, wl), 6);
  });

  it('taking CPU from a node whose GPUs need it raises F only through the capacity term', () => {
    const tasks = [whole(1, 10000)];
    const s = state(4, 38000, {}); // 3.8 copies of CPU for 4 GPUs: CPU binds
    expect(fragmentationDelta(s, prepareWorkload(tasks, 0), [], 4000)).toBe(0);
    expect(fragmentationDelta(s, prepareWorkload(tasks, 1), [], 4000)).toBeGreaterThan(0);
  });
});
