import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { delimiter } from 'node:path';
import {
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  type KubernetesListObject,
  KubernetesObjectApi,
  PolicyV1Api,
  type V1Node,
  type V1Pod,
  type V1PodDisruptionBudget,
} from '@kubernetes/client-node';
import type { Logger } from '../../telemetry/logger.js';
import type { ClusterSink, ClusterSource, NodeObject, PodBinding, PodObject, PodRef } from '../cache/cluster-source.js';
import { apiErrorMessage, isApiStatus } from './api-errors.js';
import { draGpusFromSlices, NVIDIA_DRA_DRIVER, type ResourceSliceLike } from './dra-gpu-devices.js';
import { enrichNodeWithDra } from './dra-node-enricher.js';
import { LeaseElector } from './lease-elector.js';
import { LeaseFollower } from './lease-follower.js';
import { kubeLeaseStore } from './lease-store.js';
import { PendingEventRecorder } from './pending-event-recorder.js';
import { KubeHttp } from './kube-http.js';
import { KubeInformer } from './kube-informer.js';
import { bindPod, nominatePod as nominateIfUnchanged } from './pod-binder.js';
import { evictPod, nominatePod, patchNodeCapacity, recordPodEvent } from './pod-preemption-api.js';
import type { DisruptionBudget } from '../cache/disruption-budgets.js';
import { ResilientInformer } from './resilient-informer.js';
import { schedulingView } from './scheduling-view.js';

/** Leader-election settings; the defaults are kube-scheduler's timings. */
export interface KubeLeaderElectionOptions {
  readonly namespace: string;
  /** Lease name, shared by all replicas. */
  readonly name: string;
  /** Unique per replica. */
  readonly identity: string;
  readonly leaseDurationSeconds?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /**
   * Follow mode: do not write the lease; bind only while its holder's identity starts with `<follow>_`
   * (the sidecar layout follows kube-scheduler's own lease with the pod name; see LeaseFollower).
   */
  readonly follow?: string;
}

/** Settings of `createKubeClusterSource`. */
export interface KubeClusterSourceOptions {
  /** Kubeconfig path; null/undefined = KUBECONFIG, ~/.kube/config, then the in-cluster service account. */
  readonly kubeconfig?: string | null;
  /** A ready KubeConfig (tests); wins over `kubeconfig`. */
  readonly kubeConfig?: KubeConfig;
  readonly log?: Logger;
  /**
   * Lease-based leader election: only the leader binds. `false` disables it (one replica). Default: enabled,
   * from the environment (see `leaderElectionFromEnv`).
   */
  readonly leaderElection?: KubeLeaderElectionOptions | false;
  /** Read GPUs from `resource.k8s.io/v1` ResourceSlices when the API serves them (default true). */
  readonly watchResourceSlices?: boolean;
  /** DRA driver whose slices describe GPUs (default `gpu.nvidia.com`). */
  readonly draDriver?: string;
  /** Minimum time between two Event writes for one pending pod (default 30 s). */
  readonly eventIntervalMs?: number;
}

/** The Kubernetes cluster source plus what only it knows. */
export interface KubeClusterSource extends ClusterSource {
  /** True when this replica may bind: it holds the lease, or leader election is off. */
  isLeader(): boolean;
  /** This replica's identity in the lease and in Events. */
  readonly identity: string;
}

const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
const RESOURCE_SLICE_API = 'resource.k8s.io/v1';

/**
 * Leader election from the environment: `TESSERA_LEADER_ELECTION=false` turns it off, `follow` follows a lease
 * that kube-scheduler holds (binding only while this pod's scheduler holds it); the lease is
 * `TESSERA_LEASE_NAME` (default `tessera`) in `TESSERA_LEASE_NAMESPACE`, else `POD_NAMESPACE`, else the
 * service account's namespace, else `default`; the identity is `POD_NAME` (else the host name) plus a random
 * suffix, so a restarted replica never mistakes its predecessor's lease for its own.
 */
export function leaderElectionFromEnv(env: NodeJS.ProcessEnv = process.env): KubeLeaderElectionOptions | false {
  if ((env.TESSERA_LEADER_ELECTION ?? 'true').toLowerCase() === 'false') return false;
  let namespace = env.TESSERA_LEASE_NAMESPACE ?? env.POD_NAMESPACE ?? '';
  if (namespace === '') {
    try {
      namespace = readFileSync(SERVICE_ACCOUNT_NAMESPACE_FILE, 'utf8').trim();
    } catch {
      namespace = 'default';
    }
  }
  const base = env.POD_NAME ?? hostname();
  const mode = (env.TESSERA_LEADER_ELECTION ?? 'true').toLowerCase();
  return {
    namespace,
    name: env.TESSERA_LEASE_NAME ?? 'tessera',
    identity: `${base}_${randomBytes(4).toString('hex')}`,
    ...(mode === 'follow' ? { follow: base } : {}),
  };
}

