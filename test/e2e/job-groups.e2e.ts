/**
 * All-or-nothing job groups and per-namespace GPU quota end to end, with a real kube-apiserver, etcd,
 * kube-scheduler 1.35.4 (deploy/'s configuration) and KWOK: a group of 8 pods is bound only once all 8 exist and
 * fit together, two groups that cannot both fit end with one bound and the other pending with an Event that says
 * why, and a ResourceQuota on Tessera's resources refuses a pod over quota at admission.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { applyObjects } from './harness/components.js';
import { allocationViolations, fleetNodeObject, gpuPod, type FleetNode } from './harness/gpu-fleet.js';
import { REPO_ROOT } from './harness/local-cluster.js';
import { waitFor } from './harness/managed-process.js';
import { OvercommitSampler } from './harness/preemption-check.js';
import { startTesseraStack, type TesseraStack } from './harness/tessera-stack.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const h100 = { product: 'NVIDIA-H100-80GB-HBM3', gpus: 8, gpuMemoryMiB: 81559, preset: 'hgx-h100-8x-sxm', nvlinkIslands: [range(8)], spot: false, hourlyPrice: 98.32, sharing: 'exclusive' };
const FLEET: FleetNode[] = [
  { name: 'h100-0', ...h100 },
  { name: 'h100-1', ...h100 },
  { name: 'frac-0', product: 'NVIDIA-A100-PCIE-80GB', gpus: 4, gpuMemoryMiB: 81920, preset: 'a100-pcie-4x-bridge-pairs', nvlinkIslands: [[0, 1], [2, 3]], spot: false, hourlyPrice: 16.4, sharing: null },
];
const NAMESPACES = ['e2e-group-one', 'e2e-group-race', 'e2e-quota'];

let stack: TesseraStack | null = null;
let sampler: OvercommitSampler | null = null;

beforeAll(async () => {
  stack = await startTesseraStack('group', FLEET.map(fleetNodeObject));
  await applyObjects(stack.kc, NAMESPACES.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
}, 30 * 60_000);

afterEach(async () => {
  const seen = await sampler?.stop();
  sampler = null;
  expect(seen?.violations ?? [], 'over-commit seen during the test').toEqual([]);
  if (stack === null) return;
  const core = stack.core;
  for (const namespace of NAMESPACES) {
    if ((await core.listNamespacedPod({ namespace })).items.length === 0) continue;
    await core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 });
    await waitFor(`pods of ${namespace} to be deleted`, async () => (await core.listNamespacedPod({ namespace })).items.length === 0, { timeoutMs: 120_000, intervalMs: 500 });
  }
}, 300_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

function s(): TesseraStack {
  if (stack === null) throw new Error('the stack did not start');
  return stack;
}

/** A member of job group `group` (minimum `min`) asking for `gpus` whole H100s. */
function member(ns: string, group: string, i: number, gpus: number, min: number): V1Pod {
  return gpuPod({
    name: `${group}-${String(i)}`, namespace: ns, resources: { 'nvidia.com/gpu': String(gpus) }, labels: { group },
    annotations: { 'tessera.io/group': group, 'tessera.io/group-min-size': String(min), 'tessera.io/gpu-model': 'H100' },
  });
}

