import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterSink, ClusterSource, PodBinding } from '../../src/cluster/cache/cluster-source.js';
import { fleetNodes, FleetSchema } from '../../src/sim/simulated-cluster-fleet.js';
import { bindArgs, kubePod, namesArgs } from './kube-fixtures.js';
import { startTestServer, type TestServer } from './harness.js';

/** One node with 8 exclusive H100s. */
const ONE_NODE = FleetSchema.parse({
  apiVersion: 'tessera.io/v1alpha1', kind: 'SimulatedFleet',
  pools: [{ name: 'solo', count: 1, gpuProduct: 'NVIDIA-H100-80GB-HBM3', gpuCount: 8, topologyPreset: 'hgx-h100-8x-sxm', hourlyPrice: 98 }],
});

interface FilterResult { NodeNames: string[]; FailedNodes: Record<string, string> }

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const onePod = (i: number): Record<string, unknown> => kubePod({ name: `w-${i}`, uid: `uid-w-${i}`, requests: { 'nvidia.com/gpu': '1' } });

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('concurrent binds', () => {
  it('give 12 racing 1-GPU binds on an 8-GPU node exactly 8 distinct GPUs and 4 clean errors', async () => {
    t = await startTestServer({ fleet: ONE_NODE, sim: { bindDelayMs: 30 } });
    const srv = t;
    const pods = Array.from({ length: 12 }, (_, i) => onePod(i));
    for (const pod of pods) {
      const f = (await srv.post('/scheduler/filter', namesArgs(pod, ['solo-0']))).json as FilterResult;
      expect(f.NodeNames).toEqual(['solo-0']);
    }
    const replies = await Promise.all(pods.map((pod) => srv.post('/scheduler/bind', bindArgs(pod as never, 'solo-0'))));
    const errors = replies.map((r) => (r.json as { Error: string }).Error);
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(errors.filter((e) => e === '')).toHaveLength(8);
    const refused = errors.filter((e) => e !== '');
    expect(refused).toHaveLength(4);
    for (const e of refused) expect(e).toMatch(/cannot bind pod "default\/w-\d+" to node "solo-0"/);
    const gpus = srv.server.cache.podsOn('solo-0').flatMap((p) => (p.allocation?.devices ?? []).map((d) => d.gpuIndex));
    expect(gpus.sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const metrics = (await srv.get('/metrics')).text;
    expect(metrics).toMatch(/^tessera_bind_conflicts_total 4$/m);
  });

  it('makes filter see devices held by binds still in flight', async () => {
    t = await startTestServer({ fleet: ONE_NODE, sim: { bindDelayMs: 300 } });
    const srv = t;
    const pods = Array.from({ length: 8 }, (_, i) => onePod(i));
    for (const pod of pods) await srv.post('/scheduler/filter', namesArgs(pod, ['solo-0']));
    const inFlight = Promise.all(pods.map((pod) => srv.post('/scheduler/bind', bindArgs(pod as never, 'solo-0'))));
    await until(() => srv.server.cache.stats().assumedPods === 8, '8 assumed pods');
    const late = (await srv.post('/scheduler/filter', namesArgs(onePod(99), ['solo-0']))).json as FilterResult;
    expect(late.NodeNames).toEqual([]);
    expect(late.FailedNodes['solo-0']).toMatch(/\S/);
    expect((await srv.get('/metrics')).text).toMatch(/^tessera_assumed_pods 8$/m);
    const done = await inFlight;
    expect(done.map((r) => (r.json as { Error: string }).Error)).toEqual(Array(8).fill(''));
    expect(srv.server.cache.podsOn('solo-0').every((p) => p.phase === 'bound')).toBe(true);
  });
});

/** A source whose binds succeed but whose watch never reports the pod back (a lost informer event). */
class SilentSource implements ClusterSource {
  readonly kind = 'silent';
  readonly bound: PodBinding[] = [];
  async start(sink: ClusterSink): Promise<void> {
    for (const node of fleetNodes(ONE_NODE)) sink.upsertNode(node);
    sink.markSynced();
  }
  async bind(b: PodBinding): Promise<void> {
    this.bound.push(b);
  }
  async stop(): Promise<void> {}
}

describe('assume TTL', () => {
  it('expires an assumption the cluster never confirms, freeing its devices', async () => {
    let now = 1_000_000;
    const source = new SilentSource();
    t = await startTestServer({ source, now: () => now, config: { assumeTtlSeconds: 30 } });
    const srv = t;
    const big = kubePod({ name: 'all8', uid: 'uid-all8', requests: { 'nvidia.com/gpu': '8' } });
    await srv.post('/scheduler/filter', namesArgs(big, ['solo-0']));
    expect((await srv.post('/scheduler/bind', bindArgs(big as never, 'solo-0'))).json).toEqual({ Error: '' });
    expect(source.bound).toHaveLength(1);
    const pod = onePod(1);
    now += 29_000;
    expect(((await srv.post('/scheduler/filter', namesArgs(pod, ['solo-0']))).json as FilterResult).NodeNames).toEqual([]);
    now += 2_000;
    expect(((await srv.post('/scheduler/filter', namesArgs(pod, ['solo-0']))).json as FilterResult).NodeNames).toEqual(['solo-0']);
    expect(srv.server.cache.pod('uid-all8')).toBeUndefined();
    expect((await srv.get('/metrics')).text).toMatch(/^tessera_assume_expired_total 1$/m);
  });
});
