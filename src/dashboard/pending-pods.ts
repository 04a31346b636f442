import type { PodObject, PodRef } from '../cluster/cache/cluster-source.js';

/** A pod filter found no node for, with filter's reasons. */
export interface PendingPod extends PodRef {
  /** Filter's summary: `0/16 nodes are available: 8 node is spot and the pod is not interruptible, …`. */
  readonly message: string;
  /** When filter first and last reported the pod (ms since the epoch), and how many times. */
  readonly firstReported: number;
  readonly lastReported: number;
  readonly reports: number;
}

/** A reported pod is dropped when filter has not reported it for this long (kube-scheduler retries at least every 5 min). */
export const PENDING_TTL_MS = 15 * 60_000;
/** At most this many pending pods are kept; the one reported least recently goes first. */
export const MAX_PENDING = 10_000;

/**
 * The pods that wait because Tessera's filter found no node for them, with the reasons filter gave. Fed by the
 * service's `reportUnschedulable` (the same report that becomes a Kubernetes Event) and cleared by the cluster's
 * events: a pod that gets a node, finishes or is deleted is no longer pending. Reads take `now`; no clock inside.
 */
export class PendingPods {
  /** By UID (or namespace/name when a pod has no UID), in order of last report (Map order: oldest first). */
  private readonly pods = new Map<string, PendingPod>();
  private changes = 0;

  /** Bumped on every change. */
  get version(): number {
    return this.changes;
  }

  /** Filter found no node for `pod` at `now`, for `message`. */
  report(pod: PodRef, message: string, now: number): void {
    const key = keyOf(pod);
    const before = this.pods.get(key);
    this.pods.delete(key);
    this.pods.set(key, {
      namespace: pod.namespace, name: pod.name, uid: pod.uid, message,
      firstReported: before?.firstReported ?? now, lastReported: now, reports: (before?.reports ?? 0) + 1,
    });
    if (this.pods.size > MAX_PENDING) this.pods.delete(this.pods.keys().next().value as string);
    this.changes += 1;
  }

  /** A pod changed in the cluster: once it has a node or has finished it is not pending. */
  upsertPod(pod: PodObject): void {
    const phase = pod.status?.phase;
    const bound = typeof pod.spec?.nodeName === 'string' && pod.spec.nodeName !== '';
    if (bound || phase === 'Succeeded' || phase === 'Failed') this.forget(pod.metadata?.uid ?? '', pod.metadata?.namespace ?? '', pod.metadata?.name ?? '');
  }

  /** A pod was deleted. */
  deletePod(uid: string): void {
    this.forget(uid, '', '');
  }

  /** Pods still pending at `now`, most recently reported first. */
  list(now: number): PendingPod[] {
    for (const [key, p] of this.pods) {
      if (p.lastReported >= now - PENDING_TTL_MS) break;
      this.pods.delete(key);
      this.changes += 1;
    }
    return [...this.pods.values()].reverse();
  }

  private forget(uid: string, namespace: string, name: string): void {
    const removed = (uid !== '' && this.pods.delete(uid)) || (name !== '' && this.pods.delete(`${namespace}/${name}`));
    if (removed) this.changes += 1;
  }
}

function keyOf(pod: PodRef): string {
  return pod.uid !== '' ? pod.uid : `${pod.namespace}/${pod.name}`;
}