const isBound = (p: V1Pod): boolean => (p.spec?.nodeName ?? '') !== '';
const listPods = async (ns: string): Promise<V1Pod[]> => (await s().core.listNamespacedPod({ namespace: ns })).items;
const tesseraEvents = async (ns: string, pod: string): Promise<string[]> =>
  (await s().core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${pod}` })).items
    .filter((e) => e.source?.component === 'tessera').map((e) => e.message ?? '');

function startSampling(): void {
  sampler = new OvercommitSampler(s().core, FLEET);
  sampler.start();
}

describe('all-or-nothing job groups with a real kube-scheduler', () => {
  it('binds a group of 8 pods all together, and none of them while only 7 exist', async () => {
    const ns = 'e2e-group-one';
    startSampling();
    const pods = range(8).map((i) => member(ns, 'train', i, 2, 8));
    for (const p of pods.slice(0, 7)) await s().core.createNamespacedPod({ namespace: ns, body: p });
    const event = await waitFor('an Event saying the group is incomplete', async () => {
      // The last member created is the first filtered while 7 exist.
      const messages = await tesseraEvents(ns, 'train-6');
      return messages.find((m) => m.includes('job group "e2e-group-one/train" has 7 of 8 pods')) ?? null;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    expect(event).toMatch(/none is bound until 8 exist/);
    expect((await listPods(ns)).filter(isBound)).toEqual([]);
    const lastCreated = Date.now();
    await s().core.createNamespacedPod({ namespace: ns, body: pods[7] as V1Pod });
    const bound = await waitFor('all 8 members bound', async () => {
      const list = await listPods(ns);
      return list.filter(isBound).length === 8 ? list : null;
    }, { timeoutMs: 180_000, intervalMs: 500 });
    console.log(`job group of 8: all bound ${String(Date.now() - lastCreated)} ms after the 8th pod was created`);
    expect(allocationViolations(FLEET, bound)).toEqual([]);
    // Bound together: every member's binding came in one assembly, within a few seconds of each other.
    const times = bound.map((p) => new Date(p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'True')?.lastTransitionTime as unknown as string).getTime());
    expect(Math.max(...times) - Math.min(...times)).toBeLessThanOrEqual(3_000);
    expect(new Set(bound.map((p) => p.spec?.nodeName))).toEqual(new Set(['h100-0', 'h100-1']));
  }, 10 * 60_000);

  it('lets one of two competing groups that cannot both fit bind fully; the other stays fully pending with an Event saying why', async () => {
    const ns = 'e2e-group-race';
    startSampling();
    // 16 H100 GPUs: either group (4 x 4 GPUs) fits alone, not both. Members arrive interleaved.
    for (const i of range(4)) {
      await s().core.createNamespacedPod({ namespace: ns, body: member(ns, 'alpha', i, 4, 4) });
      await s().core.createNamespacedPod({ namespace: ns, body: member(ns, 'beta', i, 4, 4) });
    }
    const raceStart = Date.now();
    const winner = await waitFor('one group fully bound', async () => {
      const bound = (await listPods(ns)).filter(isBound).map((p) => p.metadata?.labels?.group);
      for (const g of ['alpha', 'beta']) if (bound.filter((x) => x === g).length === 4) return g;
      return null;
    }, { timeoutMs: 180_000, intervalMs: 500 });
    console.log(`competing groups: ${winner} fully bound ${String(Date.now() - raceStart)} ms after the last pod was created`);
    const loser = winner === 'alpha' ? 'beta' : 'alpha';
    // Give the scheduler time to try the others again: nothing of the other group binds, none holds a GPU.
    await new Promise((r) => setTimeout(r, 10_000));
    const pods = await listPods(ns);
    expect(pods.filter((p) => p.metadata?.labels?.group === winner && isBound(p))).toHaveLength(4);
    expect(pods.filter((p) => p.metadata?.labels?.group === loser && isBound(p))).toEqual([]);
    for (const i of range(4)) {
      const messages = await waitFor(`a Tessera Event on ${loser}-${String(i)}`, async () => {
        const m = await tesseraEvents(ns, `${loser}-${String(i)}`);
        return m.length > 0 ? m : null;
      }, { timeoutMs: 60_000, intervalMs: 1_000 });
      expect(messages.join('\n')).toMatch(new RegExp(`job group "${ns}/${loser}"`));
    }
    const holds = (await (await fetch(`${s().tessera.opsUrl}/metrics`)).text()).split('\n').filter((l) => l.startsWith('tessera_device_holds{'));
    expect(holds.every((l) => l.endsWith(' 0')), holds.join('\n')).toBe(true);
  }, 10 * 60_000);
});

describe('per-namespace GPU quota', () => {
  it('refuses at admission a pod whose GPU memory share would pass the namespace\'s ResourceQuota (docs/examples/quota/gpu-quota.yaml)', async () => {
    const ns = 'e2e-quota';
    startSampling();
    const quota = parseYaml(readFileSync(join(REPO_ROOT, 'docs', 'examples', 'quota', 'gpu-quota.yaml'), 'utf8')) as { metadata: { namespace: string }; spec: { hard: Record<string, string> } };
    quota.metadata.namespace = ns;
    await applyObjects(s().kc, [quota as never]);
    // No kube-controller-manager runs in this suite: write the first status its quota controller would (hard
    // limits, nothing used yet). From then on the API server's admission counts every pod it admits.
    const current = await s().core.readNamespacedResourceQuota({ name: 'gpu-quota', namespace: ns });
    await s().core.replaceNamespacedResourceQuotaStatus({
      name: 'gpu-quota', namespace: ns,
      body: { ...current, status: { hard: quota.spec.hard, used: Object.fromEntries(Object.keys(quota.spec.hard).map((k) => [k, '0'])) } },
    });
    const share = (i: number): V1Pod => gpuPod({ name: `share-${String(i)}`, namespace: ns, resources: { 'tessera.io/gpu-memory': '10Gi' } });
    await s().core.createNamespacedPod({ namespace: ns, body: share(0) });
    await s().core.createNamespacedPod({ namespace: ns, body: share(1) });
    const refused = await s().core.createNamespacedPod({ namespace: ns, body: share(2) }).then(() => null, (err: unknown) => err);
    expect(refused).not.toBeNull();
    expect(String((refused as { body?: unknown }).body ?? refused)).toMatch(/exceeded quota: gpu-quota, requested: requests.tessera.io\/gpu-memory=10Gi, used: requests.tessera.io\/gpu-memory=20Gi, limited: requests.tessera.io\/gpu-memory=20Gi/);
    const bound = await waitFor('the two pods within quota bound', async () => {
      const list = await listPods(ns);
      return list.length === 2 && list.every(isBound) ? list : null;
    }, { timeoutMs: 120_000, intervalMs: 500 });
    expect(allocationViolations(FLEET, bound)).toEqual([]);
  }, 5 * 60_000);
});
