import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GpuRequest } from '../model/gpu-request.js';
import type { SharingPolicy } from '../model/gpu-device.js';
import { prefilter } from './cycle-state.js';
import { EvaluationMemo } from './evaluation-memo.js';
import { evaluateNode } from './evaluate-node.js';
import type { NodeState } from './node-state.js';
import { makeNodeState } from './node-state.js';
import { placeOnNode } from './place.js';
import { compareVictimCost, selectVictims, victimCost, type RunningPod } from './preempt.js';
import { reserve, unreserve } from './reserve.js';
import { DEFAULT_SCHEDULING_OPTIONS } from './scheduling-options.js';
import { makeSnapshot } from './snapshot.js';
import { node, request, uniformLinks } from './test-fixtures.js';

/** Requests a node of `sharing` can hold, each small enough that several share a node. */
const requestsFor = (sharing: SharingPolicy): fc.Arbitrary<GpuRequest> => {
  switch (sharing.mode) {
    case 'fractional':
      return fc.oneof(
        fc.record({ mem: fc.constantFrom(8000, 20000, 30000, 40000), comp: fc.constantFrom(0, 100, 250, 500) })
          .map(({ mem, comp }) => request({ kind: 'share', memoryMiB: mem, computeMilli: comp })),
        fc.constantFrom(1, 2).map((gpus) => request({ kind: 'whole', gpus })),
      );
    case 'time-sliced':
      return fc.constantFrom(1, 2).map((gpus) => request({ kind: 'replica', gpus }));
    case 'mig':
      return fc.constantFrom('1g.10gb', '2g.20gb', '3g.40gb', '4g.40gb').map((profile) => request({ kind: 'mig', gpus: 0, mig: [{ profile, count: 1 }] }));
    case 'exclusive':
      return fc.constantFrom(1, 2).map((gpus) => request({ kind: 'whole', gpus }));
  }
};

const scenarioArb = fc.constantFrom<SharingPolicy>(
  { mode: 'fractional' }, { mode: 'time-sliced', replicas: 3 }, { mode: 'mig', layout: 'dynamic' }, { mode: 'exclusive' },
).chain((sharing) => fc.record({
  sharing: fc.constant(sharing),
  gpus: fc.constantFrom(1, 2, 4),
  pods: fc.array(fc.record({ req: requestsFor(sharing), priority: fc.integer({ min: 0, max: 4 }), pdb: fc.integer({ min: 0, max: 3 }).map((n) => n === 0) }), { minLength: 1, maxLength: 9 }),
  preemptor: requestsFor(sharing),
  preemptorPriority: fc.integer({ min: 1, max: 5 }),
  // Host CPU on the node and in the pods: when it binds, victims on other GPUs can matter.
  hostCpu: fc.constantFrom(0, 0, 4000),
  podCpu: fc.constantFrom(0, 1000),
}));

/** Places the pods in order (those that do not fit are left out) and returns the node and who runs there. */
function build(s: { sharing: SharingPolicy; gpus: number; hostCpu: number; podCpu: number; pods: readonly { req: GpuRequest; priority: number; pdb: boolean }[] }): { state: NodeState; running: RunningPod[] } {
  const product = s.sharing.mode === 'mig' ? 'A100-80GB' : 'H100-80GB';
  const inv = node('n', { count: s.gpus, product, sharing: s.sharing, links: uniformLinks(s.gpus, 'NV18'), cpuMilli: s.hostCpu, memoryMiB: s.hostCpu > 0 ? 65536 : 0 });
  let state = makeNodeState(inv);
  const running: RunningPod[] = [];
  const memo = new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS);
  s.pods.forEach((p, i) => {
    const pr = { ...p.req, cpuMilli: s.podCpu };
    const cycle = prefilter(pr, makeSnapshot([state]), DEFAULT_SCHEDULING_OPTIONS, memo);
    const a = placeOnNode(pr, state, cycle).allocation;
    if (a === null) return;
    const r = reserve(state, a);
    if (r.status.code !== 'success') return;
    state = r.node;
    running.push({ uid: `p${i}`, priority: p.priority, allocation: a, pdbProtected: p.pdb });
  });
  return { state, running };
}

describe('selectVictims (property)', () => {
  it('finds the cheapest victim set a brute force over every subset finds, on whole, shared, replica and MIG nodes', () => {
    fc.assert(fc.property(scenarioArb, (s) => {
      const { state, running } = build(s);
      const req = { ...s.preemptor, priority: s.preemptorPriority, cpuMilli: s.podCpu };
      const memo = new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS);
      const cycle = prefilter(req, makeSnapshot([state]), DEFAULT_SCHEDULING_OPTIONS, memo);
      const got = selectVictims(req, state, running, cycle);
      const lower = running.filter((p) => p.priority < req.priority);
      const fitsWithout = (set: readonly RunningPod[]): boolean => {
        let st = state;
        for (const v of set) st = unreserve(st, v.allocation);
        return evaluateNode(st, cycle).status.code === 'success';
      };
      if (fitsWithout([])) {
        expect(got).toBeNull();
        return;
      }
      let best: ReturnType<typeof victimCost> | null = null;
      for (let mask = 1; mask < 1 << lower.length; mask += 1) {
        const set = lower.filter((_, i) => (mask & (1 << i)) !== 0);
        if (!fitsWithout(set)) continue;
        const cost = victimCost(set);
        // The PDB-free sets come first: a set with violations is only right when no PDB-free set works.
        if (best === null || compareVictimCost(cost, best) < 0) best = cost;
      }
      if (best === null) {
        expect(got).toBeNull();
        return;
      }
      expect(got).not.toBeNull();
      if (got === null) return;
      expect(got.exact).toBe(true);
      expect(got.cost).toEqual(best);
      // Only lower priorities, each once, highest first; and the pod really fits in the place it is given.
      const chosen = got.victims.map((uid) => running.find((p) => p.uid === uid) as RunningPod);
      expect(chosen.every((p) => p !== undefined && p.priority < req.priority)).toBe(true);
      expect(new Set(got.victims).size).toBe(got.victims.length);
      for (let i = 1; i < chosen.length; i += 1) expect((chosen[i - 1] as RunningPod).priority).toBeGreaterThanOrEqual((chosen[i] as RunningPod).priority);
      let after = state;
      for (const v of chosen) after = unreserve(after, v.allocation);
      expect(reserve(after, got.allocation).status.code).toBe('success');
    }), { numRuns: 400, seed: 20260512 });
  });
});
