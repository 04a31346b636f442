import { describe, expect, it } from 'vitest';
import { makeNodeState } from '../algorithm/node-state.js';
import { DEFAULT_SCHEDULING_OPTIONS, type TargetTask } from '../algorithm/scheduling-options.js';
import { node, usage } from '../algorithm/test-fixtures.js';
import { StrandedGpus } from './stranded-gpus.js';

const task = (weight: number, kind: TargetTask['kind'], gpus: number, memoryMiB = 0, computeMilli = 0): TargetTask =>
  ({ weight, kind, gpus, memoryMiB, computeMilli, migProfileId: null, cpuMilli: 0 });

const EXCLUSIVE_8 = node('x', { sharing: { mode: 'exclusive' } });
const whole = { whole: true, memoryMiB: 81559, computeMilli: 1000 };

describe('StrandedGpus', () => {
  it('strands nothing on an empty node or on a full one', () => {
    const s = new StrandedGpus(DEFAULT_SCHEDULING_OPTIONS.targetWorkload);
    expect(s.of(makeNodeState(EXCLUSIVE_8))).toBe(0);
    const all = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [i, whole]));
    expect(s.of(makeNodeState(EXCLUSIVE_8, usage(EXCLUSIVE_8, all)))).toBe(0);
  });

  it('counts the free GPUs of a node that only whole 4-GPU jobs use as stranded once fewer than 4 are free', () => {
    const s = new StrandedGpus([task(1, 'whole', 4)]);
    const held = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [i, whole]));
    expect(s.of(makeNodeState(EXCLUSIVE_8, usage(EXCLUSIVE_8, held(4))))).toBe(0);
    expect(s.of(makeNodeState(EXCLUSIVE_8, usage(EXCLUSIVE_8, held(5))))).toBe(3);
  });

  it('weighs the shapes: half the workload needs 4 GPUs, so 3 free GPUs strand 1.5', () => {
    const s = new StrandedGpus([task(1, 'whole', 4), task(1, 'whole', 1)]);
    const held = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [i, whole]));
    expect(s.of(makeNodeState(EXCLUSIVE_8, usage(EXCLUSIVE_8, held)))).toBeCloseTo(1.5, 9);
  });

  it('ignores the shapes a node is not built for: a MIG shape strands nothing on an exclusive node', () => {
    const mig: TargetTask = { ...task(9, 'mig', 1), migProfileId: 9 };
    const s = new StrandedGpus([task(1, 'whole', 1), mig]);
    const held = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [i, whole]));
    expect(s.of(makeNodeState(EXCLUSIVE_8, usage(EXCLUSIVE_8, held)))).toBe(0);
  });

  it('strands the leftover of a shared GPU that no share of the workload fits in', () => {
    const a100 = node('a', { count: 1, product: 'A100-80GB' });
    const s = new StrandedGpus([task(1, 'share', 1, 16384, 500)]);
    // 70 GiB and 600 milli taken: 10 GiB / 400 milli left, smaller than the 16 GiB / 500 milli shape.
    const state = makeNodeState(a100, usage(a100, { 0: { memoryMiB: 71680, computeMilli: 600 } }));
    const idle = state.idle[0] as number;
    expect(s.of(state)).toBeCloseTo(idle / 1000, 9);
    expect(s.of(state)).toBeGreaterThan(0.2);
  });

  it('strands all idle GPU of a node that no shape of the workload fits at all', () => {
    const small = node('s', { count: 2, sharing: { mode: 'exclusive' } });
    const s = new StrandedGpus([task(1, 'whole', 8)]);
    expect(s.of(makeNodeState(small))).toBe(2);
  });
});
