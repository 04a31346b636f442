/** One sample of the fleet: GPUs, and allocated, idle and stranded GPU-equivalents, at time `t` (ms). */
export interface FleetSample {
  readonly t: number;
  readonly gpus: number;
  readonly allocated: number;
  readonly idle: number;
  readonly stranded: number;
}

/**
 * The fleet's recent samples in a ring (fragmentation and allocation over time). Kept in memory only: a restart
 * starts a new history (the same figures are in Prometheus as `tessera_gpu_allocated_ratio` and
 * `tessera_gpus_stranded` for longer windows).
 */
export class FleetHistory {
  private readonly ring: (FleetSample | undefined)[];
  private next = 0;
  private size = 0;

  /** Keeps the last `capacity` samples (default: 24 h at one sample a minute). */
  constructor(readonly capacity = 1440) {
    this.ring = new Array<FleetSample | undefined>(capacity).fill(undefined);
  }

  /** Adds a sample (times must not go backwards; an earlier or equal time replaces the last sample). */
  add(sample: FleetSample): void {
    const last = this.last();
    if (last !== undefined && sample.t <= last.t) {
      this.ring[(this.next - 1 + this.capacity) % this.capacity] = { ...sample, t: last.t };
      return;
    }
    this.ring[this.next] = sample;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.capacity, this.size + 1);
  }

  /** The newest sample, or undefined. */
  last(): FleetSample | undefined {
    return this.size === 0 ? undefined : this.ring[(this.next - 1 + this.capacity) % this.capacity];
  }

  /** Samples with `t >= from`, oldest first. */
  since(from: number): FleetSample[] {
    const out: FleetSample[] = [];
    for (let k = 0; k < this.size; k += 1) {
      const s = this.ring[(this.next - this.size + k + this.capacity) % this.capacity];
      if (s !== undefined && s.t >= from) out.push(s);
    }
    return out;
  }
}
