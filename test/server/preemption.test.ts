/**
 * Preemption over real HTTP and the simulated cluster: the preempt verb (kube-scheduler's path, including the
 * empty victim lists of PR #135486), the hold that keeps victims' devices for the preemptor, and Tessera's own
 * preemption (eviction + nomination) with an injected clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FleetSchema } from '../../src/sim/simulated-cluster-fleet.js';
import { startTestServer, type TestServer } from './harness.js';
import { bindArgs, kubePod, namesArgs } from './kube-fixtures.js';
import { ManualTimers } from './manual-timers.js';

/** whole-0: 8 exclusive H100; frac-0: 2 fractional H100; mig-0: 2 A100 in dynamic MIG. */
const FLEET = FleetSchema.parse({
  apiVersion: 'tessera.io/v1alpha1', kind: 'SimulatedFleet',
  pools: [
    { name: 'whole', count: 1, gpuProduct: 'NVIDIA-H100-80GB-HBM3', gpuCount: 8, topologyPreset: 'hgx-h100-8x-sxm', sharing: 'exclusive' },
    { name: 'frac', count: 1, gpuProduct: 'NVIDIA-H100-80GB-HBM3', gpuCount: 2, gpuMemoryMiB: 81559, sharing: 'fractional' },
    { name: 'mig', count: 1, gpuProduct: 'NVIDIA-A100-SXM4-80GB', gpuCount: 2, gpuMemoryMiB: 81920, sharing: 'mig:dynamic' },
  ],
});

interface PreemptResult { NodeNameToMetaVictims: Record<string, { Pods: { UID: string }[]; NumPDBViolations: number }> }
interface FilterResult { NodeNames: string[] | null; FailedNodes: Record<string, string>; FailedAndUnresolvableNodes: Record<string, string> }

let t: TestServer;
afterEach(async () => {
  await t.close();
});

async function place(pod: Record<string, unknown>, node: string): Promise<void> {
  await t.post('/scheduler/filter', namesArgs(pod, [node]));
  const r = (await t.post('/scheduler/bind', bindArgs(pod as never, node))).json as { Error: string };
  expect(r.Error).toBe('');
}

const whole = (i: number, priority: number) => kubePod({ name: `w${i}`, uid: `uid-w${i}`, priority, requests: { 'nvidia.com/gpu': '1' } });
const uid = (p: Record<string, unknown>): string => (p.metadata as { uid: string }).uid;

/** Fills whole-0 with 8 one-GPU pods of priorities `prios`. */
async function fillWhole(prios: readonly number[]): Promise<Record<string, unknown>[]> {
  const pods = prios.map((p, i) => whole(i, p));
  for (const p of pods) await place(p, 'whole-0');
  return pods;
}

/** Starts the server on `timers` and returns its simulated cluster. */
async function startOn(timers: ManualTimers): Promise<NonNullable<TestServer['sim']>> {
  t = await startTestServer({ fleet: FLEET, timers });
  if (t.sim === null) throw new Error('no simulated cluster');
  return t.sim;
}

/** frac-0 with two half GPUs on each fractional GPU: no GPU is whole, but half the node's total memory is free. */
async function fragmented(timers: ManualTimers): Promise<NonNullable<TestServer['sim']>> {
  const sim = await startOn(timers);
  const halves = [['h0', 1], ['h1', 3], ['h2', 2], ['h3', 4]] as const;
  for (const [name, prio] of halves) {
    await place(kubePod({ name, uid: `uid-${name}`, priority: prio, requests: { 'tessera.io/gpu-memory': '20000', 'tessera.io/gpu-compute': '500' } }), 'frac-0');
  }
  return sim;
}

/** whole-0 full of one-GPU pods of priority 1. */
async function fullWhole(timers: ManualTimers): Promise<NonNullable<TestServer['sim']>> {
  const sim = await startOn(timers);
  await fillWhole([1, 1, 1, 1, 1, 1, 1, 1]);
  return sim;
}

