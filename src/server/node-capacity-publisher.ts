import type { ClusterCache } from '../cluster/cache/cluster-cache.js';
import type { ClusterSource } from '../cluster/cache/cluster-source.js';
import { ADVERTISED_RESOURCES, advertisedCapacity, quantityValue } from '../model/advertised-capacity.js';
import { RESOURCE } from '../model/well-known-names.js';
import type { Logger } from '../telemetry/logger.js';
import { boundedPool } from '../util/bounded-pool.js';
import { REAL_TIMERS, type Timers } from './timers.js';

/** Every name the publisher may write. */
const NAMES: readonly string[] = [...ADVERTISED_RESOURCES, RESOURCE.nvidiaGpu];

/**
 * Keeps each node's advertised GPU totals (advertisedCapacity, the node agent's contract in docs/deploy.md)
 * equal to what Tessera reads of the node: `tessera.io/gpu-memory`, `tessera.io/gpu-compute` and
 * `tessera.io/gpu-replica` always, and `nvidia.com/gpu` only where nothing advertises it (no device plugin, e.g.
 * GPUs published by NVIDIA's DRA driver): where the device plugin writes it, its value stands.
 *
 * Every `intervalMs` it looks at the nodes that changed since the last look and patches the ones whose totals
 * differ (one request per node, never two at once for one node, at most `maxInFlight` at once: a first start on
 * 20,000 nodes that lack totals would otherwise send 18,000 patches together, and kube-apiserver's 429s starve
 * kube-scheduler's lease renewals). Every replica may run it: the totals are a function of the node alone, so
 * replicas write the same values.
 */
export class NodeCapacityPublisher {
  private seen = -1;
  private readonly inFlight = new Set<string>();
  private readonly retry = new Set<string>();
  private cancel: (() => void) | null = null;
  private stopped = false;
  private published = 0;

  constructor(
    private readonly cache: ClusterCache,
    private readonly source: ClusterSource,
    private readonly log: Logger,
    private readonly intervalMs = 1_000,
    private readonly timers: Timers = REAL_TIMERS,
    private readonly maxInFlight = 16,
  ) {}

  /** Patches written so far (tests, logs). */
  get patches(): number {
    return this.published;
  }

  /** Starts the periodic look; a no-op when the source cannot write node status. */
  start(): void {
    if (this.source.publishNodeCapacity === undefined || this.source.nodeCapacity === undefined) return;
    this.stopped = false;
    const loop = (): void => {
      if (this.stopped) return;
      void this.tick().finally(() => {
        if (!this.stopped) this.cancel = this.timers.after(this.intervalMs, loop);
      });
    };
    loop();
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
  }

  /** One look: patches every changed node whose advertised totals differ, `maxInFlight` at a time. Resolves when its patches are done. */
  async tick(): Promise<void> {
    if (!this.cache.synced) return;
    const version = this.cache.version;
    if (version === this.seen && this.retry.size === 0) return;
    const changed = this.seen < 0 ? null : this.cache.changedSince(this.seen);
    const names = new Set(changed ?? this.cache.nodeViews().map((v) => v.inventory.name));
    for (const n of this.retry) names.add(n);
    this.retry.clear();
    this.seen = version;
    const publish = this.source.publishNodeCapacity as NonNullable<ClusterSource['publishNodeCapacity']>;
    const before = this.published;
    // Each write handles its own failure (retried next look), so the pool never stops early.
    await boundedPool([...names], this.maxInFlight, async (name) => {
      const patch = this.patchFor(name);
      if (patch === null || this.inFlight.has(name)) return;
      this.inFlight.add(name);
      try {
        await publish.call(this.source, name, patch);
        this.published += 1;
        this.log.debug('advertised GPU totals on node', { node: name, ...patch });
      } catch (err) {
        this.retry.add(name);
        this.log.warn('cannot advertise GPU totals on node: retrying', { node: name, error: err instanceof Error ? err.message : String(err) });
      } finally {
        this.inFlight.delete(name);
      }
    });
    // One line per look, not per node: a first look at a large fleet writes every node.
    if (this.published > before) this.log.info('advertised GPU totals', { nodes: this.published - before, published: this.published });
  }

  /** The entries of `name`'s capacity to write, or null when it advertises the right totals already. */
  private patchFor(name: string): Record<string, string> | null {
    const inv = this.cache.inventory(name);
    if (inv === undefined) return null;
    const current = (this.source.nodeCapacity as NonNullable<ClusterSource['nodeCapacity']>).call(this.source, name, NAMES);
    if (current === undefined) return null;
    const want = advertisedCapacity(inv);
    const patch: Record<string, string> = {};
    for (const [k, v] of Object.entries(want)) {
      const now = current[k];
      const have = now === undefined ? 0 : quantityValue(now);
      if (have === quantityValue(v)) continue;
      // nvidia.com/gpu belongs to the device plugin where one advertises it: fill it in only where nothing does.
      if (k === RESOURCE.nvidiaGpu && have !== 0) continue;
      patch[k] = v;
    }
    return Object.keys(patch).length === 0 ? null : patch;
  }
}
