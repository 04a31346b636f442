import type { ClusterSink, ClusterSource, NodeObject, PodBinding, PodObject, PodRef } from '../cluster/cache/cluster-source.js';
import { EvictionRefusedError } from '../cluster/cache/cluster-source.js';
import { selects, type DisruptionBudget } from '../cluster/cache/disruption-budgets.js';

/** Events the simulated cluster keeps (the newest). */
const MAX_EVENTS = 1000;

/** Test and demo hooks of the simulated cluster. */
export interface SimulatedClusterOptions {
  /** Delay of each bind, to make binds overlap (default 0). */
  readonly bindDelayMs?: number;
  /** Milliseconds clock for the bind time the API server would write (PodScheduled); Date.now by default. */
  readonly now?: () => number;
}

/**
 * Standalone mode: a ClusterSource backed by memory. Nodes come from a fleet (src/sim/simulated-cluster-fleet.ts);
 * a bind stores the pod with its annotations as bound and reports it back, as an informer would.
 */
export class SimulatedCluster implements ClusterSource {
  readonly kind = 'sim';
  private sink: ClusterSink | null = null;
  private readonly nodes = new Map<string, NodeObject>();
  private readonly pods = new Map<string, PodObject>();
  private failures: string[] = [];
  private budgets: DisruptionBudget[] = [];
  private evictionFailures: string[] = [];
  /** Events recorded on pods, oldest first (tests read them). */
  readonly events: { pod: PodRef; type: string; reason: string; message: string }[] = [];
  /** `status.nominatedNodeName` per pod UID as last set. */
  readonly nominations = new Map<string, string>();
  /** Pods evicted, in order. */
  readonly evicted: PodRef[] = [];

  constructor(nodes: readonly NodeObject[], private readonly options: SimulatedClusterOptions = {}) {
    for (const node of nodes) {
      const name = node.metadata?.name;
      if (typeof name === 'string') this.nodes.set(name, node);
    }
  }

  /** @inheritdoc */
  async start(sink: ClusterSink): Promise<void> {
    this.sink = sink;
    for (const node of this.nodes.values()) sink.upsertNode(node);
    for (const pod of this.pods.values()) sink.upsertPod(pod);
    sink.markSynced();
  }

  /** @inheritdoc */
  async bind(binding: PodBinding): Promise<void> {
    const delay = this.options.bindDelayMs ?? 0;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const injected = this.failures.shift();
    if (injected !== undefined) throw new Error(injected);
    if (!this.nodes.has(binding.node)) throw new Error(`node "${binding.node}" does not exist in the simulated cluster`);
    // As the pods/binding subresource does: nodeName and PodScheduled=True (its time is the bind time, in whole
    // seconds as Kubernetes stores it) in one write.
    const boundAt = new Date(Math.floor((this.options.now ?? Date.now)() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const status = { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: boundAt }] };
    const pod: PodObject = {
      metadata: { uid: binding.uid, name: binding.name, namespace: binding.namespace, annotations: { ...binding.annotations } },
      spec: { nodeName: binding.node },
      status,
    };
    this.pods.set(binding.uid, pod);
    this.sink?.upsertPod(pod);
  }

  /** Removes a pod (it finished or was evicted) and reports the deletion. */
  deletePod(uid: string): boolean {
    const had = this.pods.delete(uid);
    if (had) this.sink?.deletePod(uid);
    return had;
  }

  /** Adds a pod that is already bound (a seeded allocation), reported at start or at once when started. */
  addPod(pod: PodObject): void {
    const uid = pod.metadata?.uid;
    if (typeof uid !== 'string') throw new Error('cannot add a pod without metadata.uid to the simulated cluster');
    this.pods.set(uid, pod);
    this.sink?.upsertPod(pod);
  }

  /** Adds a pending pod (not bound), reported at once when started, as an informer would. */
  addPendingPod(pod: PodObject): void {
    const uid = pod.metadata?.uid;
    if (typeof uid !== 'string') throw new Error('cannot add a pod without metadata.uid to the simulated cluster');
    this.sink?.upsertPod(pod);
  }

