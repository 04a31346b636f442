/**
 * End to end: a real kube-apiserver (etcd on loopback), the KWOK controller with 40 fake GPU nodes, deploy/'s
 * objects (RBAC, ServiceAccount, KubeSchedulerConfiguration), the stock kube-scheduler with deploy/'s
 * configuration pointed at a local Tessera (`src/main.ts serve --cluster kube`), both running as the
 * tessera-scheduler ServiceAccount. Everything is asserted through the API. Run with `npm run test:e2e`; the
 * first run builds the binaries (scripts/e2e/install-binaries.sh, cached per user).
 */
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { CoordinationV1Api, CoreV1Api, type KubeConfig, type KubernetesObject, type V1ObjectMeta, type V1Pod, type V1PodSpec } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  applyObjects,
  EXTENDER_SERVICE_ACCOUNT,
  kustomizeObjects,
  SCHEDULER_NAMESPACE,
  SCHEDULER_SERVICE_ACCOUNT,
  serviceAccountToken,
  startKubeScheduler,
  startKwok,
  type TesseraRunner,
  tesseraRunner,
} from './harness/components.js';
import { LeaseElector } from '../../src/cluster/kube/lease-elector.js';
import { kubeLeaseStore } from '../../src/cluster/kube/lease-store.js';
import { runChaosBurst } from './harness/chaos-burst.js';
import { type ExtenderPki, makeExtenderPki, pem } from './harness/extender-pki.js';
import { allocationOf, allocationViolations, fleetNodeObject, gpuPod, mixedFleet } from './harness/gpu-fleet.js';
import { ensureBinaries, type LocalCluster, REPO_ROOT, startLocalCluster } from './harness/local-cluster.js';
import { type ManagedProcess, waitFor } from './harness/managed-process.js';

const fleet = mixedFleet();
const spotNodes = new Set(fleet.filter((n) => n.spot).map((n) => n.name));
const fleetByName = new Map(fleet.map((n) => [n.name, n]));

let cluster: LocalCluster | null = null;
let kwok: ManagedProcess | null = null;
let scheduler: ManagedProcess | null = null;
let tessera: TesseraRunner | null = null;
let kc: KubeConfig;
let core: CoreV1Api;
let binDir = '';
let saKubeconfig = '';
let extenderKubeconfig = '';
let pki: ExtenderPki;

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function createNamespace(name: string): Promise<void> {
  await applyObjects(kc, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }]);
}

async function listPods(namespace: string): Promise<V1Pod[]> {
  return (await core.listNamespacedPod({ namespace })).items;
}

const isBound = (p: V1Pod): boolean => (p.spec?.nodeName ?? '') !== '';

/** Deletes every pod of `namespace` at once (no kubelet: grace period 0) and waits until they are gone. */
async function deleteAllPods(namespace: string): Promise<void> {
  await core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 });
  await waitFor(`pods of ${namespace} to be deleted`, async () => (await listPods(namespace)).length === 0, { timeoutMs: 120_000, intervalMs: 500 });
}

async function waitAllBound(namespace: string, expected: number, timeoutMs: number): Promise<V1Pod[]> {
  return waitFor(
    `${String(expected)} pods of ${namespace} to be bound`,
    async () => {
      const pods = await listPods(namespace);
      const bound = pods.filter(isBound);
      if (bound.length === expected) return pods;
      throw new Error(`${String(bound.length)}/${String(expected)} bound`);
    },
    { timeoutMs, intervalMs: 1_000 },
  );
}

function describeFailure(): string {
  return cluster === null ? '' : ` (logs in ${cluster.logDir})`;
}

