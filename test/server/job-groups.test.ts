/**
 * All-or-nothing job groups over real HTTP and the simulated cluster: filter refuses members of groups that cannot
 * assemble, bind holds places for the whole group at the first member and waits (bounded) until N members hold
 * devices, and two groups that cannot both fit never split the room.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FleetSchema } from '../../src/sim/simulated-cluster-fleet.js';
import type { SimulatedCluster } from '../../src/sim/simulated-cluster.js';
import { startTestServer, type TestServer } from './harness.js';
import { bindArgs, kubePod, namesArgs } from './kube-fixtures.js';
import { ManualTimers } from './manual-timers.js';

/** Two exclusive 8-GPU H100 nodes in one zone. */
const FLEET = FleetSchema.parse({
  apiVersion: 'tessera.io/v1alpha1', kind: 'SimulatedFleet',
  pools: [{ name: 'h', count: 2, gpuProduct: 'NVIDIA-H100-80GB-HBM3', gpuCount: 8, topologyPreset: 'hgx-h100-8x-sxm', sharing: 'exclusive' }],
});
const NODES = ['h-0', 'h-1'];

interface FilterResult { NodeNames: string[] | null; FailedNodes: Record<string, string>; FailedAndUnresolvableNodes: Record<string, string> }

let t: TestServer;
let sim: SimulatedCluster;
let timers: ManualTimers;
afterEach(async () => {
  await t.close();
});

async function start(): Promise<void> {
  timers = new ManualTimers();
  t = await startTestServer({ fleet: FLEET, timers });
  if (t.sim === null) throw new Error('no simulated cluster');
  sim = t.sim;
}

const member = (group: string, i: number, gpus: number, min: number, extra: Record<string, string> = {}) =>
  kubePod({ name: `${group}-${i}`, uid: `uid-${group}-${i}`, requests: { 'nvidia.com/gpu': String(gpus) }, annotations: { 'tessera.io/group': group, 'tessera.io/group-min-size': String(min), ...extra } });
const filter = async (pod: object, nodes = NODES): Promise<FilterResult> => (await t.post('/scheduler/filter', namesArgs(pod, nodes))).json as FilterResult;
const bind = (pod: object, node: string): Promise<string> => t.post('/scheduler/bind', bindArgs(pod as never, node)).then((r) => (r.json as { Error: string }).Error);

/** Filters then binds each pod on the first node filter passes, all binds in flight together. */
async function schedule(pods: readonly Record<string, unknown>[]): Promise<Promise<string>[]> {
  const binds: Promise<string>[] = [];
  for (const p of pods) {
    const f = await filter(p);
    const node = f.NodeNames?.[0];
    binds.push(node === undefined ? Promise.resolve(`no node: ${JSON.stringify(f.FailedAndUnresolvableNodes)}`) : bind(p, node));
    await new Promise((r) => setImmediate(r));
  }
  return binds;
}

