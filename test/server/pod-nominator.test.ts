import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterSink, ClusterSource, PodBinding, PodObject, PodRef } from '../../src/cluster/cache/cluster-source.js';
import { SimulatedCluster } from '../../src/sim/simulated-cluster.js';
import { DEFAULT_FLEET, fleetNodes } from '../../src/sim/simulated-cluster-fleet.js';
import { bindArgs, kubePod, namesArgs } from './kube-fixtures.js';
import { startTestServer, type TestServer } from './harness.js';

const ALL = [...[0, 1, 2, 3].map((i) => `h100-${i}`), ...[0, 1, 2, 3].map((i) => `a100-${i}`), ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `l4-${i}`)];

/** The simulated cluster plus what kube-apiserver does with nominations: records them, or refuses on demand. */
class NominatingCluster implements ClusterSource {
  readonly kind = 'test';
  readonly sim = new SimulatedCluster(fleetNodes(DEFAULT_FLEET));
  readonly nominated: { uid: string; node: string; resourceVersion: string }[] = [];
  readonly binds: PodBinding[] = [];
  refuse = 0;
  private sink: ClusterSink | null = null;

  async start(sink: ClusterSink): Promise<void> {
    this.sink = sink;
    await this.sim.start(sink);
  }

  async bind(binding: PodBinding): Promise<void> {
    this.binds.push(binding);
    await this.sim.bind(binding);
  }

  async nominate(pod: PodRef, node: string, resourceVersion: string): Promise<void> {
    if (this.refuse > 0) {
      this.refuse -= 1;
      throw new Error(`cannot nominate node "${node}" for pod "${pod.namespace}/${pod.name}": HTTP 409: the object has been modified`);
    }
    this.nominated.push({ uid: pod.uid, node, resourceVersion });
  }

  /** A pod the watch shows as created (pending). */
  arrive(pod: object): void {
    this.sink?.upsertPod(pod as PodObject);
  }

  stop(): Promise<void> {
    return this.sim.stop();
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

const shapes: Record<string, string>[] = [
  { 'nvidia.com/gpu': '1' },
  { 'tessera.io/gpu-memory': '10Gi', 'tessera.io/gpu-compute': '250' },
  { 'nvidia.com/gpu': '2' },
  { 'tessera.io/gpu-memory': '20Gi', 'tessera.io/gpu-compute': '500' },
];
const pod = (k: number, extra: { annotations?: Record<string, string> } = {}): Record<string, unknown> =>
  kubePod({ name: `n-${String(k)}`, uid: `uid-n-${String(k)}`, requests: shapes[k % shapes.length] ?? {}, annotations: { 'tessera.io/interruptible': 'true', ...extra.annotations } });

type FilterReply = { NodeNames: string[] | null; Error: string };

let servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
});

async function start(o: { nominate: boolean }): Promise<{ t: TestServer; cluster: NominatingCluster }> {
  const cluster = new NominatingCluster();
  const t = await startTestServer({ source: cluster, config: { filterAnswer: 'choice', nominateFor: o.nominate ? ['tessera-scheduler'] : [] } });
  servers.push(t);
  return { t, cluster };
}

