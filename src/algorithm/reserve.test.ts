import { describe, expect, it } from 'vitest';
import type { Allocation } from '../model/allocation.js';
import { makeNodeState } from './node-state.js';
import { reserve, unreserve } from './reserve.js';
import { deepFreeze, node, uniformLinks } from './test-fixtures.js';

const inv = deepFreeze(node('r', { count: 2, links: uniformLinks(2, 'NV18'), cpuMilli: 4000, memoryMiB: 8192 }));
const share = (gpu: number, memoryMiB: number, computeMilli: number, cpuMilli = 0): Allocation => ({
  node: 'r', devices: [{ gpuIndex: gpu, gpuUuid: `r-gpu${gpu}`, kind: 'share', memoryMiB, computeMilli }], cpuMilli, memoryMiB: 0,
});

describe('reserve', () => {
  it('adds a share and returns a new state without touching the old one', () => {
    const s0 = deepFreeze(makeNodeState(inv));
    const r = reserve(s0, share(0, 40000, 500, 1000));
    expect(r.status.code).toBe('success');
    expect(r.node.usage.gpus[0]).toMatchObject({ memoryMiB: 40000, computeMilli: 500 });
    expect(r.node.cpuFreeMilli).toBe(3000);
    expect(s0.usage.gpus[0]?.memoryMiB).toBe(0);
  });

  it('refuses a second share that would over-commit compute, naming the GPU', () => {
    const s1 = reserve(makeNodeState(inv), share(1, 1000, 700)).node;
    const r = reserve(s1, share(1, 1000, 400));
    expect(r.status).toEqual({ code: 'unschedulable', reason: 'cannot reserve on node "r": GPU 1 has 80559 MiB / 300 milli free, the share needs 1000 MiB / 400 milli' });
    expect(r.node).toBe(s1);
  });

  it('refuses a whole GPU that holds a share and host CPU beyond what is free', () => {
    const s1 = reserve(makeNodeState(inv), share(0, 1, 1, 3500)).node;
    const whole: Allocation = { node: 'r', devices: [{ gpuIndex: 0, gpuUuid: 'r-gpu0', kind: 'whole', memoryMiB: 81559, computeMilli: 1000 }], cpuMilli: 0, memoryMiB: 0 };
    expect(reserve(s1, whole).status.code).toBe('unschedulable');
    expect(reserve(s1, share(1, 1, 1, 1000)).status).toMatchObject({ reason: 'cannot reserve on node "r": need 1000 CPU milli, 500 free' });
  });

  it('refuses an allocation for another node or a GPU uuid that does not match', () => {
    const s0 = makeNodeState(inv);
    expect(reserve(s0, { ...share(0, 1, 1), node: 'other' }).status.code).toBe('unschedulable');
    const wrong: Allocation = { node: 'r', devices: [{ gpuIndex: 0, gpuUuid: 'GPU-x', kind: 'share', memoryMiB: 1, computeMilli: 1 }], cpuMilli: 0, memoryMiB: 0 };
    expect(reserve(s0, wrong).status).toMatchObject({ reason: 'cannot reserve on node "r": GPU position 0 is "r-gpu0", not "GPU-x"' });
  });

  it('unreserve gives back exactly what reserve took', () => {
    const s0 = makeNodeState(inv);
    const a = share(0, 1234, 321, 100);
    const back = unreserve(reserve(s0, a).node, a);
    expect(back.usage).toEqual(s0.usage);
    expect(back.freeWholeCount).toBe(2);
  });

  it('refuses a MIG instance whose placement is taken', () => {
    const m = node('r', { count: 1, links: uniformLinks(1, 'X'), sharing: { mode: 'mig', layout: 'dynamic' } });
    const mig = (start: number): Allocation => ({
      node: 'r', devices: [{ gpuIndex: 0, gpuUuid: 'r-gpu0', kind: 'mig', memoryMiB: 40192, computeMilli: 429, mig: { profile: '3g.40gb', start, size: 4 } }], cpuMilli: 0, memoryMiB: 0,
    });
    const s1 = reserve(makeNodeState(m), mig(4));
    expect(s1.status.code).toBe('success');
    expect(reserve(s1.node, mig(4)).status.code).toBe('unschedulable');
    expect(reserve(s1.node, mig(0)).status.code).toBe('success');
  });
});