  /** Replaces the PodDisruptionBudgets (evictions that break one are refused, as the Eviction API does). */
  setDisruptionBudgets(budgets: readonly DisruptionBudget[]): void {
    this.budgets = budgets.map((b) => ({ ...b }));
  }

  /** @inheritdoc */
  disruptionBudgets(): readonly DisruptionBudget[] {
    return this.budgets;
  }

  /** @inheritdoc */
  async evictPod(victim: PodRef, by: { preemptor: PodRef; node: string }): Promise<void> {
    const injected = this.evictionFailures.shift();
    if (injected !== undefined) throw new EvictionRefusedError(injected);
    const pod = this.pods.get(victim.uid);
    if (pod === undefined) return;
    const labels = pod.metadata?.labels ?? {};
    const matching = this.budgets.filter((b) => b.namespace === victim.namespace && selects(b.selector, labels));
    const blocking = matching.find((b) => b.disruptionsAllowed <= 0);
    if (blocking !== undefined) {
      throw new EvictionRefusedError(`cannot evict pod "${victim.namespace}/${victim.name}": HTTP 429: Cannot evict pod as it would violate the pod's disruption budget "${blocking.name}"`);
    }
    this.budgets = this.budgets.map((b) => (matching.includes(b) ? { ...b, disruptionsAllowed: b.disruptionsAllowed - 1 } : b));
    this.evicted.push(victim);
    this.deletePod(victim.uid);
    this.recordEvent(victim, 'Normal', 'Preempted', `Preempted by pod ${by.preemptor.namespace}/${by.preemptor.name} on node ${by.node}`);
  }

  /** @inheritdoc */
  async nominatePod(pod: PodRef, node: string): Promise<void> {
    if (node === '') this.nominations.delete(pod.uid);
    else this.nominations.set(pod.uid, node);
  }

  /** @inheritdoc */
  recordEvent(pod: PodRef, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.events.push({ pod, type, reason, message });
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
  }

  /** @inheritdoc */
  reportUnschedulable(pod: PodRef, message: string): void {
    this.recordEvent(pod, 'Warning', 'TesseraUnschedulable', message);
  }

  /** @inheritdoc */
  nodeCapacity(node: string, names: readonly string[]): Readonly<Record<string, string>> | undefined {
    const n = this.nodes.get(node);
    if (n === undefined) return undefined;
    const capacity = (n.status as { capacity?: Record<string, string> } | null | undefined)?.capacity ?? {};
    return Object.fromEntries(names.filter((k) => capacity[k] !== undefined).map((k) => [k, capacity[k] as string]));
  }

  /** @inheritdoc */
  async publishNodeCapacity(node: string, resources: Readonly<Record<string, string>>): Promise<void> {
    const n = this.nodes.get(node);
    if (n === undefined) throw new Error(`node "${node}" does not exist in the simulated cluster`);
    const status = (n.status ?? {}) as { capacity?: Record<string, string>; allocatable?: Record<string, string> };
    const updated: NodeObject = {
      ...n,
      metadata: { ...n.metadata, resourceVersion: `${n.metadata?.resourceVersion ?? '0'}+` },
      status: { ...status, capacity: { ...(status.capacity ?? {}), ...resources }, allocatable: { ...(status.allocatable ?? {}), ...resources } },
    };
    this.nodes.set(node, updated);
    this.sink?.upsertNode(updated);
  }

  /** Makes the next eviction be refused with `message`, as a PodDisruptionBudget changed meanwhile would (tests). */
  failNextEviction(message: string): void {
    this.evictionFailures.push(message);
  }

  /** Makes the next bind fail with `message` (tests: the assumption must be forgotten). */
  failNextBind(message: string): void {
    this.failures.push(message);
  }

  /** The node objects (full-node requests in tests and examples use them). */
  nodeObjects(): NodeObject[] {
    return [...this.nodes.values()];
  }

  /** Pods bound so far. */
  boundPods(): PodObject[] {
    return [...this.pods.values()];
  }

  /** @inheritdoc */
  async stop(): Promise<void> {
    this.sink = null;
  }
}
