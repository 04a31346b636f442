import { describe, expect, it } from 'vitest';
import type { Allocation } from '../model/allocation.js';
import { prefilter } from './cycle-state.js';
import { EvaluationMemo } from './evaluation-memo.js';
import type { NodeState } from './node-state.js';
import { makeNodeState } from './node-state.js';
import type { RunningPod } from './preempt.js';
import { selectVictims } from './preempt.js';
import { reserve } from './reserve.js';
import { DEFAULT_SCHEDULING_OPTIONS } from './scheduling-options.js';
import { makeSnapshot } from './snapshot.js';
import { node, request, uniformLinks } from './test-fixtures.js';

const inv = node('p', { count: 2, links: uniformLinks(2, 'NV18') });
const share = (uid: string, gpu: number, memoryMiB: number, computeMilli: number, priority: number): RunningPod => ({
  uid, priority,
  allocation: { node: 'p', devices: [{ gpuIndex: gpu, gpuUuid: `p-gpu${gpu}`, kind: 'share', memoryMiB, computeMilli }], cpuMilli: 0, memoryMiB: 0 },
});

function withPods(pods: readonly RunningPod[]): NodeState {
  let s = makeNodeState(inv);
  for (const p of pods) {
    const r = reserve(s, p.allocation as Allocation);
    if (r.status.code !== 'success') throw new Error(`fixture does not fit: ${JSON.stringify(r.status)}`);
    s = r.node;
  }
  return s;
}

describe('selectVictims', () => {
  const pods = [
    share('a', 0, 40000, 500, 1), share('b', 0, 40000, 500, 5),
    share('c', 1, 20000, 300, 2), share('d', 1, 20000, 300, 3), share('e', 1, 40000, 400, 1),
  ];
  const state = withPods(pods);

  it('evicts one share on one GPU when that frees enough (fractional-aware)', () => {
    const req = request({ kind: 'share', memoryMiB: 30000, computeMilli: 400, priority: 10 });
    const r = selectVictims(req, state, pods, prefilter(req, makeSnapshot([state]), DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS)));
    expect(r?.victims).toEqual(['a']);
    expect(r?.allocation.devices[0]?.gpuIndex).toBe(0);
  });

  it('evicts the fewest pods, then the lowest priorities, for a whole GPU', () => {
    const req = request({ priority: 10 });
    const r = selectVictims(req, state, pods, prefilter(req, makeSnapshot([state]), DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS)));
    // Highest priority first, as kube-scheduler orders victims.
    expect(r?.victims).toEqual(['b', 'a']);
  });

  it('never evicts pods of equal or higher priority', () => {
    const req = request({ gpus: 2, priority: 3 });
    expect(selectVictims(req, state, pods, prefilter(req, makeSnapshot([state]), DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS)))).toBeNull();
  });

  it('evicts a large set by reprieve when pairs are not enough', () => {
    const req = request({ gpus: 2, priority: 10 });
    const r = selectVictims(req, state, pods, prefilter(req, makeSnapshot([state]), DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS)));
    expect(r?.victims.slice().sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(r?.allocation.devices.map((d) => d.gpuIndex)).toEqual([0, 1]);
  });
});