describe('nominateFor: Tessera nominates a node for each new pending pod', () => {
  it('nominates pods in arrival order once a backlog exists, choosing what filter then bind would have, with the devices held', async () => {
    const { t, cluster } = await start({ nominate: true });
    const twin = await start({ nominate: false });
    // Four pods already pending: no backlog yet, so none of them is nominated (kube-scheduler takes them at once).
    for (let k = 0; k < 4; k += 1) {
      cluster.arrive(pod(100 + k));
      await settle();
      await twin.t.post('/scheduler/filter', namesArgs(pod(100 + k), ALL));
    }
    expect(cluster.nominated).toEqual([]);
    for (let k = 0; k < 20; k += 1) {
      cluster.arrive(pod(k));
      await settle();
      // The sequential model: kube-scheduler filters (choice) and binds each pod before the next arrives.
      const choice = ((await twin.t.post('/scheduler/filter', namesArgs(pod(k), ALL))).json as FilterReply).NodeNames ?? [];
      expect(choice).toHaveLength(1);
      await twin.t.post('/scheduler/bind', bindArgs(pod(k), choice[0] as string));
      expect(cluster.nominated[k]).toEqual({ uid: `uid-n-${String(k)}`, node: choice[0], resourceVersion: '4711' });
      const held = t.server.cache.pod(`uid-n-${String(k)}`);
      expect(held?.phase).toBe('nominated');
      expect(held?.annotation).toBe(twin.t.server.cache.pod(`uid-n-${String(k)}`)?.annotation);
    }
  });

  it('answers the nominated node alone to its pod, binds it there with the held devices, and binds elsewhere when kube-scheduler dropped that node', async () => {
    const { t, cluster } = await start({ nominate: true });
    for (let k = 0; k < 6; k += 1) cluster.arrive(pod(k));
    await settle();
    expect(cluster.nominated.map((n) => n.uid)).toEqual(['uid-n-4', 'uid-n-5']);
    const [a, b] = cluster.nominated as unknown as [{ uid: string; node: string }, { uid: string; node: string }];
    // kube-scheduler checks the nominated node first: one name, answered as is.
    const onlyA = (await t.post('/scheduler/filter', namesArgs(pod(4), [a.node]))).json as FilterReply;
    expect(onlyA.NodeNames).toEqual([a.node]);
    const heldA = t.server.cache.pod(a.uid)?.annotation;
    expect((await t.post('/scheduler/bind', bindArgs(pod(4), a.node))).json).toEqual({ Error: '' });
    expect(cluster.binds.at(-1)?.annotations['tessera.io/allocation']).toBe(heldA);
    expect(t.server.cache.pod(a.uid)?.phase).toBe('bound');
    // Its in-tree filters refused b's node: the candidates lack it, so the hold is dropped and filter judges afresh.
    const others = ALL.filter((n) => n !== b.node);
    const again = (await t.post('/scheduler/filter', namesArgs(pod(5), others))).json as FilterReply;
    expect(t.server.cache.pod(b.uid)).toBeUndefined();
    expect(again.NodeNames).toHaveLength(1);
    expect(again.NodeNames?.[0]).not.toBe(b.node);
    expect((await t.post('/scheduler/bind', bindArgs(pod(5), again.NodeNames?.[0] as string))).json).toEqual({ Error: '' });
    expect(t.server.cache.pod(b.uid)?.node).toBe(again.NodeNames?.[0]);
  });

  it('refuses a bind that names the nominated pod\'s UID under another pod, keeping the nomination; skips members of all-or-nothing groups', async () => {
    const { t, cluster } = await start({ nominate: true });
    for (let k = 0; k < 5; k += 1) cluster.arrive(pod(k));
    await settle();
    const [a] = cluster.nominated as unknown as [{ uid: string; node: string }];
    expect(a.uid).toBe('uid-n-4');
    const forged = { ...bindArgs(pod(4), a.node), PodName: 'someone-else' };
    const answer = (await t.post('/scheduler/bind', forged)).json as { Error: string };
    expect(answer.Error).toMatch(/^cannot bind pod "default\/someone-else": the pod does not match the cluster's: .*UID "uid-n-4" is pod "default\/n-4" in the cluster$/);
    expect(cluster.binds).toEqual([]);
    expect(t.server.cache.pod(a.uid)?.phase).toBe('nominated');
    expect((await t.post('/scheduler/bind', bindArgs(pod(4), a.node))).json).toEqual({ Error: '' });
    cluster.arrive(pod(5, { annotations: { 'tessera.io/group': 'train', 'tessera.io/group-min-size': '2' } }));
    await settle();
    expect(cluster.nominated.map((n) => n.uid)).toEqual(['uid-n-4']);
  });

  it('nominates a burst of arrivals one per turn of the event loop, in arrival order, so a verb request waits for one at most', async () => {
    const { cluster } = await start({ nominate: true });
    for (let k = 0; k < 4; k += 1) cluster.arrive(pod(200 + k));
    await settle();
    // Twelve arrivals in one read of the watch, as a burst of creations brings them.
    for (let k = 0; k < 12; k += 1) cluster.arrive(pod(k));
    const seenPerTurn: number[] = [];
    for (let turn = 0; turn < 30 && cluster.nominated.length < 12; turn += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      seenPerTurn.push(cluster.nominated.length);
    }
    expect(cluster.nominated.map((n) => n.uid)).toEqual(Array.from({ length: 12 }, (_, k) => `uid-n-${String(k)}`));
    // Never more than one new nomination between two turns: the burst is spread over the loop.
    for (let i = 1; i < seenPerTurn.length; i += 1) expect((seenPerTurn[i] as number) - (seenPerTurn[i - 1] as number)).toBeLessThanOrEqual(1);
    expect(seenPerTurn.length).toBeGreaterThanOrEqual(12);
  });

  it('gives the devices back when the write is refused, and never nominates pods with soft preferences, of other schedulers, or already nominated', async () => {
    const { t, cluster } = await start({ nominate: true });
    for (let k = 0; k < 4; k += 1) cluster.arrive(pod(k));
    await settle();
    cluster.refuse = 1;
    cluster.arrive(pod(4));
    await settle();
    expect(cluster.nominated).toEqual([]);
    expect(t.server.cache.pod('uid-n-4')).toBeUndefined();
    const other = pod(5);
    (other['spec'] as Record<string, unknown>)['schedulerName'] = 'default-scheduler';
    const soft = pod(6);
    (soft['spec'] as Record<string, unknown>)['affinity'] = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname' } }] } };
    const preempting = pod(7);
    (preempting['status'] as Record<string, unknown>)['nominatedNodeName'] = 'h100-0';
    for (const p of [other, soft, preempting]) cluster.arrive(p);
    await settle();
    expect(cluster.nominated).toEqual([]);
    cluster.arrive(pod(8));
    await settle();
    expect(cluster.nominated.map((n) => n.uid)).toEqual(['uid-n-8']);
  });
});
