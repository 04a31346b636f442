import type { NodeObject, PodObject } from '../cluster/cache/cluster-source.js';
import type { Allocation } from '../model/allocation.js';
import type { NodeInventory } from '../model/node-inventory.js';
import type { ParseResult } from '../model/parse-result.js';
import { ANNOTATION } from '../model/well-known-names.js';
import { allocationGpuEquivalents } from './gpu-equivalents.js';
import { podBindTime, podEndTime } from './pod-times.js';
import type { ShowbackLedger } from './showback-ledger.js';

/** What the recorder reads from outside, injected. */
export interface ShowbackRecorderDeps {
  readonly ledger: ShowbackLedger;
  /** The cached inventory of a node (ClusterCache.inventory), read after the cache has taken the same event. */
  readonly inventory: (node: string) => NodeInventory | undefined;
  /** `parseAllocationAnnotation`. */
  readonly parseAllocation: (text: string, inventory: NodeInventory) => ParseResult<Allocation>;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

/**
 * Feeds the showback ledger from what the cluster source reports (it observes the same ClusterSink calls as the
 * cache, after the cache). A pod holds devices from its bind time (its `PodScheduled` condition, else when Tessera
 * first saw it bound) until it is deleted or reaches Succeeded/Failed (its containers' latest `finishedAt`, else
 * when Tessera saw it). Its GPU-equivalents come from its `tessera.io/allocation` annotation, read against the
 * node's inventory; the price is the node's per-GPU price at that moment.
 *
 * So a restart rebuilds: every pod still bound, from its bind time; every finished pod the cluster still lists
 * (Jobs keep theirs until their TTL), from bind to finish. Pods deleted before the restart are gone.
 */
export class ShowbackRecorder {
  /** Annotation of each open holding (a changed annotation closes it and opens another). */
  private readonly annotations = new Map<string, string>();
  /** Bound pods whose node is not cached yet, by node: recorded when the node arrives. */
  private readonly waiting = new Map<string, Map<string, PodObject>>();

  constructor(private readonly deps: ShowbackRecorderDeps) {}

  /** A node appeared or changed: pods that waited for it are recorded now. */
  upsertNode(node: NodeObject): void {
    const name = node.metadata?.name;
    if (typeof name !== 'string') return;
    const pods = this.waiting.get(name);
    if (pods === undefined || this.deps.inventory(name) === undefined) return;
    this.waiting.delete(name);
    for (const pod of pods.values()) this.upsertPod(pod);
  }

  /** A pod appeared or changed. */
  upsertPod(pod: PodObject): void {
    const uid = pod.metadata?.uid;
    if (typeof uid !== 'string' || uid === '') return;
    const now = this.deps.now();
    const node = pod.spec?.nodeName ?? '';
    const annotation = pod.metadata?.annotations?.[ANNOTATION.allocation] ?? null;
    const phase = pod.status?.phase;
    const finished = phase === 'Succeeded' || phase === 'Failed';
    this.unwait(uid);
    const open = this.deps.ledger.openHolding(uid);
    if (finished) {
      const end = podEndTime(pod) ?? now;
      if (open !== undefined) {
        this.close(uid, end);
        return;
      }
      // A finished pod the ledger never saw open: rebuilt from its bind and finish times (after a restart).
      const start = podBindTime(pod);
      if (start === null || node === '' || annotation === null) return;
      const held = this.held(pod, node, annotation);
      if (held === 'waiting' || held === null) return;
      this.deps.ledger.addClosed({ ...held, start, end });
      return;
    }
    if (node === '' || annotation === null) {
      if (open !== undefined) this.close(uid, now);
      return;
    }
    if (open !== undefined && open.node === node && this.annotations.get(uid) === annotation) return;
    const held = this.held(pod, node, annotation);
    if (held === 'waiting') return;
    if (held === null) {
      if (open !== undefined) this.close(uid, now);
      return;
    }
    // A holding that changes mid-life restarts now; a first sighting starts at the bind time.
    const start = open !== undefined ? now : (podBindTime(pod) ?? now);
    this.deps.ledger.open({ ...held, start: Math.min(start, now) });
    this.annotations.set(uid, annotation);
  }

  /** A pod was deleted: it stops holding now. */
  deletePod(uid: string): void {
    this.unwait(uid);
    if (this.deps.ledger.openHolding(uid) !== undefined) this.close(uid, this.deps.now());
  }

  private close(uid: string, end: number): void {
    this.deps.ledger.close(uid, end);
    this.annotations.delete(uid);
    this.deps.ledger.prune(this.deps.now());
  }

  /** The holding's fixed part, 'waiting' until the node is cached, null when the annotation cannot be read. */
  private held(pod: PodObject, node: string, annotation: string) {
    const inventory = this.deps.inventory(node);
    if (inventory === undefined) {
      let pods = this.waiting.get(node);
      if (pods === undefined) {
        pods = new Map();
        this.waiting.set(node, pods);
      }
      pods.set(pod.metadata?.uid as string, pod);
      return 'waiting' as const;
    }
    const parsed = this.deps.parseAllocation(annotation, inventory);
    if (!parsed.ok) return null;
    const gpus = inventory.gpus.length;
    return {
      uid: pod.metadata?.uid as string,
      namespace: pod.metadata?.namespace ?? '',
      name: pod.metadata?.name ?? '',
      node,
      gpuEquivalents: allocationGpuEquivalents(parsed.value, inventory),
      gpuHourlyPrice: inventory.hourlyPrice !== null && gpus > 0 ? inventory.hourlyPrice / gpus : null,
    };
  }

  private unwait(uid: string): void {
    for (const [node, pods] of this.waiting) {
      if (pods.delete(uid) && pods.size === 0) this.waiting.delete(node);
    }
  }
}
