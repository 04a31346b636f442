import { type CoreV1Api, type CoreV1Event, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { PodRef } from '../cache/cluster-source.js';
import { apiErrorMessage, isApiStatus } from './api-errors.js';

/** Event reason Tessera uses for pods it cannot place (beside kube-scheduler's own `FailedScheduling`). */
export const UNSCHEDULABLE_EVENT_REASON = 'TesseraUnschedulable';

/** Settings of a `PendingEventRecorder`. */
export interface PendingEventRecorderOptions {
  readonly api: CoreV1Api;
  /** `source.component` / `reportingComponent` of the events. */
  readonly component?: string;
  /** Identity of this replica (`reportingInstance`). */
  readonly instance?: string;
  /** A pod gets at most one write per this interval; repeats in between are counted and sent later. */
  readonly minIntervalMs?: number;
  readonly now?: () => number;
  readonly log?: (message: string) => void;
}

interface PodEventState {
  /** The Event last written for this pod, or null before the first write. */
  name: string | null;
  /** Message of that Event. */
  message: string;
  count: number;
  firstMs: number;
  lastSentMs: number;
  /** Reports since the last write, and the newest message among them. */
  unsent: number;
  latest: string;
}

/**
 * Records Warning Events on pods that stay pending, saying why (`0/40 nodes: 32 lack …`).
 *
 * At most one write per pod per `minIntervalMs`, whatever the messages (kube-scheduler retries a pending pod
 * many times a second in some cases, and the per-node reasons can come in a different order each time). A write
 * patches `count` and `lastTimestamp` of the pod's Event when the newest message is the same, like the
 * apiserver's event correlation, and creates a new Event when it changed. Writes are fire-and-forget and never
 * throw: a lost event must not fail a scheduling cycle.
 */
export class PendingEventRecorder {
  readonly #api: CoreV1Api;
  readonly #component: string;
  readonly #instance: string;
  readonly #minIntervalMs: number;
  readonly #now: () => number;
  readonly #log: (message: string) => void;
  readonly #pods = new Map<string, PodEventState>();
  readonly #pending = new Set<Promise<void>>();

  constructor(options: PendingEventRecorderOptions) {
    this.#api = options.api;
    this.#component = options.component ?? 'tessera';
    this.#instance = options.instance ?? 'tessera';
    this.#minIntervalMs = options.minIntervalMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? (() => undefined);
  }

  /** Reports that `pod` cannot be placed, for `message`; cheap, returns at once. */
  report(pod: PodRef, message: string): void {
    const now = this.#now();
    const key = pod.uid === '' ? `${pod.namespace}/${pod.name}` : pod.uid;
    let state = this.#pods.get(key);
    if (state === undefined) {
      state = { name: null, message, count: 0, firstMs: now, lastSentMs: Number.NEGATIVE_INFINITY, unsent: 0, latest: message };
      this.#pods.set(key, state);
    }
    state.unsent += 1;
    state.latest = message;
    if (now - state.lastSentMs < this.#minIntervalMs) return;
    state.lastSentMs = now;
    if (state.latest !== state.message || state.name === null) {
      // A new reason starts a new Event (its count restarts), as event correlation would.
      state.name = null;
      state.message = state.latest;
      state.count = 0;
      state.firstMs = now;
    }
    state.count += state.unsent;
    state.unsent = 0;
    const write = this.#write(pod, state, now).catch((err: unknown) => {
      this.#log(`cannot record event on pod "${pod.namespace}/${pod.name}": ${apiErrorMessage(err)}`);
    });
    this.#pending.add(write);
    void write.finally(() => this.#pending.delete(write));
  }

  /** Drops what is remembered about a pod (it was bound or deleted). */
  forget(uid: string): void {
    this.#pods.delete(uid);
  }

  /** Waits for the writes in flight (for shutdown and tests). */
  async flush(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  async #write(pod: PodRef, state: PodEventState, now: number): Promise<void> {
    const time = new Date(now);
    if (state.name !== null) {
      try {
        await this.#api.patchNamespacedEvent(
          { name: state.name, namespace: pod.namespace, body: { count: state.count, lastTimestamp: time } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        return;
      } catch (err) {
        if (!isApiStatus(err, 404)) throw err;
        // the event expired (TTL): create a fresh one below
      }
    }
    const name = `${pod.name}.${now.toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`;
    const body: CoreV1Event = {
      metadata: { name, namespace: pod.namespace },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid },
      type: 'Warning',
      reason: UNSCHEDULABLE_EVENT_REASON,
      message: state.message,
      count: state.count,
      firstTimestamp: new Date(state.firstMs),
      lastTimestamp: time,
      source: { component: this.#component },
      reportingComponent: this.#component,
      reportingInstance: this.#instance,
      action: 'Scheduling',
    };
    await this.#api.createNamespacedEvent({ namespace: pod.namespace, body });
    state.name = name;
  }
}
