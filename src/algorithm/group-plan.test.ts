import { describe, expect, it } from 'vitest';
import type { NodeInventory } from '../model/node-inventory.js';
import { prefilter } from './cycle-state.js';
import { EvaluationMemo } from './evaluation-memo.js';
import { planGroup, type GroupLocality, type GroupMember } from './group-plan.js';
import type { NodeState } from './node-state.js';
import { makeNodeState } from './node-state.js';
import { reserve } from './reserve.js';
import { DEFAULT_SCHEDULING_OPTIONS } from './scheduling-options.js';
import { makeSnapshot } from './snapshot.js';
import { node, request } from './test-fixtures.js';

/** A node with its first `used` GPUs held whole. */
function nodeWith(inv: NodeInventory, used: number): NodeState {
  let s = makeNodeState(inv);
  for (let i = 0; i < used; i += 1) {
    const g = inv.gpus[i];
    if (g === undefined) throw new Error('fixture: too many used GPUs');
    const r = reserve(s, { node: inv.name, devices: [{ gpuIndex: i, gpuUuid: g.uuid, kind: 'whole', memoryMiB: g.memoryMiB, computeMilli: 1000 }], cpuMilli: 0, memoryMiB: 0 });
    s = r.node;
  }
  return s;
}

const members = (n: number, gpus = 1): GroupMember[] =>
  Array.from({ length: n }, (_, i) => ({ key: `m${i}`, req: request({ kind: 'whole', gpus, group: 'g' }) }));

function plan(states: NodeState[], ms: GroupMember[], locality: GroupLocality | null, placedOn: string[] = []) {
  const snap = makeSnapshot(states);
  const first = ms[0]?.req ?? request();
  const cycle = prefilter(first, snap, DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS));
  return planGroup(ms, snap.nodes, cycle, { locality, placedOn });
}

describe('planGroup', () => {
  const a = node('a', { zone: 'z1', rack: 'r1', clique: 'c1' });
  const b = node('b', { zone: 'z1', rack: 'r1', clique: 'c1' });
  const c = node('c', { zone: 'z2', rack: 'r2', clique: null });

  it.each([
    {
      name: 'puts 8 one-GPU pods on the one node that has 8 free GPUs (tightest domain first)',
      states: () => [nodeWith(a, 4), nodeWith(b, 0), nodeWith(c, 4)], ms: members(8), locality: null,
      want: { ok: true, level: 'node', nodes: { b: 8 } },
    },
    {
      name: 'spreads 12 pods over the whole cluster when no zone has room for all',
      states: () => [nodeWith(a, 4), nodeWith(b, 4), nodeWith(c, 0)], ms: members(12), locality: null,
      want: { ok: true, level: 'cluster', nodes: { a: 4, b: 4, c: 4 } as Record<string, number> | undefined },
    },
    {
      name: 'stays in one clique when asked for one',
      states: () => [nodeWith(a, 4), nodeWith(b, 4), nodeWith(c, 0)], ms: members(8), locality: 'clique' as const,
      want: { ok: true, level: 'clique', nodes: { a: 4, b: 4 } },
    },
    {
      name: 'refuses a zone-bound group that only fits across zones, saying how many fit',
      states: () => [nodeWith(a, 6), nodeWith(b, 6), nodeWith(c, 4)], ms: members(8), locality: 'zone' as const,
      want: { ok: false, reason: '8 pods do not fit together in one zone: at most 4 can be placed' },
    },
    {
      name: 'places multi-GPU members as units, largest first, in one NVLink clique',
      states: () => [nodeWith(a, 0), nodeWith(b, 6), nodeWith(c, 8)], ms: [...members(1, 8), { key: 'x', req: request({ gpus: 2, group: 'g' }) }], locality: null,
      want: { ok: true, level: 'clique', nodes: { a: 1, b: 1 } },
    },
  ])('$name', ({ states, ms, locality, want }) => {
    const r = plan(states(), ms, locality);
    expect(r.ok).toBe(want.ok);
    if (r.ok && want.ok) {
      expect(r.level).toBe(want.level);
      const per: Record<string, number> = {};
      for (const p of r.placements) per[p.node] = (per[p.node] ?? 0) + 1;
      if (want.nodes !== undefined) expect(per).toEqual(want.nodes);
      expect(r.placements).toHaveLength(ms.length);
    }
    if (!r.ok && !want.ok) expect(r.reason).toBe(want.reason);
  });

  it('keeps the domain where members already run: a zone-bound group with a pod in z2 plans only in z2', () => {
    const r = plan([nodeWith(a, 0), nodeWith(b, 0), nodeWith(c, 4)], members(4), 'zone', ['c']);
    expect(r.ok && r.placements.every((p) => p.node === 'c')).toBe(true);
    const none = plan([nodeWith(a, 0), nodeWith(b, 0), nodeWith(c, 6)], members(4), 'zone', ['c']);
    expect(none).toMatchObject({ ok: false, placeable: 2 });
  });

  it('plans places that reserve together without over-commit', () => {
    const states = [nodeWith(a, 3), nodeWith(b, 5), nodeWith(c, 1)];
    const r = plan(states, members(12), null);
    if (!r.ok) throw new Error(r.reason);
    const byName = new Map(states.map((s) => [s.inventory.name, s]));
    for (const p of r.placements) {
      const s = byName.get(p.node) as NodeState;
      const next = reserve(s, p.allocation);
      expect(next.status.code).toBe('success');
      byName.set(p.node, next.node);
    }
  });
});