describe('all-or-nothing job groups', () => {
  it('refuses every node while fewer than N pods of the group exist, saying so', async () => {
    await start();
    const pods = [0, 1, 2].map((i) => member('train', i, 2, 4));
    for (const p of pods) sim.addPendingPod(p);
    const f = await filter(pods[0] as object);
    expect(f.NodeNames).toEqual([]);
    expect(f.FailedAndUnresolvableNodes['h-0']).toBe('job group "default/train" has 3 of 4 pods (tessera.io/group-min-size): none is bound until 4 exist');
    expect(sim.events.some((e) => e.reason === 'TesseraUnschedulable' && e.message.includes('has 3 of 4 pods'))).toBe(true);
  });

  it('binds nobody until all N members hold devices, then everybody', async () => {
    await start();
    const pods = [0, 1, 2, 3].map((i) => member('train', i, 4, 4));
    for (const p of pods) sim.addPendingPod(p);
    const outcomes: (string | null)[] = [null, null, null, null];
    const binds = await schedule(pods.slice(0, 3));
    binds.forEach((b, i) => void b.then((e) => { outcomes[i] = e; }));
    await new Promise((r) => setTimeout(r, 50));
    // Three members wait in bind, devices assumed; nothing is bound in the cluster yet.
    expect(outcomes).toEqual([null, null, null, null]);
    expect(sim.boundPods()).toHaveLength(0);
    expect(t.server.cache.allHolds().map((h) => h.forPod.uid)).toEqual(['uid-train-3']);
    // Any other pod sees the held place as taken.
    const other = kubePod({ name: 'other', uid: 'uid-other', requests: { 'nvidia.com/gpu': '4' } });
    expect((await filter(other)).NodeNames).toEqual([]);
    const last = await schedule(pods.slice(3));
    expect(await Promise.all([...binds, ...last])).toEqual(['', '', '', '']);
    expect(sim.boundPods()).toHaveLength(4);
    expect(t.server.cache.allHolds()).toEqual([]);
  });

  it('releases every member and every held place when the group does not assemble within the wait', async () => {
    await start();
    const pods = [0, 1, 2, 3].map((i) => member('train', i, 4, 4));
    for (const p of pods) sim.addPendingPod(p);
    const binds = await schedule(pods.slice(0, 2));
    await new Promise((r) => setTimeout(r, 50));
    expect(t.server.cache.allHolds()).toHaveLength(2);
    timers.advance(8_000);
    const errors = await Promise.all(binds);
    for (const e of errors) expect(e).toMatch(/job group "default\/train" did not assemble within 8 s: 2 of 4 pods reached bind/);
    expect(t.server.cache.allHolds()).toEqual([]);
    expect(t.server.cache.stats().assumedPods).toBe(0);
    expect(sim.boundPods()).toHaveLength(0);
    expect(t.server.cache.snapshot().nodes.get('h-0')?.freeWholeCount).toBe(8);
  });

  it('lets exactly one of two groups that cannot both fit take the room; the other stays pending with the reason', async () => {
    await start();
    const a = [0, 1, 2, 3].map((i) => member('alpha', i, 4, 4));
    const b = [0, 1, 2, 3].map((i) => member('beta', i, 4, 4));
    for (const p of [...a, ...b]) sim.addPendingPod(p);
    // Both first members pass filter (each group alone fits), then race to bind.
    const [fa, fb] = [await filter(a[0] as object), await filter(b[0] as object)];
    const first = [bind(a[0] as object, fa.NodeNames?.[0] ?? ''), bind(b[0] as object, fb.NodeNames?.[0] ?? '')];
    await new Promise((r) => setTimeout(r, 20));
    // beta-0 finds its node taken by alpha's places (held the moment alpha-0 bound).
    expect(await first[1]).toMatch(/cannot bind pod "default\/beta-0" to node "h-\d": the node no longer fits the pod/);
    // Interleaved: alpha's members find their held places, beta's find nothing.
    const rest: Promise<string>[] = [];
    for (let i = 1; i < 4; i += 1) {
      rest.push(...await schedule([a[i] as Record<string, unknown>]));
      const fbi = await filter(b[i] as object);
      expect(fbi.NodeNames).toEqual([]);
      expect(Object.values(fbi.FailedAndUnresolvableNodes)[0]).toMatch(/job group "default\/beta": 4 pods do not fit together/);
    }
    expect(await Promise.all([first[0], ...rest])).toEqual(['', '', '', '']);
    expect(sim.boundPods().map((p) => p.metadata?.name).sort()).toEqual(['alpha-0', 'alpha-1', 'alpha-2', 'alpha-3']);
  });

  it('refuses the first bind of a group whose other members no longer fit, and frees its devices', async () => {
    await start();
    const a = [0, 1, 2].map((i) => member('alpha', i, 4, 3));
    const b = [0, 1, 2].map((i) => member('beta', i, 4, 3));
    for (const p of [...a, ...b]) sim.addPendingPod(p);
    const fb = await filter(b[0] as object);
    const alphaBinds = await schedule([a[0] as Record<string, unknown>]);
    await new Promise((r) => setTimeout(r, 20));
    // 4 GPUs are left: beta-0 fits there alone, but its two others cannot.
    const free = NODES.find((n) => (t.server.cache.snapshot().nodes.get(n)?.freeWholeCount ?? 0) === 4) ?? '';
    expect(fb.NodeNames).toContain(free);
    expect(await bind(b[0] as object, free)).toBe('cannot bind pod "default/beta-0" to node "' + free + '": job group "default/beta": 2 pods do not fit together in the cluster: at most 0 can be placed besides the 1 placed');
    expect(t.server.cache.pod('uid-beta-0')).toBeUndefined();
    expect(t.server.cache.snapshot().nodes.get(free)?.freeWholeCount).toBe(4);
    alphaBinds.push(...await schedule(a.slice(1)));
    expect(await Promise.all(alphaBinds)).toEqual(['', '', '']);
  });

  it('keeps a group in one domain when it asks for a locality', async () => {
    await start();
    // Four 4-GPU members need both nodes; locality "node" cannot hold them.
    const pods = [0, 1, 2, 3].map((i) => member('tight', i, 4, 4, { 'tessera.io/group-locality': 'node' }));
    for (const p of pods) sim.addPendingPod(p);
    const f = await filter(pods[0] as object);
    expect(f.FailedAndUnresolvableNodes['h-0']).toBe('job group "default/tight": 4 pods do not fit together in one node: at most 2 can be placed');
  });

  it('answers a clear error for a bad group annotation and changes nothing', async () => {
    await start();
    const bad = kubePod({ name: 'bad', uid: 'uid-bad', requests: { 'nvidia.com/gpu': '1' }, annotations: { 'tessera.io/group': 'g', 'tessera.io/group-min-size': 'lots' } });
    const f = await filter(bad);
    expect(f.FailedAndUnresolvableNodes['h-0']).toMatch(/tessera.io\/group-min-size.*"lots".*expected an integer from 1 to 10000/);
    expect(await bind(bad, 'h-0')).toMatch(/expected an integer from 1 to 10000/);
    expect(t.server.cache.stats().assumedPods).toBe(0);
  });
});

describe('all-or-nothing job groups with full Node objects (nodeCacheCapable: false)', () => {
  it('refuses every node of the body for a member of an incomplete group', async () => {
    await start();
    const pods = [0, 1].map((i) => member('train', i, 2, 4));
    for (const p of pods) sim.addPendingPod(p);
    const r = (await t.post('/scheduler/filter', { Pod: pods[0], Nodes: { metadata: {}, items: sim.nodeObjects() }, NodeNames: null })).json as {
      Nodes: { items: unknown[] }; FailedAndUnresolvableNodes: Record<string, string>;
    };
    expect(r.Nodes.items).toEqual([]);
    expect(Object.keys(r.FailedAndUnresolvableNodes).sort()).toEqual(NODES);
    expect(r.FailedAndUnresolvableNodes['h-1']).toMatch(/has 2 of 4 pods/);
  });
});
