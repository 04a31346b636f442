/**
 * End to end: a real kube-apiserver (etcd on loopback), the KWOK controller with 40 fake GPU nodes, deploy/'s
 * objects (RBAC, ServiceAccount, KubeSchedulerConfiguration), the stock kube-scheduler with deploy/'s
 * configuration pointed at a local Tessera (`src/main.ts serve --cluster kube`), both running as the
 * tessera-scheduler ServiceAccount. Everything is asserted through the API. Run with `npm run test:e2e`; the
 * first run builds the binaries (scripts/e2e/install-binaries.sh, cached per user).
 */
import { join } from 'node:path';
import { CoordinationV1Api, CoreV1Api, type KubeConfig, type KubernetesObject, type V1ObjectMeta, type V1Pod, type V1PodSpec } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  applyObjects,
  deployedTesseraEnv,
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
  const token = await serviceAccountToken(kc, SCHEDULER_NAMESPACE, SCHEDULER_SERVICE_ACCOUNT);
  saKubeconfig = cluster.writeKubeconfig('tessera-scheduler', token);
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
  // As deploy/ runs it, with its TESSERA_* settings (choice filter, nominations).
  tessera = await tesseraRunner(cluster, saKubeconfig, { env: deployedTesseraEnv() });
  await tessera.start();
  scheduler = await startKubeScheduler(binDir, cluster, saKubeconfig, tessera.port);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  await waitFor(
    'kube-scheduler to hold the tessera-scheduler lease',
    async () => ((await coordination.readNamespacedLease({ name: 'tessera-scheduler', namespace: SCHEDULER_NAMESPACE })).spec?.holderIdentity ?? '') !== '',
    { timeoutMs: 120_000, intervalMs: 1_000, process: scheduler },
  );
}, 90 * 60_000);

/** Namespaces the tests put pods in; emptied after every test so one failure does not starve the next. */
const TEST_NAMESPACES = ['e2e-mixed', 'e2e-infeasible', 'e2e-dra', 'e2e-burst', 'default'];

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
      body: gpuPod({ name: 'too-big', namespace: ns, resources: { 'nvidia.com/gpu': '16' }, annotations: { 'tessera.io/topology': 'nvlink-required' } }),
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
    expect(event.message).toMatch(/16/);
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
    if (cluster !== null && tessera !== null) scheduler = await startKubeScheduler(binDir, cluster, saKubeconfig, tessera.port);
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

  it('loses nothing and double-allocates nothing when Tessera is killed and restarted during a burst of 500 pods', async () => {
    const ns = 'e2e-burst';
    await createNamespace(ns);
    const total = 500;
    // Half a GPU each: the 184 shareable GPUs hold 368, so 132 wait until capacity frees up.
    const capacity = fleet.filter((n) => n.sharing === null).reduce((s, n) => s + n.gpus * 2, 0);
    const pods = Array.from({ length: total }, (_, i) =>
      gpuPod({ name: `burst-${String(i).padStart(3, '0')}`, namespace: ns, resources: { 'tessera.io/gpu-compute': '500' }, annotations: { 'tessera.io/interruptible': 'true' } }),
    );
    const burstStart = Date.now();
    const creating = pool(pods, 16, (p) => core.createNamespacedPod({ namespace: ns, body: p }));
    await waitFor('150 burst pods bound', async () => (await listPods(ns)).filter(isBound).length >= 150, { timeoutMs: 300_000, intervalMs: 500 });
    await tessera?.kill();
    const boundAtKill = (await listPods(ns)).filter(isBound).length;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await tessera?.start();
    await creating;

    const full = await waitAllBound(ns, capacity, 600_000);
    console.log(`burst: ${String(total)} pods, capacity ${String(capacity)}, Tessera killed with ${String(boundAtKill)} bound; all capacity bound ${String(Math.round((Date.now() - burstStart) / 1000))} s after the burst began`);
    expect(boundAtKill).toBeLessThan(capacity);
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
});
