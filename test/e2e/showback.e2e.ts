/**
 * Showback end to end with a real kube-apiserver and kube-scheduler: the bind time Tessera counts from is the
 * `PodScheduled` condition the API server writes when Tessera's bind creates the pods/binding subresource, so a
 * restarted Tessera (a new process that lists the cluster afresh) still counts each pod's GPU-hours from its bind.
 */
import { join } from 'node:path';
import { CoordinationV1Api, CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyObjects, EXTENDER_SERVICE_ACCOUNT, kustomizeObjects, SCHEDULER_NAMESPACE, SCHEDULER_SERVICE_ACCOUNT, serviceAccountToken, startKubeScheduler,
  startKwok, type TesseraRunner, tesseraRunner,
} from './harness/components.js';
import { makeExtenderPki } from './harness/extender-pki.js';
import { fleetNodeObject, gpuPod, mixedFleet } from './harness/gpu-fleet.js';
import { ensureBinaries, type LocalCluster, REPO_ROOT, startLocalCluster } from './harness/local-cluster.js';
import { type ManagedProcess, waitFor } from './harness/managed-process.js';

const fleet = mixedFleet();
const NS = 'e2e-showback';

let cluster: LocalCluster | null = null;
let kwok: ManagedProcess | null = null;
let scheduler: ManagedProcess | null = null;
let tessera: TesseraRunner | null = null;
let kc: KubeConfig;
let core: CoreV1Api;

interface PodRow { namespace: string; pod: string; uid: string; node: string; gpuHours: number; cost: number; gpuEquivalentsNow: number }

