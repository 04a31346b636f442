import type { LeaseRecord, LeaseStore } from './lease-store.js';

/** Settings of a `LeaseElector`; the defaults are kube-scheduler's (15 s / 10 s / 2 s). */
export interface LeaseElectorOptions {
  readonly store: LeaseStore;
  /** Unique per replica, e.g. the pod name plus a random suffix. */
  readonly identity: string;
  readonly leaseDurationSeconds?: number;
  /** A leader that has not renewed for this long stops acting as leader (must be < lease duration). */
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** Clock in ms; injected so tests can move time. */
  readonly now?: () => number;
  /** Called on every change of leadership. */
  readonly onChange?: (leading: boolean) => void;
  readonly log?: (message: string) => void;
}

/**
 * Lease-based leader election (the algorithm of client-go's `leaderelection`), so several Tessera replicas can
 * run with exactly one binding pods.
 *
 *   follower --(lease free or expired)--> leader --(renew failed for renewDeadline)--> follower
 *                                            \--(stop: release the lease)--> stopped
 *
 * Expiry of another holder's lease is judged by when *this* replica last saw the record change, never by the
 * holder's clock, so clock skew between replicas cannot make two leaders.
 */
export class LeaseElector {
  readonly #store: LeaseStore;
  readonly #identity: string;
  readonly #durationS: number;
  readonly #renewDeadlineMs: number;
  readonly #retryMs: number;
  readonly #now: () => number;
  readonly #onChange: (leading: boolean) => void;
  readonly #log: (message: string) => void;
  #observed: LeaseRecord | null = null;
  #observedAtMs = 0;
  #lastRenewMs = Number.NEGATIVE_INFINITY;
  /** Whether the last round acquired or renewed the lease. */
  #holding = false;
  /** Leadership as last reported through `onChange`. */
  #leading = false;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #inFlight: Promise<boolean> | null = null;

  constructor(options: LeaseElectorOptions) {
    this.#store = options.store;
    this.#identity = options.identity;
    this.#durationS = options.leaseDurationSeconds ?? 15;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryMs = options.retryPeriodMs ?? 2_000;
    this.#now = options.now ?? Date.now;
    this.#onChange = options.onChange ?? (() => undefined);
    this.#log = options.log ?? (() => undefined);
    if (this.#renewDeadlineMs >= this.#durationS * 1000) {
      throw new Error(
        `cannot create leader election for lease "${this.#store.describe}": renew deadline ${String(this.#renewDeadlineMs)} ms must be shorter than the lease duration ${String(this.#durationS)} s`,
      );
    }
  }

  /** This replica's identity. */
  get identity(): string {
    return this.#identity;
  }

  /** True while this replica holds the lease and renewed it within the renew deadline. */
  isLeader(): boolean {
    return this.#holding && this.#now() - this.#lastRenewMs < this.#renewDeadlineMs;
  }

  /** Who holds the lease as last observed ('' when free or unknown). */
  observedHolder(): string {
    return this.#observed?.holder ?? '';
  }

  /** One election round: acquires a free or expired lease, renews our own; returns whether we lead now. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.#now();
    let ok: boolean;
    try {
      ok = await this.#round(now);
    } catch (err) {
      this.#log(`lease "${this.#store.describe}": ${err instanceof Error ? err.message : String(err)}`);
      ok = false;
    }
    if (ok) this.#lastRenewMs = now;
    else if (this.#observed?.holder !== this.#identity) this.#holding = false;
    if (ok) this.#holding = true;
    this.#setLeading(this.isLeader());
    return ok;
  }

  async #round(now: number): Promise<boolean> {
    const stored = await this.#store.get();
    if (stored === null) {
      const record: LeaseRecord = {
        holder: this.#identity,
        leaseDurationSeconds: this.#durationS,
        acquireTimeMs: now,
        renewTimeMs: now,
        transitions: 0,
      };
      const created = await this.#store.create(record);
      if (created) this.#observe(record, now);
      return created;
    }
    const current = stored.record;
    if (!sameRecord(current, this.#observed)) this.#observe(current, now);
    const mine = current.holder === this.#identity;
    const durationMs = Math.max(current.leaseDurationSeconds, 1) * 1000;
    const expired = current.holder === '' || now >= this.#observedAtMs + durationMs;
    if (!mine && !expired) return false;
    const next: LeaseRecord = mine
      ? { ...current, leaseDurationSeconds: this.#durationS, renewTimeMs: now }
      : {
          holder: this.#identity,
          leaseDurationSeconds: this.#durationS,
          acquireTimeMs: now,
          renewTimeMs: now,
          transitions: current.transitions + 1,
        };
    const updated = await this.#store.update(next, stored.resourceVersion);
    if (updated) this.#observe(next, now);
    return updated;
  }

  #observe(record: LeaseRecord, now: number): void {
    this.#observed = record;
    this.#observedAtMs = now;
  }

  #setLeading(leading: boolean): void {
    if (leading === this.#leading) return;
    this.#leading = leading;
    this.#log(`lease "${this.#store.describe}": ${this.#identity} ${leading ? 'became leader' : 'stopped leading'}`);
    this.#onChange(leading);
  }

  /** Runs election rounds every retry period until `stop()`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    const loop = (): void => {
      if (!this.#running) return;
      this.#inFlight = this.tryAcquireOrRenew();
      void this.#inFlight.finally(() => {
        this.#inFlight = null;
        if (this.#running) this.#timer = setTimeout(loop, this.#retryMs);
      });
    };
    loop();
  }

  /** Stops the rounds and, when leading, releases the lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#inFlight !== null) await this.#inFlight;
    const wasHolding = this.#holding;
    this.#holding = false;
    this.#setLeading(false);
    if (!wasHolding) return;
    try {
      const stored = await this.#store.get();
      if (stored?.record.holder !== this.#identity) return;
      const now = this.#now();
      await this.#store.update({ ...stored.record, holder: '', leaseDurationSeconds: 1, renewTimeMs: now }, stored.resourceVersion);
    } catch (err) {
      this.#log(`cannot release lease "${this.#store.describe}": ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function sameRecord(a: LeaseRecord, b: LeaseRecord | null): boolean {
  return (
    b !== null &&
    a.holder === b.holder &&
    a.renewTimeMs === b.renewTimeMs &&
    a.transitions === b.transitions &&
    a.leaseDurationSeconds === b.leaseDurationSeconds
  );
}
