import type { SinkObserver } from '../cluster/cache/observed-sink.js';
import type { ClusterSource, PodObject, PodRef } from '../cluster/cache/cluster-source.js';
import type { ExtenderContext } from './extender-context.js';
import { parseJobGroup, type GroupPodLike } from '../model/job-group.js';
import { chooseNomination, type Nomination } from './nomination-choice.js';
import { hasSoftPreferences } from './soft-preferences.js';
import type { WirePod } from './wire-schemas.js';

/** Settings of a PodNominator. */
export interface PodNominatorOptions {
  /** `spec.schedulerName`s of the pods to nominate (the profiles of the kube-scheduler Tessera extends). */
  readonly schedulerNames: readonly string[];
  /** How long a nomination holds its devices if the pod is not bound to its node (default 10 minutes). */
  readonly ttlMs?: number;
  /**
   * Nominate a new pod only when at least this many pods of those schedulers were already pending (default 4): a
   * pod that kube-scheduler takes at once would be scheduled before the nomination reached it, wasting a write.
   */
  readonly minBacklog?: number;
  /** Nomination writes in flight (default 16). */
  readonly maxInFlight?: number;
}

/** How often the list of every node id is rebuilt even when the node count did not change. */
const NODE_LIST_REFRESH_MS = 10_000;

/**
 * Chooses a node for each new pending pod as it arrives, ahead of kube-scheduler, and hands the choice to
 * kube-scheduler as the pod's `status.nominatedNodeName` (KEP-5278: kube-scheduler 1.35 evaluates a pod's
 * nominated node first and, when that one node passes its filters and the extender's, binds there without
 * filtering or scoring the rest of the cluster: `findNodesThatFitPod`/`evaluateNominatedNode`). A scheduling cycle
 * then costs one node instead of all of them, and the filter call carries one name.
 *
 *   pod ADDED ──> chooseNomination (standing answers, every node) ──> cache.nominate (devices held, TTL)
 *             ──> PATCH pods/<p>/status nominatedNodeName ──> kube-scheduler: filter [node] ──> bind node
 *
 * Pods are nominated in arrival order, each against the cache with every earlier nomination held: the
 * sequential first-come decisions the trace replay models. What keeps it sound: the filter answers the
 * nominated node only for the pod that holds it (verbs/filter-nominated.ts), a bind elsewhere or a filter whose
 * candidates lack the node drops the hold, and the write is conditional on the pod's resourceVersion, so a pod
 * kube-scheduler already bound or nominated (preemption) is left alone. A lost race only costs the normal path.
 * Pods with soft preferences are never nominated (kube-scheduler must weigh every node for them), nor members of
 * all-or-nothing job groups (the group gate places them together).
 */
export class PodNominator implements SinkObserver {
  private readonly schedulerNames: ReadonlySet<string>;
  private readonly ttlMs: number;
  private readonly minBacklog: number;
  private readonly maxInFlight: number;
  /** Pending pods of those schedulers, by uid. */
  private readonly pendingOurs = new Set<string>();
  private readonly queue: string[] = [];
  private flushScheduled = false;
  private inFlight = 0;
  private synced = false;
  private nodeIds = new Int32Array(0);
  private nodeIdsAt = 0;
  private stopped = false;

  constructor(private readonly ctx: ExtenderContext, options: PodNominatorOptions) {
    this.schedulerNames = new Set(options.schedulerNames);
    this.ttlMs = options.ttlMs ?? 600_000;
    this.minBacklog = options.minBacklog ?? 4;
    this.maxInFlight = options.maxInFlight ?? 16;
  }

