import { describe, expect, it } from 'vitest';
import { seededRng } from '../replay/seeded-rng.js';
import { KubeSchedulerChoice } from './kube-scheduler-choice.js';
import type { SchedulerProfileModel } from './scheduler-profile-model.js';

const NODES = ['a', 'b', 'c', 'd'].map((name) => ({ name, cpuMilli: 10_000, memoryMiB: 10_000 }));
const POD = { cpuMilli: 1000, memoryMiB: 1000 };
const profile = (extenderWeight: number, strategy: 'LeastAllocated' | 'MostAllocated' | null, balanced = false): SchedulerProfileModel => ({
  schedulerName: 't',
  extenderWeight,
  fit: strategy === null ? null : { weight: 1, strategy, resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] },
  balanced: balanced ? { weight: 1, resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] } : null,
  managedResources: 'all',
});

describe('KubeSchedulerChoice', () => {
  it("follows the extender's best-ranked node when the weight outweighs the in-tree scores", () => {
    const choice = new KubeSchedulerChoice(profile(20, 'LeastAllocated', true), NODES);
    choice.placed(1, { cpuMilli: 9000, memoryMiB: 1000 });
    // b is the best rank but the fullest by CPU: LeastAllocated would rather take a, c or d.
    expect(choice.choose(Float64Array.from([50, 60, NaN, 40]), POD, seededRng(1))).toBe(1);
  });

  it('lets the in-tree scores decide when the extender weight is small, as kube-scheduler adds them', () => {
    const choice = new KubeSchedulerChoice(profile(1, 'MostAllocated'), NODES);
    choice.placed(3, { cpuMilli: 9000, memoryMiB: 9000 });
    // Extender: b 10 (x 1 x 10 = 100), d 1 + floor(9 x 19 / 20) = 9 (90). MostAllocated: d (100 + 100) / 2 = 100,
    // b 10: d's total 190 beats b's 110.
    expect(choice.choose(Float64Array.from([50, 60, 55, 59]), POD, seededRng(1))).toBe(3);
  });

  it('leaves a pod the extender is not interested in (no managed resource) to the in-tree scores alone', () => {
    const choice = new KubeSchedulerChoice(profile(100, 'MostAllocated'), NODES);
    choice.placed(2, { cpuMilli: 8000, memoryMiB: 8000 });
    // Tessera ranks a first, but kube-scheduler never asks it: MostAllocated sends the pod to c, the fullest.
    expect(choice.choose(Float64Array.from([90, 10, 10, 10]), POD, seededRng(3), false)).toBe(2);
    expect(choice.choose(Float64Array.from([90, 10, 10, 10]), POD, seededRng(3), true)).toBe(0);
  });

  it('never picks a node the pod does not fit, and -1 when it fits none', () => {
    const choice = new KubeSchedulerChoice(profile(1, 'LeastAllocated'), NODES);
    expect(choice.choose(Float64Array.from([NaN, NaN, NaN, NaN]), POD, seededRng(1))).toBe(-1);
    for (let s = 0; s < 20; s += 1) expect([0, 2]).toContain(choice.choose(Float64Array.from([5, NaN, 5, NaN]), POD, seededRng(s)));
  });

  it('breaks equal totals uniformly at random with the seeded generator, like selectHost', () => {
    // With no extender weight and no in-tree scores every total is 0: a pure tie.
    const tie = new KubeSchedulerChoice({ ...profile(1, null), extenderWeight: 0 }, NODES);
    const seen = new Set<number>();
    for (let s = 0; s < 200; s += 1) seen.add(tie.choose(Float64Array.from([5, 5, 5, 5]), POD, seededRng(s)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
    expect(tie.lastTies).toBe(4);
  });

  it('keeps requested CPU and memory per node through placed and removed', () => {
    const choice = new KubeSchedulerChoice(profile(1, 'MostAllocated'), NODES);
    const before = choice.inTree(0, POD);
    choice.placed(0, { cpuMilli: 5000, memoryMiB: 5000 });
    expect(choice.inTree(0, POD)).toBe(60);
    choice.removed(0, { cpuMilli: 5000, memoryMiB: 5000 });
    expect(choice.inTree(0, POD)).toBe(before);
    // A pod without requests counts kube-scheduler's defaults (100m CPU, 200 MiB) in NodeResourcesFit.
    expect(choice.inTree(0, { cpuMilli: 0, memoryMiB: 0 })).toBe(Math.trunc((Math.trunc(100 * 100 / 10_000) + Math.trunc((200 * 100) / 10_000)) / 2));
  });
});
