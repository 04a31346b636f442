import { nodeTieKey } from './node-rank.js';
import { describe, expect, it } from 'vitest';
import type { GpuRequest } from '../model/gpu-request.js';
import type { NodeInventory } from '../model/node-inventory.js';
import { prefilter } from './cycle-state.js';
import { EvaluationMemo } from './evaluation-memo.js';
import { makeNodeState } from './node-state.js';
import type { NodeState } from './node-state.js';
import { DEFAULT_SCHEDULING_OPTIONS } from './scheduling-options.js';
import { scheduleOne } from './schedule-one.js';
import { combineParts, scoreNode } from './score.js';
import { makeSnapshot } from './snapshot.js';
import { node, request, uniformLinks, usage } from './test-fixtures.js';

const small = (name: string, over: Partial<NodeInventory> = {}): NodeInventory => node(name, { count: 2, links: uniformLinks(2, 'NV18'), ...over });

function scores(req: GpuRequest, states: readonly NodeState[], groups?: ReadonlyMap<string, readonly string[]>) {
  const snap = makeSnapshot(states, groups);
  const cycle = prefilter(req, snap, DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS));
  return states.map((s) => scoreNode(req, s, cycle));
}

describe('scoreNode', () => {
  it('prefers the cheaper price per GPU and gives unknown prices the neutral 50', () => {
    const [cheap, dear, unknown] = scores(request(), [
      makeNodeState(small('cheap', { hourlyPrice: 2 })), makeNodeState(small('dear', { hourlyPrice: 10 })), makeNodeState(small('unknown')),
    ]);
    expect(cheap?.parts['cost']).toBe(100);
    expect(dear?.parts['cost']).toBe(0);
    expect(unknown?.parts['cost']).toBe(50);
    expect(cheap?.score).toBeGreaterThan(dear?.score ?? 100);
  });

  it('sends interruptible pods to spot nodes', () => {
    const [spot, onDemand] = scores(request({ interruptible: true }), [makeNodeState(small('s', { capacityType: 'spot' })), makeNodeState(small('o'))]);
    expect(spot?.parts['spot']).toBe(100);
    expect(onDemand?.parts['spot']).toBe(0);
  });

  it('prefers the node of the group, then its clique, rack and zone', () => {
    const places = ['a', 'b', 'c', 'd', 'e'].map((n, i) => makeNodeState(small(n, {
      clique: i <= 1 ? 'c1' : null, rack: i <= 2 ? 'r1' : null, zone: i <= 3 ? 'z1' : null,
    })));
    const parts = scores(request({ group: 'job' }), places, new Map([['job', ['a']]])).map((s) => s.parts['groupLocality']);
    expect(parts).toEqual([100, 80, 60, 40, 0]);
  });

  it('prefers the partly used node (packing) so empty nodes can be scaled away', () => {
    const inv = small('used');
    const [used, empty] = scores(request({ kind: 'share', memoryMiB: 10000, computeMilli: 250 }), [
      makeNodeState(inv, usage(inv, { 0: { memoryMiB: 20000, computeMilli: 250 } })), makeNodeState(small('empty')),
    ]);
    expect(used?.parts['packing']).toBeGreaterThan(empty?.parts['packing'] ?? 100);
    expect(used?.score).toBeGreaterThan(empty?.score ?? 100);
  });

  it('scores 0 with no parts where the pod does not fit', () => {
    const [s] = scores(request({ gpus: 3 }), [makeNodeState(small('x'))]);
    expect(s).toEqual({ score: 0, parts: {}, raw: 0 });
  });

  it('combines parts as their weighted mean, rounded', () => {
    const parts = { fragmentation: 100, packing: 0, topology: 0, cost: 0, spot: 0, groupLocality: 0 };
    expect(combineParts(parts, { fragmentation: 1, packing: 1, topology: 0, cost: 0, spot: 0, groupLocality: 0 })).toBe(50);
  });
});

describe('scheduleOne', () => {
  it('returns per-node reasons when no node fits', () => {
    const r = scheduleOne(request({ gpus: 4 }), makeSnapshot([makeNodeState(small('a')), makeNodeState(small('b', { capacityType: 'spot' }))]), DEFAULT_SCHEDULING_OPTIONS);
    expect(r.ok).toBe(false);
    expect(r.ok ? null : Object.fromEntries(r.reasons)).toEqual({
      a: { code: 'unresolvable', reason: 'need 4 whole GPUs: node has 2' },
      b: { code: 'unresolvable', reason: 'node is spot and the pod is not interruptible' },
    });
  });

  it('breaks rank ties as the extender does (lowest nodeTieKey), whatever the map order', () => {
    const first = nodeTieKey('z') < nodeTieKey('m') ? 'z' : 'm';
    for (const order of [['z', 'm'], ['m', 'z']]) {
      const r = scheduleOne(request(), makeSnapshot(order.map((n) => makeNodeState(small(n)))), DEFAULT_SCHEDULING_OPTIONS);
      expect(r.ok && r.node).toBe(first);
    }
  });
});