  /** @inheritdoc */
  upsertPod(pod: PodObject): void {
    const uid = pod.metadata?.uid;
    if (typeof uid !== 'string' || uid === '') return;
    const phase = pod.status?.phase;
    if ((pod.spec?.nodeName ?? '') !== '' || phase === 'Succeeded' || phase === 'Failed') {
      this.pendingOurs.delete(uid);
      return;
    }
    if (!this.schedulerNames.has(pod.spec?.schedulerName ?? 'default-scheduler') || this.pendingOurs.has(uid)) return;
    const backlog = this.pendingOurs.size;
    this.pendingOurs.add(uid);
    // Pods listed at startup may be mid-cycle in kube-scheduler: only pods that arrive later are nominated.
    if (!this.synced || this.stopped || backlog < this.minBacklog) return;
    if (((pod.status as { nominatedNodeName?: string } | null | undefined)?.nominatedNodeName ?? '') !== '') return;
    if (hasSoftPreferences(pod as WirePod)) return;
    // An all-or-nothing job group's members are placed together by the group gate, never one by one ahead of it.
    const group = parseJobGroup(pod as GroupPodLike);
    if (!group.ok || (group.value !== null && group.value.minSize !== null)) return;
    this.queue.push(uid);
    this.scheduleFlush();
  }

  /** @inheritdoc */
  deletePod(uid: string): void {
    this.pendingOurs.delete(uid);
  }

  /** @inheritdoc */
  markSynced(): void {
    this.synced = true;
  }

  /** Stops nominating (the server closes). */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // After the current batch of watch events, and one nomination per turn of the event loop: a filter or bind
    // request that arrives meanwhile waits for one nomination (about a millisecond), not for a burst of them.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const { cache, source, metrics } = this.ctx.deps;
    const nominate = source.nominate;
    if (nominate === undefined) {
      this.queue.length = 0;
      return;
    }
    let chosen: Nomination | null = null;
    let uid = '';
    let pod: PodObject | undefined;
    while (chosen === null && this.queue.length > 0 && this.inFlight < this.maxInFlight && !this.stopped) {
      uid = this.queue.shift() as string;
      pod = cache.pendingPod(uid);
      // Bound, deleted, or already holding devices since it was queued.
      if (pod === undefined || cache.pod(uid) !== undefined) continue;
      chosen = chooseNomination(this.ctx, pod as WirePod, this.allNodeIds());
      if (chosen === null) metrics.nominations.inc({ result: 'no_node' });
    }
    if (chosen !== null && pod !== undefined) this.write(uid, pod, chosen, nominate);
    if (this.queue.length > 0 && this.inFlight < this.maxInFlight) this.scheduleFlush();
  }

  /** Holds the chosen devices for the pod and writes the nomination; gives them back when the write fails. */
  private write(uid: string, pod: PodObject, chosen: Nomination, nominate: NonNullable<ClusterSource['nominate']>): void {
    const { cache, source, metrics, log } = this.ctx.deps;
    const ref: PodRef = { uid, namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '' };
    const held = cache.nominate(ref, chosen.allocation, chosen.annotation, chosen.request.priority, chosen.request.group, this.ttlMs);
    if (held.code !== 'success') return;
    this.inFlight += 1;
    nominate.call(source, ref, chosen.node, pod.metadata?.resourceVersion ?? '').then(
      () => metrics.nominations.inc({ result: 'nominated' }),
      (err: unknown) => {
        // The pod changed (bound, deleted, nominated by preemption) or this replica may not write: give the devices back.
        if (cache.pod(uid)?.phase === 'nominated') cache.forget(uid);
        metrics.nominations.inc({ result: 'write_failed' });
        log.debug('nomination not written', { pod: `${ref.namespace}/${ref.name}`, node: chosen.node, error: err instanceof Error ? err.message : String(err) });
      },
    ).finally(() => {
      this.inFlight -= 1;
      if (this.queue.length > 0) this.scheduleFlush();
    });
  }

  /** Ids (in the service's name index) of every node of the cache, refreshed when the node count changes. */
  private allNodeIds(): Int32Array {
    const { cache } = this.ctx.deps;
    const snapshot = cache.snapshot();
    const now = Date.now();
    if (this.nodeIds.length !== snapshot.nodes.size || now - this.nodeIdsAt > NODE_LIST_REFRESH_MS) {
      const ids: number[] = [];
      for (const name of snapshot.nodes.keys()) ids.push(this.ctx.names.intern(name));
      this.nodeIds = Int32Array.from(ids);
      this.nodeIdsAt = now;
    }
    return this.nodeIds;
  }
}
