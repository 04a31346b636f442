import { describe, expect, it } from 'vitest';
import type { Allocation } from '../model/allocation.js';
import { prefilter } from './cycle-state.js';
import { EvaluationMemo } from './evaluation-memo.js';
import { makeNodeState } from './node-state.js';
import type { RunningPod } from './preempt.js';
import { choosePreemption, type PreemptionCandidate } from './preemption-choice.js';
import { reserve } from './reserve.js';
import { DEFAULT_SCHEDULING_OPTIONS } from './scheduling-options.js';
import { makeSnapshot } from './snapshot.js';
import { node, request, uniformLinks } from './test-fixtures.js';

/** A 2-GPU node full of one-GPU pods of the given priorities. */
function full(name: string, priorities: readonly number[]): PreemptionCandidate {
  const inv = node(name, { count: priorities.length, links: uniformLinks(priorities.length, 'NV18') });
  let state = makeNodeState(inv);
  const pods: RunningPod[] = priorities.map((priority, i) => {
    const allocation: Allocation = { node: name, devices: [{ gpuIndex: i, gpuUuid: `${name}-gpu${i}`, kind: 'whole', memoryMiB: 81559, computeMilli: 1000 }], cpuMilli: 0, memoryMiB: 0 };
    state = reserve(state, allocation).node;
    return { uid: `${name}-p${i}`, priority, allocation };
  });
  return { state, pods };
}

describe('choosePreemption', () => {
  const choose = (candidates: PreemptionCandidate[], gpus: number, priority = 10) => {
    const req = request({ gpus, priority });
    const cycle = prefilter(req, makeSnapshot(candidates.map((c) => c.state)), DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS));
    return choosePreemption(req, candidates, cycle);
  };

  it('picks the node with the fewest victims, then the lowest priorities', () => {
    const r = choose([full('x', [1, 1]), full('y', [3, 2]), full('z', [1, 5])], 1);
    expect(r?.node).toBe('x');
    expect(r?.victims).toEqual(['x-p0']);
    const two = choose([full('x', [1, 4]), full('y', [3, 2]), full('z', [1, 9])], 2);
    expect(two?.node).toBe('y');
    expect(two?.victims).toEqual(['y-p0', 'y-p1']);
  });

  it('skips nodes where only pods of equal or higher priority run, and answers null when none is left', () => {
    expect(choose([full('x', [10, 10]), full('y', [11, 2])], 1)?.node).toBe('y');
    expect(choose([full('x', [10, 10])], 1)).toBeNull();
  });

  it('prefers a node without PodDisruptionBudget violations even when it costs more pods', () => {
    const x = full('x', [1, 1]);
    const guarded = { ...x, pods: x.pods.map((p) => ({ ...p, pdbProtected: true })) };
    const r = choose([guarded, full('y', [2, 2])], 2);
    expect(r?.node).toBe('y');
    expect(r?.cost.pdbViolations).toBe(0);
  });

  it('breaks equal costs by node name, so the choice is deterministic', () => {
    expect(choose([full('b', [1, 2]), full('a', [1, 2])], 1)?.node).toBe('a');
  });
});