/**
 * A ClusterSource over the Kubernetes API: informers for Nodes and Pods (and ResourceSlices where served)
 * feed the cache; bind creates pods/binding carrying `tessera.io/allocation` (one request over a kept-alive
 * connection, see pod-binder.ts); pods that stay pending get
 * Events; a Lease makes one replica of several the one that binds.
 *
 * State is rebuilt from the API on every start: bound pods carry their allocation annotation, so a restart
 * loses nothing (the cache counts them before `markSynced()` turns the service ready).
 */
export function createKubeClusterSource(options: KubeClusterSourceOptions = {}): KubeClusterSource {
  const kc = options.kubeConfig ?? loadKubeConfig(options.kubeconfig ?? null);
  const log = options.log;
  const core = kc.makeApiClient(CoreV1Api);
  // Lists, binds and nominations share one pool of kept-alive connections, sized for bursts of concurrent binds
  // (watches get connections of their own).
  const binder = new KubeHttp(kc, 64);
  const election = options.leaderElection ?? leaderElectionFromEnv();
  const identity = election === false ? `${hostname()}_${randomBytes(4).toString('hex')}` : election.identity;
  const events = new PendingEventRecorder({
    api: core,
    component: 'tessera',
    instance: identity,
    ...(options.eventIntervalMs === undefined ? {} : { minIntervalMs: options.eventIntervalMs }),
    log: (m) => log?.warn(m),
  });
  const onChange = (leading: boolean): void =>
    log?.info(leading ? 'became leader: binding pods' : 'lost leadership: not binding pods', { identity });
  const elector: LeaseElector | LeaseFollower | null =
    election === false
      ? null
      : election.follow !== undefined
        ? new LeaseFollower({
            store: kubeLeaseStore(kc.makeApiClient(CoordinationV1Api), election.namespace, election.name),
            holderPrefix: election.follow,
            ...(election.retryPeriodMs === undefined ? {} : { retryPeriodMs: election.retryPeriodMs }),
            onChange,
            log: (m) => log?.warn(m),
          })
        : new LeaseElector({
          store: kubeLeaseStore(kc.makeApiClient(CoordinationV1Api), election.namespace, election.name),
          identity: election.identity,
          ...(election.leaseDurationSeconds === undefined ? {} : { leaseDurationSeconds: election.leaseDurationSeconds }),
          ...(election.renewDeadlineMs === undefined ? {} : { renewDeadlineMs: election.renewDeadlineMs }),
          ...(election.retryPeriodMs === undefined ? {} : { retryPeriodMs: election.retryPeriodMs }),
          onChange,
          log: (m) => log?.debug(m),
        });
  const draDriver = options.draDriver ?? NVIDIA_DRA_DRIVER;
  const informers: { stop(): Promise<void> }[] = [];
  const nodes = new Map<string, NodeObject>();
  let slices: ResilientInformer<ResourceSliceLike & { metadata?: { name?: string } }> | null = null;
  /** PodDisruptionBudgets by namespace/name (preemption reads them). */
  const budgets = new Map<string, DisruptionBudget>();
  let sink: ClusterSink | null = null;
  let stopped = false;
  /** Set once every node and pod was listed into the sink. */
  let synced = false;

  /** Reports a node to the cache with what DRA publishes about it folded in. */
  const pushNode = (name: string): void => {
    const node = nodes.get(name);
    if (node === undefined || sink === null) return;
    const nodeSlices = slices === null ? [] : slices.list().filter((s) => s.spec?.nodeName === name && s.spec.driver === draDriver);
    const gpus = draGpusFromSlices(nodeSlices, name, draDriver);
    if (gpus.length === 0) {
      sink.upsertNode(node);
      return;
    }
    const enriched = enrichNodeWithDra(node, gpus);
    // The cache memoizes parses by resourceVersion: fold the slices' versions in so a slice change re-parses.
    const versions = nodeSlices.map((s) => s.metadata?.resourceVersion ?? '').join('.');
    sink.upsertNode({ ...enriched, metadata: { ...enriched.metadata, resourceVersion: `${node.metadata?.resourceVersion ?? ''}+dra.${versions}` } });
  };

  const source: KubeClusterSource = {
    kind: 'kube',
    identity,
    isLeader: () => elector === null || elector.isLeader(),

    async start(target: ClusterSink): Promise<void> {
      sink = target;
      stopped = false;
      const informerLog = (m: string): void => log?.warn(m);

      const nodeInformer = new KubeInformer<V1Node>({
        http: binder,
        path: '/api/v1/nodes',
        handlers: {
          upsert: (n) => {
            const name = n.metadata?.name;
            if (name === undefined) return;
            nodes.set(name, schedulingView(n));
            pushNode(name);
          },
          remove: (n) => {
            const name = n.metadata?.name;
            if (name === undefined) return;
            nodes.delete(name);
            target.deleteNode(name);
          },
        },
        log: informerLog,
      });
      informers.push(nodeInformer);

      if (options.watchResourceSlices !== false && (await resourceSlicesServed(kc, log))) {
        const objects = KubernetesObjectApi.makeApiClient(kc);
        const sliceNode = (s: ResourceSliceLike): string | null => s.spec?.nodeName ?? null;
        slices = new ResilientInformer({
          kubeConfig: kc,
          path: `/apis/${RESOURCE_SLICE_API}/resourceslices`,
          list: () => objects.list(RESOURCE_SLICE_API, 'ResourceSlice') as Promise<KubernetesListObject<ResourceSliceLike & { metadata?: { name?: string } }>>,
          handlers: {
            upsert: (s) => {
              const node = sliceNode(s);
              if (node !== null) pushNode(node);
            },
            remove: (s) => {
              const node = sliceNode(s);
              if (node !== null) queueMicrotask(() => pushNode(node));
            },
          },
          log: informerLog,
        });
        informers.push(slices);
      }

      const policy = kc.makeApiClient(PolicyV1Api);
      const budgetKey = (b: V1PodDisruptionBudget): string => `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`;
      const budgetInformer = new ResilientInformer<V1PodDisruptionBudget>({
        kubeConfig: kc,
        path: '/apis/policy/v1/poddisruptionbudgets',
        list: () => policy.listPodDisruptionBudgetForAllNamespaces(),
        handlers: {
          upsert: (b) => budgets.set(budgetKey(b), {
            namespace: b.metadata?.namespace ?? '', name: b.metadata?.name ?? '',
            selector: (b.spec?.selector ?? null) as DisruptionBudget['selector'],
            disruptionsAllowed: b.status?.disruptionsAllowed ?? 0,
            disruptedPods: Object.keys(b.status?.disruptedPods ?? {}),
          }),
          remove: (b) => budgets.delete(budgetKey(b)),
        },
        log: informerLog,
      });
      informers.push(budgetInformer);

      const podInformer = new KubeInformer<V1Pod>({
        http: binder,
        path: '/api/v1/pods',
        handlers: {
          upsert: (p) => {
            target.upsertPod(p as PodObject);
            const uid = p.metadata?.uid;
            if (uid !== undefined && (p.spec?.nodeName ?? '') !== '') events.forget(uid);
          },
          remove: (p) => {
            const uid = p.metadata?.uid;
            if (uid === undefined) return;
            events.forget(uid);
            target.deletePod(uid);
          },
        },
        log: informerLog,
      });
      informers.push(podInformer);

      // Nodes (and their DRA devices) first, so allocations on bound pods resolve against known inventory.
      await nodeInformer.start();
      if (slices !== null) await slices.start();
      await budgetInformer.start();
      await podInformer.start();
      if (stopped) return;
      synced = true;
      target.markSynced();
      log?.info('cluster listed: nodes and pods are being watched', {
        nodes: nodes.size,
        resourceSlices: slices !== null,
        leaderElection: elector !== null,
      });
      if (elector !== null) {
        elector.start();
        // Take the lease at once when it is free, so a single replica binds as soon as it is ready.
        await elector.tryAcquireOrRenew();
      }
    },

    async bind(binding: PodBinding): Promise<void> {
      // Before the pods are listed the cache does not know which devices are held: a placement made now could
      // take a slice a bound pod already has. Refuse; kube-scheduler retries after its backoff.
      if (!synced) {
        throw new Error(
          `cannot bind pod "${binding.namespace}/${binding.name}" to node "${binding.node}": the cluster is still being listed, so the devices in use are not known yet`,
        );
      }
      // Leadership may have just changed (the follower polls every 2 s): look again before refusing.
      if (elector !== null && !elector.isLeader()) await elector.tryAcquireOrRenew();
      if (elector !== null && !elector.isLeader()) {
        const holder = elector.observedHolder();
        throw new Error(
          `cannot bind pod "${binding.namespace}/${binding.name}" to node "${binding.node}": this replica "${identity}" is not the leader${holder === '' ? '' : `: "${holder}" holds the lease`}`,
        );
      }
      await bindPod(binder, binding);
      events.forget(binding.uid);
    },

    async nominate(pod: PodRef, node: string, resourceVersion: string): Promise<void> {
      if (!synced || (elector !== null && !elector.isLeader())) {
        throw new Error(`cannot nominate node "${node}" for pod "${pod.namespace}/${pod.name}": this replica is not the leader or has not listed the cluster`);
      }
      await nominateIfUnchanged(binder, pod, node, resourceVersion);
    },

    async getPod(namespace: string, name: string): Promise<PodObject | null> {
      try {
        return (await core.readNamespacedPod({ namespace, name })) as PodObject;
      } catch (err) {
        if (isApiStatus(err, 404)) return null;
        throw new Error(`cannot read pod "${namespace}/${name}": ${apiErrorMessage(err)}`, { cause: err });
      }
    },

    reportUnschedulable(pod: PodRef, message: string): void {
      events.report(pod, message);
    },

    async evictPod(victim: PodRef, by: { preemptor: PodRef; node: string }): Promise<void> {
      if (elector !== null && !elector.isLeader()) {
        throw new Error(`cannot evict pod "${victim.namespace}/${victim.name}": this replica "${identity}" is not the leader`);
      }
      await evictPod(core, victim);
      source.recordEvent?.(victim, 'Normal', 'Preempted', `Preempted by pod ${by.preemptor.namespace}/${by.preemptor.name} (${by.preemptor.uid}) on node ${by.node} (Tessera)`);
    },

    async nominatePod(pod: PodRef, node: string): Promise<void> {
      await nominatePod(core, pod, node);
    },

    disruptionBudgets(): readonly DisruptionBudget[] {
      return [...budgets.values()];
    },

    recordEvent(pod: PodRef, type: 'Normal' | 'Warning', reason: string, message: string): void {
      recordPodEvent(core, pod, type, reason, message, 'tessera', identity).catch((err: unknown) => {
        log?.warn('cannot record event', { pod: `${pod.namespace}/${pod.name}`, reason, error: err instanceof Error ? err.message : String(err) });
      });
    },

    nodeCapacity(node: string, names: readonly string[]): Readonly<Record<string, string>> | undefined {
      const n = nodes.get(node);
      if (n === undefined) return undefined;
      const capacity = ((n.status as { capacity?: Record<string, unknown> } | undefined)?.capacity ?? {});
      const out: Record<string, string> = {};
      for (const name of names) {
        const v = capacity[name];
        if (v !== undefined && v !== null) out[name] = String(v);
      }
      return out;
    },

    async publishNodeCapacity(node: string, resources: Readonly<Record<string, string>>): Promise<void> {
      await patchNodeCapacity(core, node, resources);
    },

    async stop(): Promise<void> {
      stopped = true;
      synced = false;
      await Promise.all(informers.map((i) => i.stop()));
      informers.length = 0;
      if (elector !== null) await elector.stop();
      await events.flush();
      binder.close();
    },
  };
  return source;
}

function loadKubeConfig(path: string | null): KubeConfig {
  const kc = new KubeConfig();
  // KUBECONFIG may be a list of files; loadFromDefault merges them the way kubectl does.
  if (path === null || path.includes(delimiter)) kc.loadFromDefault();
  else kc.loadFromFile(path);
  return kc;
}

/** True when the apiserver serves `resource.k8s.io/v1` ResourceSlices and we may list them. */
async function resourceSlicesServed(kc: KubeConfig, log: Logger | undefined): Promise<boolean> {
  try {
    await KubernetesObjectApi.makeApiClient(kc).list(RESOURCE_SLICE_API, 'ResourceSlice', undefined, undefined, undefined, undefined, undefined, undefined, 1);
    return true;
  } catch (err) {
    const why = apiErrorMessage(err);
    log?.info('not reading GPUs from DRA ResourceSlices', { reason: why });
    return false;
  }
}
