/**
 * kube-scheduler's own extender client (bench/kube-extender-client, scheduler.NewHTTPExtender from
 * k8s.io/kubernetes v1.35.4, configured from deploy/scheduler-config.yaml) against a real Tessera server on a
 * loopback port over the simulated cluster: filter, prioritize and bind as kube-scheduler calls them. The first run
 * builds the Go program (a few seconds with the e2e Go caches, minutes without); later runs reuse the binary.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FLEET, fleetNodes } from '../../src/sim/simulated-cluster-fleet.js';
import {
  buildKubeExtenderClient,
  type KubeExtenderClient,
  startKubeExtenderClient,
} from '../../bench/kube-extender-client/kube-extender-client.js';
import { startTestServer, type TestServer } from '../server/harness.js';
import { kubePod } from '../server/kube-fixtures.js';

const goOnPath = spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
const nodes = fleetNodes(DEFAULT_FLEET);
const names = new Set(nodes.map((n) => n.metadata?.name as string));

let binary = '';
let t: TestServer | null = null;
let client: KubeExtenderClient | null = null;

const gpuPod = (uid: string, requests: Record<string, string>): Record<string, unknown> => kubePod({ name: uid, uid, requests });

describe("kube-scheduler's HTTPExtender against Tessera", () => {
  beforeAll(async () => {
    // Go builds kube-scheduler's client; a machine without it must fail here, loudly, not skip.
    if (!goOnPath) throw new Error('"go" is not on PATH: this test builds kube-scheduler\'s extender client from the Go module proxy');
    binary = buildKubeExtenderClient();
    t = await startTestServer({ fleet: DEFAULT_FLEET });
    client = await startKubeExtenderClient({ binary, urlPrefix: `${t.url}/scheduler`, nodes });
  }, 10 * 60_000);

  afterAll(async () => {
    await client?.close();
    await t?.close();
  });

  it('loads the extender entry of deploy/scheduler-config.yaml through kube-scheduler\'s config decoder', () => {
    expect(client?.ready).toEqual({
      nodes: nodes.length, urlPrefix: `${t?.url}/scheduler`, nodeCacheCapable: true, weight: 20, httpTimeoutNs: 10e9,
    });
  });

  it.each<[string, string, Record<string, string>]>([
    ['one whole GPU', 'gpu1', { 'nvidia.com/gpu': '1' }],
    ['two whole GPUs', 'gpu2', { 'nvidia.com/gpu': '2' }],
    ['a fraction of one GPU', 'frac', { 'tessera.io/gpu-memory': '8192', 'tessera.io/gpu-compute': '250' }],
  ])('filters, prioritizes and binds a pod asking for %s to a fleet node the cache then holds it on', async (_what, id, requests) => {
    const srv = t as TestServer;
    for (let i = 0; i < 4; i += 1) {
      const uid = `kx-${id}-${i}`;
      const r = await (client as KubeExtenderClient).pair(gpuPod(uid, requests));
      expect(r.error).toBe('');
      expect(r.feasible).toBeGreaterThan(0);
      expect(r.feasible).toBeLessThanOrEqual(nodes.length);
      expect(r.prioritized).toBe(r.feasible > 1);
      expect(names.has(r.host)).toBe(true);
      expect(r.bindError).toBe('');
      expect(r.elapsedNs).toBeGreaterThanOrEqual(r.filterNs);
      expect(srv.server.cache.pod(uid)?.node).toBe(r.host);
      expect(srv.sim?.boundPods().find((p) => p.metadata?.uid === uid)?.spec?.nodeName).toBe(r.host);
    }
  });

  it('sends NodeNames in the layout Tessera reads from the bytes: no list was parsed whole', async () => {
    const metrics = (await (t as TestServer).get('/metrics')).text;
    const count = (read: string): number => Number(new RegExp(`^tessera_node_name_lists_total\\{read="${read}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
    expect(count('bytes') + count('recent')).toBeGreaterThan(0);
    expect(count('recent')).toBeGreaterThan(0);
    expect(count('parsed')).toBe(0);
  });

  it('sends a pod without GPUs to Tessera too (deploy/ lists no managedResources, so IsInterested is always true)', async () => {
    const r = await (client as KubeExtenderClient).pair(kubePod({ name: 'cpu-only', uid: 'cpu-only', requests: { cpu: '2' } }));
    expect(r.error).toBe('');
    expect(names.has(r.host)).toBe(true);
    expect(t?.server.cache.pod('cpu-only')?.allocation).toMatchObject({ devices: [], cpuMilli: 2000 });
  });

  it('gets no feasible node and binds nothing for a pod larger than every node', async () => {
    const r = await (client as KubeExtenderClient).pair(gpuPod('kx-too-big', { 'nvidia.com/gpu': '64' }));
    expect(r).toMatchObject({ feasible: 0, prioritized: false, host: '', error: 'no feasible node' });
    expect(t?.server.cache.pod('kx-too-big')).toBeUndefined();
  });

  it('reports the extender\'s bind error as Bind returns it', async () => {
    t?.sim?.failNextBind('injected bind failure');
    const r = await (client as KubeExtenderClient).pair(gpuPod('kx-bind-fails', { 'nvidia.com/gpu': '1' }));
    expect(names.has(r.host)).toBe(true);
    expect(r.bindError).toMatch(/injected bind failure/);
    expect(t?.server.cache.pod('kx-bind-fails')).toBeUndefined();
  });

  it('sends full v1.Node bodies when nodeCacheCapable is overridden to false, and still binds', async () => {
    const full = await startKubeExtenderClient({ binary, urlPrefix: `${t?.url}/scheduler`, nodes, nodeCacheCapable: false });
    try {
      expect(full.ready.nodeCacheCapable).toBe(false);
      const r = await full.pair(gpuPod('kx-full', { 'nvidia.com/gpu': '1' }));
      expect(r.error).toBe('');
      expect(r.feasible).toBeGreaterThan(0);
      expect(names.has(r.host)).toBe(true);
      expect(r.bindError).toBe('');
      expect(t?.server.cache.pod('kx-full')?.node).toBe(r.host);
    } finally {
      await full.close();
    }
  });

  it('refuses a configuration without extenders with the decoder\'s reason', async () => {
    const bad = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';
    await expect(startKubeExtenderClient({ binary, urlPrefix: 'http://127.0.0.1:1/scheduler', nodes, config: bad }))
      .rejects.toThrow(/it has no extenders/);
  });
});
