import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Allocation } from '../model/allocation.js';
import type { GpuDevice, SharingPolicy } from '../model/gpu-device.js';
import type { GpuRequest } from '../model/gpu-request.js';
import type { NodeInventory } from '../model/node-inventory.js';
import { isLegalMigLayout } from '../model/mig-profiles.js';
import { prefilter } from './cycle-state.js';
import { EvaluationMemo } from './evaluation-memo.js';
import { filterNode } from './filter.js';
import { replicaCapacity } from './gpu-capacity.js';
import type { NodeState } from './node-state.js';
import { makeNodeState } from './node-state.js';
import { placeOnNode } from './place.js';
import { selectVictims } from './preempt.js';
import { reserve, unreserve } from './reserve.js';
import { DEFAULT_SCHEDULING_OPTIONS } from './scheduling-options.js';
import { scheduleOne } from './schedule-one.js';
import { scoreNode } from './score.js';
import { makeSnapshot } from './snapshot.js';
import { BRIDGE_PAIRS_4, deepFreeze, gpu, matrix, request, uniformLinks } from './test-fixtures.js';

const FIXED_LAYOUT = [{ profile: '3g.40gb', start: 4, size: 4 }, { profile: '2g.20gb', start: 0, size: 2 }, { profile: '1g.10gb', start: 2, size: 1 }];
const MIG_PROFILES = ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb', '1g.10gb+me'];

const sharingArb: fc.Arbitrary<SharingPolicy> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<SharingPolicy>({ mode: 'fractional' }) },
  { weight: 1, arbitrary: fc.constant<SharingPolicy>({ mode: 'exclusive' }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }).map((r): SharingPolicy => ({ mode: 'time-sliced', replicas: r })) },
  { weight: 2, arbitrary: fc.constant<SharingPolicy>({ mode: 'mig', layout: 'dynamic' }) },
  { weight: 1, arbitrary: fc.constant<SharingPolicy>({ mode: 'mig', layout: FIXED_LAYOUT }) },
);

const nodeArb = (name: string): fc.Arbitrary<NodeInventory> => fc.record({
  count: fc.constantFrom(1, 2, 4, 8),
  product: fc.constantFrom('H100-80GB', 'A100-80GB', 'L4'),
  sharing: sharingArb,
  mixed: fc.boolean(),
  links: fc.constantFrom('NV18', 'SYS', 'bridge', 'quads'),
  spot: fc.boolean(),
  cpu: fc.constantFrom(0, 32000),
  taint: fc.boolean(),
}).map((o) => {
  const gpus: GpuDevice[] = Array.from({ length: o.count }, (_, i) => gpu(i, {
    uuid: `${name}-gpu${i}`, product: o.mixed && i % 2 === 1 ? 'A100-40GB' : o.product,
    sharing: o.sharing.mode === 'mig' && o.product === 'L4' ? { mode: 'fractional' } : o.sharing,
    taints: o.taint && i === 0 ? [{ key: 'unhealthy', value: 'true', effect: 'NoSchedule' }] : [],
  }));
  const fixMig = gpus.map((g) => (g.sharing.mode === 'mig' && g.product === 'A100-40GB' ? { ...g, sharing: { mode: 'mig' as const, layout: 'dynamic' as const } } : g));
  let links = uniformLinks(o.count, o.links === 'NV18' ? 'NV18' : 'SYS');
  if (o.links === 'bridge' && o.count === 4) links = BRIDGE_PAIRS_4;
  if (o.links === 'quads' && o.count === 8) {
    links = matrix(Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => (i === j ? 'X' : (i >> 2) === (j >> 2) ? 'NV4' : 'SYS')).join(' ')));
  }
  return {
    name, gpus: fixMig, links, cpuMilli: o.cpu, memoryMiB: o.cpu > 0 ? 262144 : 0, capacityType: o.spot ? 'spot' as const : 'on-demand' as const,
    hourlyPrice: o.count * 3, instanceType: null, clique: null, rack: null, zone: null, topologySource: 'test',
  };
});