const filter = async (pod: object, nodes: string[]): Promise<FilterResult> => (await t.post('/scheduler/filter', namesArgs(pod, nodes))).json as FilterResult;

describe('preempt verb (kube-scheduler\'s path)', () => {
  it('replaces kube-scheduler\'s victims with the fewest lowest-priority ones, answers one node, and drops nodes that cannot help', async () => {
    t = await startTestServer({ fleet: FLEET });
    const pods = await fillWhole([5, 1, 4, 1, 3, 6, 2, 7]);
    const pod = kubePod({ name: 'urgent', uid: 'uid-urgent', priority: 100, requests: { 'nvidia.com/gpu': '2' } });
    const r = (await t.post('/scheduler/preempt', {
      Pod: pod, NodeNameToVictims: null,
      NodeNameToMetaVictims: {
        // kube-scheduler's own dry run would evict all eight; the MIG node cannot take whole GPUs at all.
        'whole-0': { Pods: pods.map((p) => ({ UID: uid(p) })), NumPDBViolations: 0 },
        'mig-0': { Pods: [], NumPDBViolations: 0 },
      },
    })).json as PreemptResult;
    expect(Object.keys(r.NodeNameToMetaVictims)).toEqual(['whole-0']);
    expect(r.NodeNameToMetaVictims['whole-0']?.Pods.map((p) => p.UID).sort()).toEqual(['uid-w1', 'uid-w3']);
    expect(r.NodeNameToMetaVictims['whole-0']?.NumPDBViolations).toBe(0);
  });

  it('computes victims for candidates sent with empty victim lists (kube-scheduler with PR #135486), and never answers an empty list', async () => {
    t = await startTestServer({ fleet: FLEET });
    // frac-0: GPU 0 holds 30000+30000 MiB (priorities 1, 2), GPU 1 one 70000 MiB share (priority 0).
    for (const [name, mem, prio] of [['a', '30000', 1], ['b', '30000', 2], ['c', '70000', 0]] as const) {
      await place(kubePod({ name, uid: `uid-${name}`, priority: prio, requests: { 'tessera.io/gpu-memory': mem } }), 'frac-0');
    }
    const pod = kubePod({ name: 'share', uid: 'uid-share', priority: 10, requests: { 'tessera.io/gpu-memory': '40000' } });
    for (const body of [
      { Pod: pod, NodeNameToVictims: null, NodeNameToMetaVictims: { 'frac-0': { Pods: [], NumPDBViolations: 0 } } },
      { Pod: pod, NodeNameToVictims: null, NodeNameToMetaVictims: { 'frac-0': null } },
      { Pod: pod, NodeNameToMetaVictims: null, NodeNameToVictims: { 'frac-0': { Pods: [], NumPDBViolations: 0 } } },
    ]) {
      const r = (await t.post('/scheduler/preempt', body)).json as PreemptResult;
      // One victim is enough either way; the lowest priority is c (GPU 1).
      expect(r.NodeNameToMetaVictims['frac-0']?.Pods).toEqual([{ UID: 'uid-c' }]);
    }
  });

  it('preempts MIG slices: evicts the instance whose slices a 7g pod needs', async () => {
    t = await startTestServer({ fleet: FLEET });
    await place(kubePod({ name: 'm1', uid: 'uid-m1', priority: 3, requests: { 'tessera.io/mig-3g.40gb': '1' } }), 'mig-0');
    await place(kubePod({ name: 'm2', uid: 'uid-m2', priority: 1, requests: { 'tessera.io/mig-1g.10gb': '1' } }), 'mig-0');
    await place(kubePod({ name: 'm3', uid: 'uid-m3', priority: 2, requests: { 'tessera.io/mig-3g.40gb': '1' } }), 'mig-0');
    const gpuOf = (n: string): number => t.server.cache.pod(`uid-${n}`)?.allocation?.devices[0]?.gpuIndex ?? -1;
    const pod = kubePod({ name: 'big', uid: 'uid-big', priority: 10, requests: { 'tessera.io/mig-7g.80gb': '1' } });
    const r = (await t.post('/scheduler/preempt', { Pod: pod, NodeNameToVictims: null, NodeNameToMetaVictims: { 'mig-0': { Pods: [], NumPDBViolations: 0 } } })).json as PreemptResult;
    const victims = r.NodeNameToMetaVictims['mig-0']?.Pods.map((p) => p.UID) ?? [];
    // Whichever GPU holds a single instance is freed by evicting just that one, the cheaper of the choices.
    expect(victims).toHaveLength(1);
    const freed = victims[0] === 'uid-m1' ? gpuOf('m1') : victims[0] === 'uid-m2' ? gpuOf('m2') : gpuOf('m3');
    const others = ['m1', 'm2', 'm3'].filter((n) => `uid-${n}` !== victims[0]);
    expect(others.every((n) => gpuOf(n) !== freed)).toBe(true);
  });

  it('counts PodDisruptionBudget violations of the chosen victims and prefers victims no budget protects', async () => {
    t = await startTestServer({ fleet: FLEET });
    const sim = t.sim;
    if (sim === null) throw new Error('no simulated cluster');
    const pods = await fillWhole([1, 1, 2, 2, 3, 3, 4, 4]);
    // w0 and w1 (priority 1) are guarded by a budget that allows no disruption.
    sim.setDisruptionBudgets([{ namespace: 'default', name: 'guard', selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['w0', 'w1'] }] }, disruptionsAllowed: 0, disruptedPods: [] }]);
    const pod = kubePod({ name: 'urgent', uid: 'uid-urgent', priority: 100, requests: { 'nvidia.com/gpu': '1' } });
    const r = (await t.post('/scheduler/preempt', { Pod: pod, NodeNameToVictims: null, NodeNameToMetaVictims: { 'whole-0': { Pods: pods.map((p) => ({ UID: uid(p) })), NumPDBViolations: 0 } } })).json as PreemptResult;
    expect(r.NodeNameToMetaVictims['whole-0']).toEqual({ Pods: [{ UID: 'uid-w2' }], NumPDBViolations: 0 });
    // With every pod guarded, the cheapest victim is taken and the violation counted (kube-scheduler's rule).
    sim.setDisruptionBudgets([{ namespace: 'default', name: 'all', selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, disruptionsAllowed: 0, disruptedPods: [] }]);
    const pod2 = kubePod({ name: 'urgent2', uid: 'uid-urgent2', priority: 100, requests: { 'nvidia.com/gpu': '1' } });
    const r2 = (await t.post('/scheduler/preempt', { Pod: pod2, NodeNameToVictims: null, NodeNameToMetaVictims: { 'whole-0': { Pods: [], NumPDBViolations: 0 } } })).json as PreemptResult;
    expect(r2.NodeNameToMetaVictims['whole-0']?.NumPDBViolations).toBe(1);
    expect(r2.NodeNameToMetaVictims['whole-0']?.Pods).toHaveLength(1);
    expect(['uid-w0', 'uid-w1']).toContain(r2.NodeNameToMetaVictims['whole-0']?.Pods[0]?.UID);
  });

  it('answers nothing for preemptionPolicy Never, equal priorities, and job-group members', async () => {
    t = await startTestServer({ fleet: FLEET });
    const pods = await fillWhole([5, 5, 5, 5, 5, 5, 5, 5]);
    const proposal = { 'whole-0': { Pods: pods.map((p) => ({ UID: uid(p) })), NumPDBViolations: 0 } };
    const never = kubePod({ name: 'n', uid: 'uid-n', priority: 100, requests: { 'nvidia.com/gpu': '1' } });
    (never.spec as Record<string, unknown>).preemptionPolicy = 'Never';
    const equal = kubePod({ name: 'e', uid: 'uid-e', priority: 5, requests: { 'nvidia.com/gpu': '1' } });
    const member = kubePod({ name: 'g', uid: 'uid-g', priority: 100, requests: { 'nvidia.com/gpu': '1' }, annotations: { 'tessera.io/group': 'job', 'tessera.io/group-min-size': '2' } });
    for (const pod of [never, equal, member]) {
      const r = (await t.post('/scheduler/preempt', { Pod: pod, NodeNameToVictims: null, NodeNameToMetaVictims: proposal })).json as PreemptResult;
      expect(r.NodeNameToMetaVictims, (pod.metadata as { name: string }).name).toEqual({});
    }
  });
});

