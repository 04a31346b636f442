import type { LeaseStore } from './lease-store.js';

/** Settings of a `LeaseFollower`. */
export interface LeaseFollowerOptions {
  readonly store: LeaseStore;
  /** Holder identities that count as "ours" start with `<prefix>_` (kube-scheduler writes `<hostname>_<uuid>`). */
  readonly holderPrefix: string;
  readonly retryPeriodMs?: number;
  readonly now?: () => number;
  readonly onChange?: (leading: boolean) => void;
  readonly log?: (message: string) => void;
}

/**
 * Follows a Lease that another process holds, without writing it: in the sidecar layout kube-scheduler elects
 * the active replica (lease `tessera-scheduler`), and the Tessera beside it binds only while *its own* pod's
 * scheduler holds that lease and keeps renewing it. So the Tessera that kube-scheduler calls is always the one
 * allowed to bind, and a replica whose scheduler lost the lease stops binding within one lease duration.
 */
export class LeaseFollower {
  readonly #store: LeaseStore;
  readonly #prefix: string;
  readonly #retryMs: number;
  readonly #now: () => number;
  readonly #onChange: (leading: boolean) => void;
  readonly #log: (message: string) => void;
  #holder = '';
  #renewMs = Number.NaN;
  #observedAtMs = Number.NEGATIVE_INFINITY;
  #durationMs = 0;
  #leading = false;
  #timer: NodeJS.Timeout | null = null;
  #running = false;

  constructor(options: LeaseFollowerOptions) {
    this.#store = options.store;
    this.#prefix = `${options.holderPrefix}_`;
    this.#retryMs = options.retryPeriodMs ?? 2_000;
    this.#now = options.now ?? Date.now;
    this.#onChange = options.onChange ?? (() => undefined);
    this.#log = options.log ?? (() => undefined);
  }

  /** True while the lease holder is our pod's process and the record changed within one lease duration. */
  isLeader(): boolean {
    return this.#holder.startsWith(this.#prefix) && this.#now() < this.#observedAtMs + this.#durationMs;
  }

  /** Holder as last read. */
  observedHolder(): string {
    return this.#holder;
  }

  /** Reads the lease once; returns `isLeader()`. Read errors keep the last view (it expires by itself). */
  async tryAcquireOrRenew(): Promise<boolean> {
    try {
      const stored = await this.#store.get();
      const now = this.#now();
      const holder = stored?.record.holder ?? '';
      const renew = stored?.record.renewTimeMs ?? Number.NaN;
      if (holder !== this.#holder || renew !== this.#renewMs) {
        this.#holder = holder;
        this.#renewMs = renew;
        this.#observedAtMs = now;
        this.#durationMs = Math.max(stored?.record.leaseDurationSeconds ?? 0, 1) * 1000;
      }
    } catch (err) {
      this.#log(`cannot read lease "${this.#store.describe}": ${err instanceof Error ? err.message : String(err)}`);
    }
    const leading = this.isLeader();
    if (leading !== this.#leading) {
      this.#leading = leading;
      this.#onChange(leading);
    }
    return leading;
  }

  /** Reads the lease every retry period until `stop()`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    const loop = (): void => {
      if (!this.#running) return;
      void this.tryAcquireOrRenew().finally(() => {
        if (this.#running) this.#timer = setTimeout(loop, this.#retryMs);
      });
    };
    loop();
  }

  /** Stops reading; idempotent. */
  stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#holder = '';
    return Promise.resolve();
  }
}