const reqArb: fc.Arbitrary<GpuRequest> = fc.record({
  kind: fc.constantFrom('whole', 'share', 'share', 'replica', 'mig', 'none'),
  gpus: fc.integer({ min: 1, max: 4 }),
  mem: fc.integer({ min: 0, max: 50000 }),
  comp: fc.integer({ min: 0, max: 1000 }),
  topology: fc.constantFrom('any', 'any', 'nvlink-required', 'nvlink-preferred', 'numa'),
  mig: fc.array(fc.record({ profile: fc.constantFrom(...MIG_PROFILES), count: fc.integer({ min: 1, max: 2 }) }), { minLength: 1, maxLength: 2 }),
  interruptible: fc.boolean(),
  tolerate: fc.boolean(),
  cpu: fc.constantFrom(0, 4000),
  priority: fc.integer({ min: 0, max: 3 }),
}).map((o) => request({
  kind: o.kind as GpuRequest['kind'], gpus: o.kind === 'mig' || o.kind === 'none' ? 0 : o.kind === 'share' ? Math.min(o.gpus, 2) : o.gpus,
  memoryMiB: o.kind === 'share' ? o.mem : 0, computeMilli: o.kind === 'share' ? o.comp : 0, topology: o.topology as GpuRequest['topology'],
  mig: o.kind === 'mig' ? o.mig : [], interruptible: o.interruptible, cpuMilli: o.cpu, priority: o.priority,
  tolerations: o.tolerate ? [{ key: 'unhealthy', operator: 'Exists' }] : [],
}));

const clusterArb = fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => nodeArb(`n${i}`))));
const streamArb = fc.array(fc.tuple(reqArb, fc.nat(100)), { minLength: 5, maxLength: 30 });

/** Throws when any GPU or host resource of `s` is over-committed or a MIG layout is illegal. */
function checkInvariants(s: NodeState): void {
  s.inventory.gpus.forEach((g, i) => {
    const u = s.usage.gpus[i];
    if (u === undefined) throw new Error(`GPU ${i} has no usage`);
    expect(u.memoryMiB).toBeLessThanOrEqual(g.memoryMiB);
    expect(u.computeMilli).toBeLessThanOrEqual(g.computeMilli);
    expect(u.replicas).toBeLessThanOrEqual(replicaCapacity(g));
    if (g.sharing.mode === 'mig') {
      expect(u.whole).toBe(false);
      expect(isLegalMigLayout(g.product, u.mig)).toBe(true);
      const layout = g.sharing.layout;
      if (layout !== 'dynamic') for (const m of u.mig) expect(layout).toContainEqual(m);
      expect(new Set(u.mig.map((m) => `${m.profile}@${m.start}`)).size).toBe(u.mig.length);
    } else {
      expect(u.mig).toEqual([]);
    }
    if (u.whole) expect(u.replicas).toBe(0);
  });
  if (s.inventory.cpuMilli > 0) expect(s.usage.cpuMilli).toBeLessThanOrEqual(s.inventory.cpuMilli);
}

interface Trace { readonly placed: (string | null)[]; readonly scores: number[] }

