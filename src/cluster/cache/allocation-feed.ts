import { randomUUID } from 'node:crypto';
import type { Allocation } from '../../model/allocation.js';
import type { PodRef } from './cluster-source.js';

/**
 * What happened to a pod's devices:
 * - `assumed`: a bind holds them (in flight, or not yet confirmed by the cluster);
 * - `bound`: the cluster reports the pod bound with them (an assumption confirmed, or a pod seen bound);
 * - `released`: they are free again (pod deleted or finished, bind failed, assumption expired).
 */
export type AllocationChangeKind = 'assumed' | 'bound' | 'released';

/** One allocation change, at the cache version it produced. */
export interface AllocationChange {
  /** The cache version right after the change (each change bumps the version, so versions increase). */
  readonly version: number;
  readonly kind: AllocationChangeKind;
  readonly pod: PodRef;
  readonly node: string;
  /** The devices held or freed; null when the pod's allocation annotation could not be read. */
  readonly allocation: Allocation | null;
}

/** Changes kept for readers that resume (a reader further behind must list again). */
export const DEFAULT_FEED_CAPACITY = 10_000;

/**
 * The cluster cache's allocation changes, in version order, for watchers (gRPC WatchAllocations): the last
 * `capacity` changes are kept so a watcher can resume from a version after a disconnect; listeners are woken
 * (once per burst, on a microtask) and read what they have not seen with `since`. Recording is a push: the
 * cache's bind and release paths pay next to nothing for it.
 */
export class AllocationFeed {
  /** Identifies this process's versions: a version of another incarnation (restart, replica) means nothing here. */
  readonly incarnation: string = randomUUID();
  private changes: AllocationChange[] = [];
  private start = 0;
  /** Version of the newest dropped change (0: nothing dropped). */
  private droppedThrough = 0;
  private readonly listeners = new Set<() => void>();
  private wakeQueued = false;

  /** @param capacity changes kept for resuming readers. */
  constructor(readonly capacity = DEFAULT_FEED_CAPACITY) {}

  /** Notes a change (called by the cache after the version bump it made). */
  record(change: AllocationChange): void {
    this.changes.push(change);
    if (this.changes.length - this.start > this.capacity) {
      this.droppedThrough = (this.changes[this.start] as AllocationChange).version;
      this.start += 1;
      if (this.start >= this.capacity) {
        this.changes = this.changes.slice(this.start);
        this.start = 0;
      }
    }
    if (this.listeners.size > 0 && !this.wakeQueued) {
      this.wakeQueued = true;
      queueMicrotask(() => {
        this.wakeQueued = false;
        for (const listener of [...this.listeners]) listener();
      });
    }
  }

  /**
   * The changes with a version greater than `version`, oldest first, or null when some of them were already
   * dropped (the reader must list again).
   */
  since(version: number): AllocationChange[] | null {
    if (version < this.droppedThrough) return null;
    let i = this.changes.length;
    while (i > this.start && (this.changes[i - 1] as AllocationChange).version > version) i -= 1;
    return this.changes.slice(i);
  }

  /** Calls `listener` after changes are recorded (once per burst); returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Listeners subscribed (tests, metrics). */
  get watchers(): number {
    return this.listeners.size;
  }
}