async function showbackByPod(from: number, to: number): Promise<Map<string, PodRow>> {
  const res = await fetch(`${tessera?.opsUrl ?? ''}/api/v1/showback?by=pod&from=${from / 1000}&to=${to / 1000}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { items: PodRow[] };
  return new Map(body.items.filter((i) => i.namespace === NS).map((i) => [i.pod, i]));
}

/** The pod's PodScheduled=True lastTransitionTime (ms), as the API server wrote it at the binding. */
function boundAt(pod: V1Pod): number {
  const c = pod.status?.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'True');
  expect(c?.lastTransitionTime, `${pod.metadata?.name ?? ''} has a PodScheduled=True condition`).toBeDefined();
  return new Date(c?.lastTransitionTime as unknown as string).getTime();
}

beforeAll(async () => {
  const binDir = await ensureBinaries();
  cluster = await startLocalCluster(binDir, 'showback');
  kc = cluster.kubeConfig;
  core = kc.makeApiClient(CoreV1Api);
  kwok = await startKwok(binDir, cluster);
  await applyObjects(kc, kustomizeObjects(join(REPO_ROOT, 'deploy')));
  const saKubeconfig = cluster.writeKubeconfig('tessera-scheduler', await serviceAccountToken(kc, SCHEDULER_NAMESPACE, SCHEDULER_SERVICE_ACCOUNT));
  const extenderKubeconfig = cluster.writeKubeconfig('tessera-extender', await serviceAccountToken(kc, SCHEDULER_NAMESPACE, EXTENDER_SERVICE_ACCOUNT));
  await applyObjects(kc, fleet.map(fleetNodeObject));
  await waitFor('KWOK to make every fleet node Ready', async () => {
    const nodes = (await core.listNode()).items;
    return nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === fleet.length;
  }, { timeoutMs: 120_000, intervalMs: 1_000, process: kwok });
  const pki = makeExtenderPki(join(cluster.dir, 'extender-pki'));
  tessera = await tesseraRunner(cluster, extenderKubeconfig, pki);
  await tessera.start();
  scheduler = await startKubeScheduler(binDir, cluster, saKubeconfig, tessera.port, { pki });
  const coordination = kc.makeApiClient(CoordinationV1Api);
  await waitFor('kube-scheduler to hold the tessera-scheduler lease', async () =>
    ((await coordination.readNamespacedLease({ name: 'tessera-scheduler', namespace: SCHEDULER_NAMESPACE })).spec?.holderIdentity ?? '') !== '',
  { timeoutMs: 120_000, intervalMs: 1_000, process: scheduler });
  await applyObjects(kc, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }]);
}, 90 * 60_000);

afterAll(async () => {
  await scheduler?.stop();
  await tessera?.stop();
  await kwok?.stop();
  await cluster?.stop();
}, 120_000);

describe('showback with a real kube-apiserver', () => {
  it('counts each pod from the PodScheduled time the API server wrote, also after Tessera restarts', async () => {
    const expectedEq: Record<string, number> = { whole: 1, share: 0.25, mig: 0.5 };
    const pods = [
      gpuPod({ name: 'whole', namespace: NS, resources: { 'nvidia.com/gpu': '1' } }),
      gpuPod({ name: 'share', namespace: NS, resources: { 'tessera.io/gpu-memory': '20Gi', 'tessera.io/gpu-compute': '250' } }),
      gpuPod({ name: 'mig', namespace: NS, resources: { 'tessera.io/mig-3g.40gb': '1' } }),
    ];
    for (const p of pods) await core.createNamespacedPod({ namespace: NS, body: p });
    const bound = await waitFor('the three pods to be bound', async () => {
      const list = (await core.listNamespacedPod({ namespace: NS })).items;
      if (list.filter((p) => (p.spec?.nodeName ?? '') !== '').length !== 3) throw new Error('not yet');
      return list;
    }, { timeoutMs: 180_000, intervalMs: 1_000 });
    const start = new Map(bound.map((p) => [p.metadata?.name ?? '', boundAt(p)]));
    const nodeOf = new Map(bound.map((p) => [p.metadata?.name ?? '', p.spec?.nodeName ?? '']));
    const from = Math.min(...start.values()) - 60_000;

    // `to` a minute ahead: hours are counted up to Tessera's now, and what is held now is reported.
    const live = await showbackByPod(from, Date.now() + 60_000);
    for (const [name, eq] of Object.entries(expectedEq)) {
      expect(live.get(name), name).toMatchObject({ node: nodeOf.get(name), gpuEquivalentsNow: eq });
    }

    // Let a few seconds of GPU time accrue, then restart Tessera: a new process lists the cluster afresh.
    await new Promise((r) => setTimeout(r, 4_000));
    await tessera?.stop();
    await tessera?.start();
    const before = Date.now();
    const rebuilt = await showbackByPod(from, before + 60_000);
    const after = Date.now();
    for (const [name, eq] of Object.entries(expectedEq)) {
      const row = rebuilt.get(name);
      expect(row, name).toMatchObject({ node: nodeOf.get(name), gpuEquivalentsNow: eq });
      // From the bind time to the moment Tessera answered: the hours before the restart are there.
      const bind = start.get(name) as number;
      const hours = row?.gpuHours ?? 0;
      expect(hours, `${name}: ${String(hours)} GPU-hours`).toBeGreaterThanOrEqual((eq * (before - bind - 1_000)) / 3_600_000);
      expect(hours, `${name}: ${String(hours)} GPU-hours`).toBeLessThanOrEqual((eq * (after - bind + 1_000)) / 3_600_000);
      expect(hours).toBeGreaterThan((eq * 4) / 3600);
      expect(row?.cost ?? 0).toBeGreaterThan(0);
    }

    // A deleted pod stops counting.
    await core.deleteNamespacedPod({ namespace: NS, name: 'whole', gracePeriodSeconds: 0 });
    const gone = await waitFor('showback to see the deletion', async () => {
      const rows = await showbackByPod(from, Date.now() + 60_000);
      if (rows.get('whole')?.gpuEquivalentsNow !== 0) throw new Error('still held');
      return rows;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    const frozen = gone.get('whole')?.gpuHours ?? 0;
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await showbackByPod(from, Date.now() + 60_000)).get('whole')?.gpuHours).toBe(frozen);
    const metrics = await (await fetch(`${tessera?.opsUrl ?? ''}/metrics`)).text();
    expect(metrics).toContain(`tessera_pod_gpu_allocation{namespace="${NS}",pod="mig",node="${nodeOf.get('mig') ?? ''}"} 0.5`);
    expect(metrics).not.toContain(`pod="whole"`);
  }, 10 * 60_000);
});
