import { Heap } from 'heap-js';

/** kube-scheduler's `podInitialBackoffSeconds` default. */
export const POD_INITIAL_BACKOFF_SECONDS = 1;
/** kube-scheduler's `podMaxBackoffSeconds` default. */
export const POD_MAX_BACKOFF_SECONDS = 10;
/** kube-scheduler's `podMaxInUnschedulablePodsDuration`: a pod no event woke is retried after this long. */
export const POD_MAX_IN_UNSCHEDULABLE_SECONDS = 300;
/** How often kube-scheduler flushes that leftover (`flushUnschedulablePodsLeftover` runs every 30 s). */
export const UNSCHEDULABLE_FLUSH_PERIOD_SECONDS = 30;

/**
 * Backoff after `failures` failed attempts (≥ 1): 1 s doubling per failure, capped at 10 s, as kube-scheduler's
 * `calculateBackoffDuration` computes it from the pod's attempt count.
 */
export function backoffSeconds(failures: number): number {
  let d = POD_INITIAL_BACKOFF_SECONDS;
  for (let i = 1; i < failures; i++) {
    if (d > POD_MAX_BACKOFF_SECONDS - d) return POD_MAX_BACKOFF_SECONDS;
    d += d;
  }
  return Math.min(d, POD_MAX_BACKOFF_SECONDS);
}

/**
 * A pod in the queue. Lifecycle, as in kube-scheduler's PriorityQueue:
 *
 *   add ──> active ──pop──> (attempt) ──fail──> unschedulable ──cluster event──> active (backoff over) | backoff
 *              ^                                      │                                                    │
 *              └──────────── leftover flush (5 min) ──┘<──────────── backoff expires ──────────────────────┘
 */
export interface QueuedPod<P> {
  readonly pod: P;
  readonly priority: number;
  /** Arrival order: the last tie-break, so equal timestamps pop first-come first-served. */
  readonly seq: number;
  /** When the pod was added, or re-added after its last failed attempt (kube-scheduler refreshes it then). */
  timestamp: number;
  /** Failed attempts so far. */
  failures: number;
  /** timestamp + backoffSeconds(failures); the pod is "backing off" before it. */
  backoffExpiry: number;
  where: 'active' | 'backoff' | 'unschedulable' | 'out';
}

/**
 * kube-scheduler's scheduling queue with an injected clock (seconds): activeQ popped by priority, then
 * timestamp (FIFO), then arrival order; a failed pod parks in unschedulablePods until a cluster event moves
 * every parked pod to activeQ (or to backoffQ while its backoff runs), or until the 5-minute leftover flush.
 * Without QueueingHints every event moves every parked pod, which is what happens to pods an extender rejected.
 */
export class SchedulingQueue<P> {
  private readonly active = new Heap<QueuedPod<P>>((a, b) => b.priority - a.priority || a.timestamp - b.timestamp || a.seq - b.seq);
  private readonly backoff = new Heap<QueuedPod<P>>((a, b) => a.backoffExpiry - b.backoffExpiry || a.seq - b.seq);
  /** Insertion order is failure order, so the first entry has the oldest timestamp. */
  private readonly unschedulable = new Map<number, QueuedPod<P>>();

  /** Pods waiting in any of the three queues. */
  get size(): number {
    return this.active.length + this.backoff.length + this.unschedulable.size;
  }

  /** A new pod: straight to activeQ. */
  add(pod: P, priority: number, seq: number, now: number): QueuedPod<P> {
    const q: QueuedPod<P> = { pod, priority, seq, timestamp: now, failures: 0, backoffExpiry: now, where: 'active' };
    this.active.push(q);
    return q;
  }

  /** The next pod to attempt, or undefined when activeQ is empty. */
  pop(): QueuedPod<P> | undefined {
    const q = this.active.pop();
    if (q !== undefined) q.where = 'out';
    return q;
  }

  /** After a failed attempt at `now`: counts the failure, refreshes the timestamp and parks the pod. */
  addUnschedulable(q: QueuedPod<P>, now: number): void {
    q.failures += 1;
    q.timestamp = now;
    q.backoffExpiry = now + backoffSeconds(q.failures);
    q.where = 'unschedulable';
    this.unschedulable.delete(q.seq);
    this.unschedulable.set(q.seq, q);
  }

  /** A cluster event (a pod left): every parked pod goes to activeQ, or to backoffQ while it backs off. */
  moveAllToActiveOrBackoff(now: number): void {
    for (const q of this.unschedulable.values()) this.wake(q, now);
    this.unschedulable.clear();
  }

  /** Moves pods whose backoff has expired by `now` from backoffQ to activeQ. */
  flushBackoffCompleted(now: number): void {
    for (let q = this.backoff.peek(); q !== undefined && q.backoffExpiry <= now; q = this.backoff.peek()) {
      this.backoff.pop();
      q.where = 'active';
      this.active.push(q);
    }
  }

  /** Moves pods parked longer than POD_MAX_IN_UNSCHEDULABLE_SECONDS (the periodic leftover flush at `now`). */
  flushUnschedulableLeftover(now: number): void {
    for (const q of this.unschedulable.values()) {
      if (!(now - q.timestamp > POD_MAX_IN_UNSCHEDULABLE_SECONDS)) break;
      this.unschedulable.delete(q.seq);
      this.wake(q, now);
    }
  }

  /** When the earliest backoff in backoffQ ends (Infinity when empty). */
  nextBackoffExpiry(): number {
    return this.backoff.peek()?.backoffExpiry ?? Infinity;
  }

  /** The first 30-second flush tick that finds a parked pod past the 5-minute limit (Infinity when none is parked). */
  nextLeftoverFlush(): number {
    const first = this.unschedulable.values().next();
    if (first.done === true) return Infinity;
    const due = first.value.timestamp + POD_MAX_IN_UNSCHEDULABLE_SECONDS;
    return (Math.floor(due / UNSCHEDULABLE_FLUSH_PERIOD_SECONDS) + 1) * UNSCHEDULABLE_FLUSH_PERIOD_SECONDS;
  }

  /** Takes a waiting pod out of whichever queue holds it (it was placed outside the normal cycle). */
  delete(q: QueuedPod<P>): void {
    if (q.where === 'active') this.active.remove(q);
    else if (q.where === 'backoff') this.backoff.remove(q);
    else if (q.where === 'unschedulable') this.unschedulable.delete(q.seq);
    q.where = 'out';
  }

  private wake(q: QueuedPod<P>, now: number): void {
    if (q.backoffExpiry > now) {
      q.where = 'backoff';
      this.backoff.push(q);
    } else {
      q.where = 'active';
      this.active.push(q);
    }
  }
}