/** Runs a request stream: schedule, reserve, sometimes release; checks invariants after every step. */
function run(inventories: readonly NodeInventory[], stream: readonly (readonly [GpuRequest, number])[]): Trace {
  const states = new Map<string, NodeState>(inventories.map((inv) => [inv.name, makeNodeState(inv)]));
  const running: { uid: string; priority: number; allocation: Allocation }[] = [];
  const trace: Trace = { placed: [], scores: [] };
  stream.forEach(([req, roll], step) => {
    const snap = deepFreeze(makeSnapshot([...states.values()]));
    const r = scheduleOne(req, snap, DEFAULT_SCHEDULING_OPTIONS);
    if (r.ok) {
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(100);
      expect(Number.isInteger(r.score)).toBe(true);
      for (const v of Object.values(r.parts)) expect(v >= 0 && v <= 100).toBe(true);
      const target = states.get(r.node);
      if (target === undefined) throw new Error('unknown node');
      const res = reserve(target, r.allocation);
      expect(res.status).toEqual({ code: 'success' });
      checkInvariants(res.node);
      states.set(r.node, res.node);
      running.push({ uid: `p${step}`, priority: req.priority, allocation: r.allocation });
      trace.placed.push(`${r.node}:${r.allocation.devices.map((d) => `${d.gpuIndex}${d.mig ? `@${d.mig.start}` : ''}`).join(',')}`);
      trace.scores.push(r.score);
    } else {
      trace.placed.push(null);
      for (const st of r.reasons.values()) expect(st.code).not.toBe('success');
      // Preemption on one node must free a legal place and only evict lower priorities.
      const [name, node] = [...states.entries()][roll % states.size] ?? [];
      if (node !== undefined && name !== undefined && req.priority > 0) {
        const cycle = prefilter(req, snap, DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS));
        if (filterNode(req, node, cycle).code === 'unschedulable') {
          const pods = running.filter((p) => p.allocation.node === name);
          const v = selectVictims(req, node, pods, cycle);
          if (v !== null) {
            let s = node;
            for (const uid of v.victims) {
              const p = pods.find((x) => x.uid === uid);
              expect(p !== undefined && p.priority < req.priority).toBe(true);
              if (p !== undefined) s = unreserve(s, p.allocation);
            }
            const after = reserve(s, v.allocation);
            expect(after.status.code).toBe('success');
            checkInvariants(after.node);
          }
        }
      }
    }
    if (roll < 30 && running.length > 0) {
      const [gone] = running.splice(roll % running.length, 1);
      if (gone !== undefined) {
        const s = states.get(gone.allocation.node);
        if (s !== undefined) {
          const back = unreserve(s, gone.allocation);
          checkInvariants(back);
          states.set(gone.allocation.node, back);
        }
      }
    }
  });
  return trace;
}

describe('scheduling properties', () => {
  it('never over-commits memory, compute, replicas, MIG slices or host CPU, and keeps MIG layouts legal', () => {
    fc.assert(fc.property(clusterArb, streamArb, (inventories, stream) => {
      run(inventories.map((i) => deepFreeze(i)), stream.map(([r, n]) => [deepFreeze(r), n] as const));
    }), { numRuns: 60 });
  });

  it('gives the same placements and scores for the same input (determinism)', () => {
    fc.assert(fc.property(clusterArb, streamArb, (inventories, stream) => {
      expect(run(inventories, stream)).toEqual(run(inventories, stream));
    }), { numRuns: 20 });
  });

  it('agrees between filter, place and score on every node, with scores in range', () => {
    fc.assert(fc.property(clusterArb, reqArb, (inventories, req) => {
      const states = inventories.map((i) => deepFreeze(makeNodeState(deepFreeze(i))));
      const snap = makeSnapshot(states);
      const cycle = prefilter(req, snap, DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS));
      const best = scheduleOne(req, snap, DEFAULT_SCHEDULING_OPTIONS);
      expect(best.ok).toBe(states.some((s) => filterNode(req, s, cycle).code === 'success'));
      if (best.ok) {
        const chosen = states.find((s) => s.inventory.name === best.node);
        if (chosen === undefined) throw new Error('scheduleOne chose an unknown node');
        expect(scoreNode(req, chosen, cycle).score).toBe(best.score);
        for (const s of states) expect(scoreNode(req, s, cycle).score).toBeLessThanOrEqual(best.score);
      }
      for (const s of states) {
        const st = filterNode(req, s, cycle);
        const p = placeOnNode(req, s, cycle);
        const sc = scoreNode(req, s, cycle);
        expect(p.status).toEqual(st);
        expect(p.allocation === null).toBe(st.code !== 'success');
        expect(sc.score >= 0 && sc.score <= 100).toBe(true);
        expect(Math.round(sc.raw)).toBe(sc.score);
        if (p.allocation !== null) expect(reserve(s, p.allocation).status.code).toBe('success');
        // Unresolvable means even the empty node cannot host the pod.
        if (st.code === 'unresolvable') {
          const empty = makeNodeState(s.inventory);
          expect(filterNode(req, empty, prefilter(req, makeSnapshot([empty]), DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS))).code).not.toBe('success');
        }
      }
    }), { numRuns: 150 });
  });
});
