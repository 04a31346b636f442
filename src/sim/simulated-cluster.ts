import type { ClusterSink, ClusterSource, NodeObject, PodBinding, PodObject } from '../cluster/cache/cluster-source.js';

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