beforeAll(async () => {
  binDir = await ensureBinaries();
  cluster = await startLocalCluster(binDir, 'scheduling');
  kc = cluster.kubeConfig;
  core = kc.makeApiClient(CoreV1Api);
  kwok = await startKwok(binDir, cluster);
  // deploy/ exactly as `kubectl apply -k deploy/` would create it (the Deployment stays inert: no controllers).
  await applyObjects(kc, kustomizeObjects(join(REPO_ROOT, 'deploy')));
  // Each container with its own identity, as deploy/ gives them: kube-scheduler the pod's ServiceAccount,
  // Tessera its own (so deploy/'s split RBAC is exercised for real).
  saKubeconfig = cluster.writeKubeconfig('tessera-scheduler', await serviceAccountToken(kc, SCHEDULER_NAMESPACE, SCHEDULER_SERVICE_ACCOUNT));
  extenderKubeconfig = cluster.writeKubeconfig('tessera-extender', await serviceAccountToken(kc, SCHEDULER_NAMESPACE, EXTENDER_SERVICE_ACCOUNT));
  await applyObjects(kc, fleet.map(fleetNodeObject));
  await waitFor(
    'KWOK to make every fleet node Ready',
    async () => {
      const nodes = (await core.listNode()).items;
      const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === fleet.length;
    },
    { timeoutMs: 120_000, intervalMs: 1_000, process: kwok },
  );
  pki = makeExtenderPki(join(cluster.dir, 'extender-pki'));
  // As deploy/ runs it: from its image, with deploy/'s TESSERA_* settings (choice filter, nominations).
  tessera = await tesseraRunner(cluster, extenderKubeconfig, pki);
  await tessera.start();
  scheduler = await startKubeScheduler(binDir, cluster, saKubeconfig, tessera.port, { pki });
  const coordination = kc.makeApiClient(CoordinationV1Api);
  await waitFor(
    'kube-scheduler to hold the tessera-scheduler lease',
    async () => ((await coordination.readNamespacedLease({ name: 'tessera-scheduler', namespace: SCHEDULER_NAMESPACE })).spec?.holderIdentity ?? '') !== '',
    { timeoutMs: 120_000, intervalMs: 1_000, process: scheduler },
  );
}, 90 * 60_000);

/** Namespaces the tests put pods in; emptied after every test so one failure does not starve the next. */
const TEST_NAMESPACES = ['e2e-mixed', 'e2e-infeasible', 'e2e-dra', 'e2e-burst', 'e2e-failover', 'default'];

/** A crash of Tessera (SIGKILL), then the restart a kubelet would do. */
async function killAndRestartTessera(): Promise<void> {
  await tessera?.kill();
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await tessera?.start();
}

/** kube-scheduler stopped and started again (a rollout, or the kubelet restarting it). */
async function restartScheduler(): Promise<void> {
  await scheduler?.stop();
  if (cluster !== null && tessera !== null) scheduler = await startKubeScheduler(binDir, cluster, saKubeconfig, tessera.port, { pki });
}

/**
 * The apiserver restarted (every watch breaks). kube-scheduler exits when it cannot renew its lease during the
 * outage; in a cluster the kubelet restarts it, so do the same here if it went away.
 */
async function restartApiserver(): Promise<void> {
  await cluster?.restartApiserver();
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  if (scheduler?.exited() === true) await restartScheduler();
}

afterEach(async () => {
  if (cluster === null) return;
  for (const ns of TEST_NAMESPACES) {
    if ((await listPods(ns)).length > 0) await deleteAllPods(ns);
  }
  await core.deleteNode({ name: 'dra-0' }).catch(() => undefined);
}, 300_000);

afterAll(async () => {
  await scheduler?.stop();
  await tessera?.stop();
  await kwok?.stop();
  await cluster?.stop();
}, 120_000);