describe('the hold on a preemptor\'s victims\' devices', () => {
  it('gives the freed GPU to the preemptor only: a third pod never gets it, the preemptor\'s filter points at it, its bind takes it', async () => {
    t = await startTestServer({ fleet: FLEET });
    const sim = t.sim;
    if (sim === null) throw new Error('no simulated cluster');
    await fillWhole([1, 2, 3, 4, 5, 6, 7, 8]);
    const preemptor = kubePod({ name: 'urgent', uid: 'uid-urgent', priority: 100, requests: { 'nvidia.com/gpu': '1' } });
    const r = (await t.post('/scheduler/preempt', { Pod: preemptor, NodeNameToVictims: null, NodeNameToMetaVictims: { 'whole-0': { Pods: [], NumPDBViolations: 0 } } })).json as PreemptResult;
    expect(r.NodeNameToMetaVictims['whole-0']?.Pods).toEqual([{ UID: 'uid-w0' }]);
    // kube-scheduler deletes the victim; a pod of any priority asking now does not get its GPU.
    sim.deletePod('uid-w0');
    const third = kubePod({ name: 'third', uid: 'uid-third', priority: 1000, requests: { 'nvidia.com/gpu': '1' } });
    const f3 = await filter(third, ['whole-0', 'frac-0']);
    expect(f3.NodeNames).toEqual(['frac-0']);
    const b3 = (await t.post('/scheduler/bind', bindArgs(third as never, 'whole-0'))).json as { Error: string };
    expect(b3.Error).toMatch(/no longer fits/);
    const view = (await t.get('/api/v1/nodes')).json as { nodes: { name: string; holds: { forPod: { name: string }; reason: string; allocation: { devices: unknown[] } }[] }[] };
    expect(view.nodes.find((n) => n.name === 'whole-0')?.holds).toMatchObject([{ forPod: { name: 'urgent' }, reason: 'preemption', allocation: { devices: [{ gpuIndex: 0 }] } }]);
    const fp = await filter(preemptor, ['whole-0', 'frac-0']);
    expect(fp.NodeNames).toEqual(['whole-0']);
    expect(fp.FailedNodes['frac-0']).toMatch(/held for this pod on node "whole-0"/);
    // The same with full Node objects in the body.
    const full = (await t.post('/scheduler/filter', { Pod: preemptor, Nodes: { metadata: {}, items: sim.nodeObjects().filter((n) => ['whole-0', 'frac-0'].includes(n.metadata?.name ?? '')) }, NodeNames: null })).json as {
      Nodes: { items: { metadata: { name: string } }[] }; FailedNodes: Record<string, string>;
    };
    expect(full.Nodes.items.map((n) => n.metadata.name)).toEqual(['whole-0']);
    expect(full.FailedNodes['frac-0']).toMatch(/held for this pod/);
    const bp = (await t.post('/scheduler/bind', bindArgs(preemptor as never, 'whole-0'))).json as { Error: string };
    expect(bp.Error).toBe('');
    expect(t.server.cache.allHolds()).toEqual([]);
  });
});

