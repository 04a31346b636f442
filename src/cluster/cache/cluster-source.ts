/**
 * The seam between Tessera's cluster cache and a cluster: the real Kubernetes API (src/cluster/kube) or the
 * simulated cluster (src/sim/simulated-cluster.ts) both implement `ClusterSource`.
 *
 * A source reports what it sees into a `ClusterSink` (the cache) and performs binds. Objects are passed raw
 * (structural subsets of core/v1 Node and Pod, so `V1Node`/`V1Pod` from @kubernetes/client-node fit as they
 * are); the cache parses them once, in one place.
 */
import type { DisruptionBudget } from './disruption-budgets.js';

/** Structural subset of a core/v1 Node that the cache reads (labels, annotations, allocatable). */
export interface NodeObject {
  readonly metadata?: {
    readonly name?: string;
    readonly uid?: string;
    readonly resourceVersion?: string | null;
    readonly labels?: Readonly<Record<string, string>> | null;
    readonly annotations?: Readonly<Record<string, string>> | null;
  };
  readonly spec?: object | null;
  readonly status?: object | null;
}

/** Structural subset of a core/v1 Pod that the cache reads. */
export interface PodObject {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string | null;
    readonly uid?: string | null;
    readonly resourceVersion?: string | null;
    readonly labels?: Readonly<Record<string, string>> | null;
    readonly annotations?: Readonly<Record<string, string>> | null;
  };
  readonly spec?: {
    readonly nodeName?: string | null;
    readonly priority?: number | null;
    readonly schedulerName?: string | null;
    readonly containers?: readonly object[] | null;
    readonly initContainers?: readonly object[] | null;
    readonly tolerations?: readonly object[] | null;
  } | null;
  readonly status?: { readonly phase?: string | null } | null;
}

/** Identifies one pod in a bind or an event. */
export interface PodRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** What a bind must do: bind the pod to `node` with `annotations` on it (the kube source sends both in one pods/binding). */
export interface PodBinding extends PodRef {
  readonly node: string;
  /** Always holds `tessera.io/allocation` (see docs/model.md); on the pod no later than spec.nodeName. */
  readonly annotations: Readonly<Record<string, string>>;
}

/**
 * Where a source reports cluster state. Calls are synchronous and cheap; the cache bumps its version on each.
 * Objects the cache cannot parse are logged and counted, never thrown back at the source.
 */
export interface ClusterSink {
  /** A node appeared or changed (parsed with `inventoryFromNode`, memoized by name + resourceVersion). */
  upsertNode(node: NodeObject): void;
  deleteNode(name: string): void;
  /**
   * A pod appeared or changed. Bound pods (spec.nodeName set) with a `tessera.io/allocation` annotation hold
   * devices; a pod that reaches phase Succeeded/Failed releases them. Pending pods are remembered so a bind can
   * find their request.
   */
  upsertPod(pod: PodObject): void;
  deletePod(uid: string): void;
  /** The initial listing is complete: `/readyz` turns ready. */
  markSynced(): void;
}

/** A cluster Tessera schedules onto. */
export interface ClusterSource {
  /** `sim` or `kube`; shown in logs and `/api/v1/nodes`. */
  readonly kind: string;
  /** Starts watching; reports everything into `sink` and calls `sink.markSynced()` once listed. */
  start(sink: ClusterSink): Promise<void>;
  /**
   * Binds the pod with the annotations on it (never bound without them). Rejects (with a message that names the
   * pod and node) when that fails; the caller then forgets its assumption and kube-scheduler retries.
   */
  bind(binding: PodBinding): Promise<void>;
  /**
   * Sets a pending pod's `status.nominatedNodeName` to `node`, provided the pod is still at `resourceVersion`
   * (kube-scheduler then checks that node first; pod-nominator.ts). Rejects when the pod changed meanwhile, or
   * this replica may not write (not the leader). Sources that cannot nominate leave it out.
   */
  nominate?(pod: PodRef, node: string, resourceVersion: string): Promise<void>;
  /** Fetches a pod the cache has not seen (used by bind when the pod never went through filter). */
  getPod?(namespace: string, name: string): Promise<PodObject | null>;
  /** Tells users why a pod stays pending (the kube source records an Event); best effort, never throws. */
  reportUnschedulable?(pod: PodRef, message: string): void;
  /**
   * Preemption by Tessera: evicts `victim` through the policy/v1 Eviction API (the API server refuses an eviction
   * that would break a PodDisruptionBudget: the promise rejects with `EvictionRefusedError`); resolves when the
   * pod is gone or going. Records a `Preempted` Event on the victim.
   */
  evictPod?(victim: PodRef, by: { readonly preemptor: PodRef; readonly node: string }): Promise<void>;
  /** Sets a pending pod's `status.nominatedNodeName` (`''` clears it); KEP-5278 lets components other than kube-scheduler write it. */
  nominatePod?(pod: PodRef, node: string): Promise<void>;
  /** The PodDisruptionBudgets as last seen (empty where the cluster has none or the source cannot read them). */
  disruptionBudgets?(): readonly DisruptionBudget[];
  /** Records an Event on a pod; best effort, never throws. */
  recordEvent?(pod: PodRef, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** The node's `status.capacity` values of `names` as last seen (undefined when the node is unknown). */
  nodeCapacity?(node: string, names: readonly string[]): Readonly<Record<string, string>> | undefined;
  /** Writes `resources` into the node's `status.capacity` and `status.allocatable` (other entries untouched). */
  publishNodeCapacity?(node: string, resources: Readonly<Record<string, string>>): Promise<void>;
  /** Stops watching and releases resources; idempotent. */
  stop(): Promise<void>;
}

/** The API server refused an eviction (HTTP 429: it would break a PodDisruptionBudget). */
export class EvictionRefusedError extends Error {
  readonly code = 'TESSERA_EVICTION_REFUSED';
}