describe('Tessera with a real kube-scheduler, kube-apiserver and KWOK GPU nodes', () => {
  it('runs Tessera from its image as the non-root user, and lets only kube-scheduler\'s certificate call the verbs', async () => {
    const proc = tessera?.current();
    expect(proc?.child.pid).toBeDefined();
    // The entrypoint exec'd through unshare and chroot: the process is node, with the image's user.
    const status = readFileSync(`/proc/${String(proc?.child.pid)}/status`, 'utf8');
    expect(status).toMatch(new RegExp(`^Uid:\\s+${String(tessera?.image.uid)}\\s`, 'm'));
    expect(tessera?.image.uid).not.toBe(0);
    expect(readFileSync(`/proc/${String(proc?.child.pid)}/cmdline`, 'utf8').split('\0').slice(0, 2)).toEqual(tessera?.image.args.slice(0, 2));
    const body = JSON.stringify({ PodName: 'nobody', PodNamespace: 'default', PodUID: 'forged-uid', Node: 'h100-0' });
    const bind = (client: { cert: Buffer; key: Buffer } | null): Promise<number> => new Promise((resolve, reject) => {
      const req = httpsRequest(`${tessera?.url ?? ''}/scheduler/bind`, {
        method: 'POST', ca: pem(pki.caCert), headers: { 'content-type': 'application/json' }, ...(client ?? {}),
      }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(body);
    });
    await expect(bind(null)).rejects.toThrow();
    expect(await bind({ cert: pem(pki.intruderCert), key: pem(pki.intruderKey) })).toBe(403);
    // The metrics sit on the plain ops port; the verbs are not served there.
    expect((await fetch(`${tessera?.opsUrl ?? ''}/scheduler/bind`, { method: 'POST', body })).status).toBe(404);
  }, 60_000);

  it('places a mixed workload soundly: NVLink islands, no spot for non-interruptible pods, MIG on MIG nodes', async () => {
    const ns = 'e2e-mixed';
    await createNamespace(ns);
    // The 12 NVLink pods fill the six 8-GPU NVLink nodes exactly, so they go first: a policy may rightly put
    // inference shares on an H100 if they come first, and no scheduler can know what arrives later.
    const training = Array.from({ length: 12 }, (_, i) =>
      gpuPod({ name: `train-${String(i)}`, namespace: ns, resources: { 'nvidia.com/gpu': '4' }, annotations: { 'tessera.io/topology': 'nvlink-required' }, labels: { kind: 'nvlink' } }),
    );
    await pool(training, 8, (p) => core.createNamespacedPod({ namespace: ns, body: p }));
    await waitAllBound(ns, training.length, 300_000);
    const pods: V1Pod[] = [
      ...training,
      ...Array.from({ length: 20 }, (_, i) =>
        gpuPod({ name: `infer-${String(i)}`, namespace: ns, resources: { 'tessera.io/gpu-memory': '10Gi', 'tessera.io/gpu-compute': '250' }, annotations: { 'tessera.io/interruptible': 'false' }, labels: { kind: 'infer' } }),
      ),
      ...Array.from({ length: 20 }, (_, i) =>
        gpuPod({ name: `batch-${String(i)}`, namespace: ns, resources: { 'tessera.io/gpu-memory': '8Gi' }, annotations: { 'tessera.io/interruptible': 'true' }, labels: { kind: 'batch' } }),
      ),
      ...Array.from({ length: 4 }, (_, i) =>
        gpuPod({ name: `mig-${String(i)}`, namespace: ns, resources: { 'tessera.io/mig-3g.40gb': '1' }, labels: { kind: 'mig' } }),
      ),
    ];
    await pool(pods.slice(training.length), 8, (p) => core.createNamespacedPod({ namespace: ns, body: p }));
    const placed = await waitAllBound(ns, pods.length, 300_000);

    expect(allocationViolations(fleet, placed), describeFailure()).toEqual([]);
    for (const pod of placed) {
      const kind = pod.metadata?.labels?.kind;
      const node = pod.spec?.nodeName ?? '';
      const alloc = allocationOf(pod);
      expect(alloc, `${pod.metadata?.name ?? ''} has no allocation annotation`).not.toBeNull();
      const indexes = alloc?.devices.map((d) => d.index) ?? [];
      if (kind === 'nvlink') {
        expect(alloc?.devices.every((d) => d.kind === 'whole')).toBe(true);
        expect(new Set(indexes).size).toBe(4);
        const islands = fleetByName.get(node)?.nvlinkIslands ?? [];
        expect(islands.some((island) => indexes.every((i) => island.includes(i))), `${pod.metadata?.name ?? ''} on ${node} GPUs ${JSON.stringify(indexes)}`).toBe(true);
      }
      if (kind === 'infer' || kind === 'nvlink' || kind === 'mig') expect(spotNodes.has(node), `${pod.metadata?.name ?? ''} is not interruptible but landed on spot node ${node}`).toBe(false);
      if (kind === 'mig') {
        expect(node.startsWith('a100mig-')).toBe(true);
        expect(alloc?.devices.map((d) => d.mig?.profile)).toEqual(['3g.40gb']);
      }
    }
    // KWOK runs what was bound: the pods reach Running like on a real kubelet.
    await waitFor('KWOK to start the bound pods', async () => (await listPods(ns)).every((p) => p.status?.phase === 'Running'), { timeoutMs: 120_000, intervalMs: 1_000 });
    await deleteAllPods(ns);
  }, 10 * 60_000);

  it('keeps an infeasible pod Pending with an Event that says why', async () => {
    const ns = 'e2e-infeasible';
    await createNamespace(ns);
    const pod = await core.createNamespacedPod({
      namespace: ns,
      // 8 GPUs pass kube-scheduler's in-tree fit on the 8-GPU nodes (it counts advertised totals); only Tessera
      // knows that no allowed GPU fits (L4 nodes are spot and have no NVLink; the others are not L4).
      body: gpuPod({ name: 'too-big', namespace: ns, resources: { 'nvidia.com/gpu': '8' }, annotations: { 'tessera.io/topology': 'nvlink-required', 'tessera.io/gpu-model': 'L4' } }),
    });
    const uid = pod.metadata?.uid ?? '';
    const event = await waitFor(
      'an Event from Tessera on the pending pod',
      async () => {
        const events = (await core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.uid=${uid}` })).items;
        return events.find((e) => e.source?.component === 'tessera') ?? null;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    expect(event.type).toBe('Warning');
    expect(event.reason).toBe('TesseraUnschedulable');
    expect(event.message).toMatch(/^0\/\d+ nodes/);
    expect(event.message).toMatch(/GPU model not allowed: pod allows L4/);
    const now = await core.readNamespacedPod({ namespace: ns, name: 'too-big' });
    expect(now.spec?.nodeName ?? '').toBe('');
    expect(now.status?.phase).toBe('Pending');
    await deleteAllPods(ns);
  }, 5 * 60_000);

  it('binds the example workloads of deploy/examples as the apiserver validates them', async () => {
    const examples = kustomizeObjects(join(REPO_ROOT, 'deploy', 'examples'));
    await applyObjects(kc, examples);
    const names = examples.filter((o) => o.kind === 'Pod').map((o) => o.metadata?.name ?? '');
    const pods = await waitFor(
      'the example pods to be bound',
      async () => {
        const all = (await listPods('default')).filter((p) => names.includes(p.metadata?.name ?? ''));
        return all.length === names.length && all.every(isBound) ? all : null;
      },
      { timeoutMs: 180_000, intervalMs: 1_000 },
    );
    expect(allocationViolations(fleet, pods)).toEqual([]);
    const nodeOf = (name: string): string => pods.find((p) => p.metadata?.name === name)?.spec?.nodeName ?? '';
    expect(nodeOf('notebook-mig')).toMatch(/^a100mig-/);
    expect(nodeOf('train-resnet-0')).toMatch(/^h100-/);
    expect(spotNodes.has(nodeOf('llm-inference-small'))).toBe(false);
    await deleteAllPods('default');
  }, 5 * 60_000);

  it('admits the scheduler pod of deploy/deployment.yaml in tessera-system (Pod Security "restricted", priority class)', async () => {
    const deployment = kustomizeObjects(join(REPO_ROOT, 'deploy')).find((o) => o.kind === 'Deployment') as
      | (KubernetesObject & { spec: { template: { metadata: V1ObjectMeta; spec: V1PodSpec } } })
      | undefined;
    expect(deployment).toBeDefined();
    const template = (deployment as NonNullable<typeof deployment>).spec.template;
    const created = await core.createNamespacedPod({
      namespace: SCHEDULER_NAMESPACE,
      dryRun: 'All',
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { ...template.metadata, name: 'tessera-scheduler-dry-run' }, spec: template.spec },
    });
    expect(created.spec?.priority).toBe(2000000000);
    expect(created.spec?.serviceAccountName).toBe(SCHEDULER_SERVICE_ACCOUNT);
  }, 60_000);

  it('reads GPUs that the NVIDIA DRA driver publishes in ResourceSlices and binds to their uuids', async () => {
    const ns = 'e2e-dra';
    await createNamespace(ns);
    // A node that says nothing about its GPUs itself: no GFD labels, no nvidia.com/gpu allocatable.
    const node = fleetNodeObject({ name: 'dra-0', product: '', gpus: 0, gpuMemoryMiB: 0, preset: null, nvlinkIslands: [], spot: false, hourlyPrice: 20, sharing: null });
    const device = (minor: number) => ({
      name: `gpu-${String(minor)}`,
      attributes: {
        type: { string: 'gpu' },
        uuid: { string: `GPU-dra0-${String(minor)}` },
        productName: { string: 'NVIDIA H100 80GB HBM3' },
        cudaComputeCapability: { version: '9.0.0' },
      },
      capacity: { memory: { value: '80Gi' } },
    });
    await applyObjects(kc, [
      node,
      {
        apiVersion: 'resource.k8s.io/v1',
        kind: 'ResourceSlice',
        metadata: { name: 'dra-0-gpu.nvidia.com' },
        spec: { driver: 'gpu.nvidia.com', nodeName: 'dra-0', pool: { name: 'dra-0', generation: 1, resourceSliceCount: 1 }, devices: [0, 1].map(device) },
      } as never,
    ]);
    const pod = gpuPod({ name: 'on-dra', namespace: ns, resources: { 'nvidia.com/gpu': '2' } });
    pod.spec = { ...pod.spec, containers: pod.spec?.containers ?? [], nodeSelector: { 'kubernetes.io/hostname': 'dra-0' } };
    await core.createNamespacedPod({ namespace: ns, body: pod });
    const [bound] = await waitAllBound(ns, 1, 120_000);
    expect(bound?.spec?.nodeName).toBe('dra-0');
    expect(allocationOf(bound as V1Pod)?.devices.map((d) => d.uuid).sort()).toEqual(['GPU-dra0-0', 'GPU-dra0-1']);
    await deleteAllPods(ns);
    await core.deleteNode({ name: 'dra-0' });
  }, 5 * 60_000);

  it('elects exactly one leader among Tessera replicas through a real Lease and hands over when it stops', async () => {
    const api = kc.makeApiClient(CoordinationV1Api);
    const make = (identity: string) =>
      new LeaseElector({ store: kubeLeaseStore(api, SCHEDULER_NAMESPACE, 'e2e-election'), identity, leaseDurationSeconds: 4, renewDeadlineMs: 3_000, retryPeriodMs: 500 });
    const replicas = [make('replica-a'), make('replica-b'), make('replica-c')];
    for (const r of replicas) r.start();
    try {
      const leader = await waitFor('one leader', () => replicas.find((r) => r.isLeader()) ?? null, { timeoutMs: 20_000 });
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(replicas.filter((r) => r.isLeader())).toEqual([leader]);
      await leader.stop();
      const next = await waitFor('a new leader', () => replicas.find((r) => r !== leader && r.isLeader()) ?? null, { timeoutMs: 20_000 });
      expect(next.identity).not.toBe(leader.identity);
      expect(replicas.filter((r) => r.isLeader())).toHaveLength(1);
    } finally {
      for (const r of replicas) await r.stop();
    }
  }, 2 * 60_000);

  it('keeps watching through a kube-apiserver restart: pods bound before and after never share a GPU', async () => {
    const ns = 'e2e-mixed';
    await createNamespace(ns);
    // Fill every H100 with whole GPUs, restart the apiserver (all watches break), then ask for more whole GPUs:
    // only a Tessera that re-watched (and still counts the first pods) places them without over-commit.
    const before = Array.from({ length: 6 }, (_, i) =>
      gpuPod({ name: `before-${String(i)}`, namespace: ns, resources: { 'nvidia.com/gpu': '8' }, annotations: { 'tessera.io/topology': 'nvlink-required' } }),
    );
    await pool(before, 6, (p) => core.createNamespacedPod({ namespace: ns, body: p }));
    await waitAllBound(ns, before.length, 180_000);
    await cluster?.restartApiserver();
    // kube-scheduler exits when it cannot renew its lease during the outage ("Leaderelection lost"); in a
    // cluster the kubelet restarts it. Do the same here, so what is tested is Tessera re-watching on its own.
    await scheduler?.stop();
    if (cluster !== null && tessera !== null) scheduler = await startKubeScheduler(binDir, cluster, saKubeconfig, tessera.port, { pki });
    const after = Array.from({ length: 3 }, (_, i) =>
      gpuPod({ name: `after-${String(i)}`, namespace: ns, resources: { 'nvidia.com/gpu': '4' }, annotations: { 'tessera.io/topology': 'nvlink-required' } }),
    );
    await pool(after, 3, (p) => core.createNamespacedPod({ namespace: ns, body: p }));
    // No H100 has room, so the 4-GPU NVLink pods must stay pending; free one node and they fit there.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect((await listPods(ns)).filter(isBound).map((p) => p.metadata?.name).sort()).toEqual(before.map((p) => p.metadata?.name).sort());
    await core.deleteNamespacedPod({ namespace: ns, name: 'before-0', gracePeriodSeconds: 0 });
    const settled = await waitFor(
      'two of the later pods to be bound on the freed node',
      async () => {
        const pods = await listPods(ns);
        return pods.filter((p) => isBound(p) && p.metadata?.name?.startsWith('after-') === true).length === 2 ? pods : null;
      },
      { timeoutMs: 180_000, intervalMs: 1_000 },
    );
    expect(allocationViolations(fleet, settled), describeFailure()).toEqual([]);
  }, 10 * 60_000);

  it('loses nothing and over-commits nothing through chaos mid-burst: Tessera SIGKILLed twice, kube-scheduler and the apiserver restarted', async () => {
    const ns = 'e2e-burst';
    await createNamespace(ns);
    const total = 500;
    // Half a GPU each: the 184 shareable GPUs hold 368, so 132 wait until capacity frees up.
    const capacity = fleet.filter((n) => n.sharing === null).reduce((s, n) => s + n.gpus * 2, 0);
    const pods = Array.from({ length: total }, (_, i) =>
      gpuPod({ name: `burst-${String(i).padStart(3, '0')}`, namespace: ns, resources: { 'tessera.io/gpu-compute': '500' }, annotations: { 'tessera.io/interruptible': 'true' } }),
    );
    const report = await runChaosBurst({
      core, namespace: ns, fleet, pods, capacity, burst: 100, pauseMs: 2_000, timeoutMs: 600_000, log: (line) => console.log(line),
      actions: [
        { name: 'Tessera SIGKILLed', afterBound: 60, run: killAndRestartTessera },
        { name: 'kube-scheduler restarted', afterBound: 130, run: restartScheduler },
        { name: 'kube-apiserver restarted', afterBound: 200, run: restartApiserver },
        { name: 'Tessera SIGKILLed again', afterBound: 270, run: killAndRestartTessera },
      ],
    });
    console.log(`chaos burst: ${String(total)} pods, capacity ${String(capacity)}; ${report.actions.map((a) => `${a.name} at ${String(a.bound)} bound`).join(', ')}; all capacity bound ${String(report.boundSeconds)} s after the burst began; ${String(report.samples)} samples checked`);
    expect(report.actions).toHaveLength(4);
    expect(report.violations, describeFailure()).toEqual([]);
    expect(report.unsound).toEqual([]);
    const full = await waitAllBound(ns, capacity, 600_000);
    expect(allocationViolations(fleet, full), describeFailure()).toEqual([]);
    expect(full.filter(isBound).every((p) => allocationOf(p) !== null)).toBe(true);
    // Nothing more fits: the rest stay pending (give the scheduler a few more cycles to prove it).
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect((await listPods(ns)).filter(isBound)).toHaveLength(capacity);

    // Free 140 slots: every pending pod must now be bound, still without over-commit.
    const victims = full.filter(isBound).slice(0, 140);
    await pool(victims, 16, (p) => core.deleteNamespacedPod({ namespace: ns, name: p.metadata?.name ?? '', gracePeriodSeconds: 0 }));
    const rest = await waitAllBound(ns, total - victims.length, 600_000);
    expect(rest).toHaveLength(total - victims.length);
    expect(allocationViolations(fleet, rest), describeFailure()).toEqual([]);
    await deleteAllPods(ns);
  }, 30 * 60_000);

  it('fails over between two replicas of deploy/\'s pod: the standby Tessera binds only once its own kube-scheduler leads', async () => {
    if (cluster === null || tessera === null) throw new Error('no cluster');
    const ns = 'e2e-failover';
    await createNamespace(ns);
    // Replica B: its own host name (so its kube-scheduler's lease identity is its own), Tessera following it.
    const tesseraB = await tesseraRunner(cluster, extenderKubeconfig, pki, { podName: 'tessera-scheduler-b', name: 'tessera-b' });
    await tesseraB.start();
    let schedulerB: ManagedProcess | null = await startKubeScheduler(binDir, cluster, saKubeconfig, tesseraB.port, { pki, hostname: 'tessera-scheduler-b', name: 'kube-scheduler-b' });
    try {
      const binds = async (runner: TesseraRunner, result: string): Promise<number> =>
        Number(new RegExp(`^tessera_binds_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(await (await fetch(`${runner.opsUrl}/metrics`)).text())?.[1] ?? 0);
      // While A's scheduler leads, B's Tessera refuses to bind, even when asked directly.
      const probe = await core.createNamespacedPod({ namespace: ns, body: { ...gpuPod({ name: 'probe', namespace: ns, resources: { 'nvidia.com/gpu': '1' } }), spec: { schedulerName: 'nobody', containers: [{ name: 'c', image: 'x', resources: { limits: { 'nvidia.com/gpu': '1' } } }] } } });
      const refused = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(`${tesseraB.url}/scheduler/bind`, {
          method: 'POST', ca: pem(pki.caCert), cert: pem(pki.schedulerCert), key: pem(pki.schedulerKey), headers: { 'content-type': 'application/json' },
        }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ PodName: 'probe', PodNamespace: ns, PodUID: probe.metadata?.uid ?? '', Node: 'h100-0' }));
      });
      expect(refused).toMatch(/is not the leader/);
      await core.deleteNamespacedPod({ namespace: ns, name: 'probe', gracePeriodSeconds: 0 });

      const pods = Array.from({ length: 120 }, (_, i) =>
        gpuPod({ name: `fo-${String(i).padStart(3, '0')}`, namespace: ns, resources: { 'tessera.io/gpu-compute': '500' }, annotations: { 'tessera.io/interruptible': 'true' } }));
      const report = await runChaosBurst({
        core, namespace: ns, fleet, pods, capacity: pods.length, burst: 40, pauseMs: 1_000, timeoutMs: 300_000,
        actions: [{
          name: 'replica A (kube-scheduler and Tessera) SIGKILLed', afterBound: 30,
          run: async () => {
            await scheduler?.kill();
            await tessera?.kill();
          },
        }],
      });
      expect(report.violations, describeFailure()).toEqual([]);
      expect(report.unsound).toEqual([]);
      expect(report.bound).toBe(pods.length);
      // B took over: its Tessera bound the pods A did not get to.
      expect(await binds(tesseraB, 'bound')).toBeGreaterThanOrEqual(pods.length - report.actions[0]!.bound - 16);
      console.log(`failover: A killed with ${String(report.actions[0]?.bound)} of ${String(pods.length)} bound; all bound ${String(report.boundSeconds)} s after the burst began (lease duration 15 s)`);
      await deleteAllPods(ns);
    } finally {
      await schedulerB?.stop();
      schedulerB = null;
      await tesseraB.stop();
      // Bring replica A back for whatever runs next.
      await tessera.start();
      scheduler = await startKubeScheduler(binDir, cluster, saKubeconfig, tessera.port, { pki });
    }
  }, 15 * 60_000);
});