describe('Tessera\'s own preemption (fragmented GPUs, MIG: kube-scheduler finds no in-tree victim)', () => {
  it('evicts the cheapest victims on the best node, nominates it, and the preemptor binds there', async () => {
    const timers = new ManualTimers();
    const sim = await fragmented(timers);
    const pod = kubePod({ name: 'whole', uid: 'uid-whole', priority: 50, requests: { 'nvidia.com/gpu': '1' } });
    sim.addPendingPod(pod);
    const f = await filter(pod, ['frac-0', 'mig-0']);
    expect(f.NodeNames).toEqual([]);
    // kube-scheduler's dry run finds nothing here; after the grace period Tessera acts.
    expect(sim.evicted).toEqual([]);
    // The cheapest whole GPU to free: the one whose two halves have the lower highest priority.
    const byGpu = new Map<number, { uid: string; priority: number }[]>();
    for (const p of t.server.cache.podsOn('frac-0')) {
      const g = p.allocation?.devices[0]?.gpuIndex ?? -1;
      byGpu.set(g, [...(byGpu.get(g) ?? []), { uid: p.uid, priority: p.priority }]);
    }
    const cheapest = [...byGpu.values()].sort((a, b) => Math.max(...a.map((x) => x.priority)) - Math.max(...b.map((x) => x.priority)))[0] ?? [];
    timers.advance(1_500);
    await waitUntil(() => sim.evicted.length === 2);
    expect(sim.evicted.map((v) => v.uid).sort()).toEqual(cheapest.map((x) => x.uid).sort());
    expect(sim.nominations.get('uid-whole')).toBe('frac-0');
    expect(sim.events.find((e) => e.reason === 'TesseraPreempting')?.message).toMatch(/evicting 2 lower-priority pods on node "frac-0"/);
    const after = await filter(pod, ['frac-0', 'mig-0']);
    expect(after.NodeNames).toEqual(['frac-0']);
    expect(((await t.post('/scheduler/bind', bindArgs(pod as never, 'frac-0'))).json as { Error: string }).Error).toBe('');
  });

  it('does not preempt for preemptionPolicy Never or without lower priorities, and stops at a PodDisruptionBudget refusal', async () => {
    const timers = new ManualTimers();
    const sim = await fragmented(timers);
    const never = kubePod({ name: 'never', uid: 'uid-never', priority: 50, requests: { 'nvidia.com/gpu': '1' } });
    (never.spec as Record<string, unknown>).preemptionPolicy = 'Never';
    const low = kubePod({ name: 'low', uid: 'uid-low', priority: 1, requests: { 'nvidia.com/gpu': '1' } });
    for (const p of [never, low]) {
      sim.addPendingPod(p);
      await filter(p, ['frac-0']);
    }
    timers.advance(10_000);
    await settle();
    expect(sim.evicted).toEqual([]);
    // Every pod guarded: Tessera never picks a victim the Eviction API would refuse.
    sim.setDisruptionBudgets([{ namespace: 'default', name: 'all', selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, disruptionsAllowed: 0, disruptedPods: [] }]);
    const urgent = kubePod({ name: 'urgent', uid: 'uid-urgent', priority: 50, requests: { 'nvidia.com/gpu': '1' } });
    sim.addPendingPod(urgent);
    await filter(urgent, ['frac-0']);
    timers.advance(10_000);
    await settle();
    expect(sim.evicted).toEqual([]);
    expect(t.server.cache.hasHolds('uid-urgent')).toBe(false);
  });
});

describe('Tessera\'s own preemption when things change under it', () => {
  it('stops at a refused eviction: frees the hold, clears the nomination, and says why', async () => {
    const timers = new ManualTimers();
    const sim = await fragmented(timers);
    const pod = kubePod({ name: 'whole', uid: 'uid-whole', priority: 50, requests: { 'nvidia.com/gpu': '1' } });
    sim.addPendingPod(pod);
    await filter(pod, ['frac-0']);
    sim.failNextEviction('HTTP 429: Cannot evict pod as it would violate the pod\'s disruption budget');
    timers.advance(1_500);
    await waitUntil(() => sim.events.some((e) => e.reason === 'TesseraPreemptionFailed'));
    expect(sim.evicted).toEqual([]);
    expect(t.server.cache.hasHolds('uid-whole')).toBe(false);
    expect(sim.nominations.has('uid-whole')).toBe(false);
    expect(sim.events.find((e) => e.reason === 'TesseraPreemptionFailed')?.message).toMatch(/cannot evict default\/h\d on node "frac-0" for pod "default\/whole": HTTP 429/);
  });

  it('keeps trying while kube-scheduler asked about a pod the watch has not shown yet, then preempts for it', async () => {
    const timers = new ManualTimers();
    const sim = await fullWhole(timers);
    const late = kubePod({ name: 'late', uid: 'uid-late', priority: 50, requests: { 'nvidia.com/gpu': '1' } });
    // Filter is asked before the pod's watch event arrived.
    await filter(late, ['whole-0']);
    timers.advance(1_500);
    await settle();
    expect(sim.evicted).toEqual([]);
    sim.addPendingPod(late);
    timers.advance(5_000);
    await waitUntil(() => sim.evicted.length === 1);
    expect(sim.nominations.get('uid-late')).toBe('whole-0');
  });

  it('gives up on a pod the watch never shows, after unseenMs', async () => {
    const timers = new ManualTimers();
    const sim = await fullWhole(timers);
    await filter(kubePod({ name: 'ghost', uid: 'uid-ghost', priority: 50, requests: { 'nvidia.com/gpu': '1' } }), ['whole-0']);
    for (let i = 0; i < 8; i += 1) {
      timers.advance(5_000);
      await settle();
    }
    expect(timers.pending).toBe(0);
    expect(sim.evicted).toEqual([]);
  });

  it('an eviction that never answers fails after apiTimeoutMs and does not stall the next preemptor', async () => {
    const timers = new ManualTimers();
    const sim = await fullWhole(timers);
    const evict = sim.evictPod.bind(sim);
    let hung = 0;
    sim.evictPod = (victim, by) => {
      if (hung === 0) {
        hung += 1;
        return new Promise<void>(() => undefined);
      }
      return evict(victim, by);
    };
    const first = kubePod({ name: 'first', uid: 'uid-first', priority: 50, requests: { 'nvidia.com/gpu': '1' } });
    const second = kubePod({ name: 'second', uid: 'uid-second', priority: 60, requests: { 'nvidia.com/gpu': '1' } });
    for (const p of [first, second]) {
      sim.addPendingPod(p);
      await filter(p, ['whole-0']);
    }
    timers.advance(1_500);
    await settle();
    expect(hung).toBe(1);
    expect(sim.evicted).toEqual([]);
    timers.advance(30_000);
    await waitUntil(() => sim.evicted.length === 1);
    expect(sim.events.find((e) => e.reason === 'TesseraPreemptionFailed')?.message).toMatch(/no answer within 30000 ms/);
    expect(t.server.cache.hasHolds('uid-first')).toBe(false);
    expect(sim.nominations.get('uid-second')).toBe('whole-0');
  });

  it('does nothing for a preemptor that was deleted or bound during the grace period', async () => {
    const timers = new ManualTimers();
    const sim = await fullWhole(timers);
    const gone = kubePod({ name: 'gone', uid: 'uid-gone', priority: 50, requests: { 'nvidia.com/gpu': '1' } });
    sim.addPendingPod(gone);
    await filter(gone, ['whole-0']);
    t.server.cache.deletePod('uid-gone');
    timers.advance(5_000);
    await settle();
    expect(sim.evicted).toEqual([]);
    expect(t.server.cache.allHolds()).toEqual([]);
  });
});

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise((r) => setImmediate(r));
}

async function waitUntil(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
}
